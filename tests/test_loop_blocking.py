"""The rule for blocking work: the event loop never waits on the SOP log.

Inside an `async def` in `bot/` or `jobs/`, a method of a synchronous storage object is never
*called*; it is handed to the log's async face (`await svc.db.run(svc.soplog.open_steps, day)`)
or to `asyncio.to_thread`, which call it on a worker thread.

The rules, kept simple on purpose (an AST walk, no type inference):
- a storage object is reached through an attribute or a name from `STORAGE_NAMES` (how the
  code names its `SopLog`, `DumpLog`, `CopyLog`, ... objects): `svc.soplog.x(...)`,
  `self.dumplog.x(...)`, `copylog.x(...)` are calls on the loop; `svc.soplog.x` passed without
  the call is not;
- only the body of the `async def` itself counts: a nested `def` or `lambda` is code that
  runs where it is handed (a worker thread), so it is not looked into;
- a synchronous helper of the same module that makes such a call (`def _due(self, ...)`
  reading `self.state`), directly or through another such helper of the module, counts as a
  storage call itself: `self._due(...)` or `_due(...)` from an `async def` is flagged too (the
  helper is matched by name within its module; helpers of other modules are not followed);
- a storage object taken from its holder (`svc.`, `self.`, `self.svc.`) and handed to any other
  call (`copy_evidence(svc.dumplog, svc.copylog)`) counts too: whatever receives it is assumed
  to use it there and then. Handing it to the face or to
  `asyncio.to_thread` is the way out (`await svc.db.run(copy_evidence, svc.dumplog, ...)`);
- a line may carry `# loop-ok: <why>` for a call that does no I/O (an in-memory cache).

`python tests/test_loop_blocking.py` prints every call found and the count.
"""

from __future__ import annotations

import ast
import sys
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("bot", "jobs")

# The names under which bot/ and jobs/ hold the synchronous storage objects.
STORAGE_NAMES = frozenset(
    {
        "soplog",  # storage.soplog.SopLog
        "dumplog",  # storage.dumps.DumpLog
        "copylog",  # storage.copies.CopyLog
        "drilllog",  # storage.drills.DrillLog
        "state",  # storage.state.StateStore
        "outbox",  # storage.outbox.Outbox
        "audit",  # storage.audit.AuditLog
        "disks",  # storage.disks.DiskRegistry
        "members",  # storage.members.MemberLog
        "central_queue",  # storage.central_queue.CentralQueue
        "queue",
        "evidence",  # jobs.evidence.Evidence (its chain is in the log)
    }
)
STORAGE_ATTRIBUTES = STORAGE_NAMES  # `log` is only ever the logger, as a name or an attribute
ALLOW_MARK = "# loop-ok:"


def _receiver_is_storage(func: ast.expr) -> bool:
    """True for `<...>.<storage>.<method>` and `<storage>.<method>`."""
    if not isinstance(func, ast.Attribute):
        return False
    receiver = func.value
    if isinstance(receiver, ast.Attribute):
        return receiver.attr in STORAGE_ATTRIBUTES
    if isinstance(receiver, ast.Name):
        return receiver.id in STORAGE_NAMES
    return False


OFF_LOOP = frozenset({"run", "keep", "later", "soon", "to_thread"})  # the face, asyncio.to_thread


HOLDERS = frozenset({"svc", "self", "services", "runtime"})  # what holds the storage objects


def _is_storage(node: ast.expr) -> bool:
    """`svc.dumplog`, `self.copylog`, `self.svc.state`: a storage object taken from its holder
    (a bare name or another object's field, `progress.state`, is not assumed to be one)."""
    if not isinstance(node, ast.Attribute) or node.attr not in STORAGE_ATTRIBUTES:
        return False
    holder = node.value
    if isinstance(holder, ast.Attribute):  # self.svc.state
        return holder.attr == "svc" and isinstance(holder.value, ast.Name)
    return isinstance(holder, ast.Name) and holder.id in HOLDERS


def _hands_storage_over(call: ast.Call) -> bool:
    """A storage object passed to a call that is not the face or `asyncio.to_thread`."""
    func = call.func
    name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
    if name in OFF_LOOP:
        return False
    values = [*call.args, *(keyword.value for keyword in call.keywords)]
    return any(_is_storage(value) for value in values)


def _called_name(func: ast.expr) -> str | None:
    """`helper` for `helper(...)` and `self.helper(...)`."""
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name):
        return func.attr if func.value.id in ("self", "cls") else None
    return None


def _storage_helpers(tree: ast.Module) -> set[str]:
    """Names of the module's synchronous functions and methods that reach storage."""
    functions = [n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef)]
    helpers: set[str] = set()
    while True:
        found = {
            function.name
            for function in functions
            if any(
                _receiver_is_storage(call.func) or _called_name(call.func) in helpers
                for call in _body_calls(function)
            )
        }
        if found <= helpers:
            return helpers
        helpers |= found


def _body_calls(node: ast.AST) -> Iterator[ast.Call]:
    """Calls in this function's own body, not in nested functions or lambdas."""
    for child in ast.iter_child_nodes(node):
        if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)):
            continue
        if isinstance(child, ast.Call):
            yield child
        yield from _body_calls(child)


def calls_on_the_loop(root: Path = ROOT) -> list[str]:
    found: list[str] = []
    for package in PACKAGES:
        for path in sorted((root / package).rglob("*.py")):
            source = path.read_text(encoding="utf-8")
            lines = source.splitlines()
            tree = ast.parse(source, filename=str(path))
            helpers = _storage_helpers(tree)
            for node in ast.walk(tree):
                if not isinstance(node, ast.AsyncFunctionDef):
                    continue
                for call in _body_calls(node):
                    direct = _receiver_is_storage(call.func) or _hands_storage_over(call)
                    if not direct and _called_name(call.func) not in helpers:
                        continue
                    if ALLOW_MARK in lines[call.lineno - 1]:
                        continue
                    where = f"{path.relative_to(root)}:{call.lineno}"
                    found.append(f"{where} in {node.name}: {ast.unparse(call.func)}(...)")
    return found


def test_no_storage_call_runs_on_the_event_loop() -> None:
    found = calls_on_the_loop()
    assert not found, "storage called from async code (use the log's async face):\n" + "\n".join(
        found
    )


def test_the_checker_sees_a_direct_call_and_not_a_handed_over_one(tmp_path: Path) -> None:
    (tmp_path / "bot").mkdir()
    (tmp_path / "jobs").mkdir()
    (tmp_path / "bot" / "x.py").write_text(
        "async def handler(svc):\n"
        "    log.info('fine: the logger')\n"
        "    await svc.db.run(svc.soplog.open_steps, 1)\n"
        "    await asyncio.to_thread(lambda: svc.dumplog.latest())\n"
        "    svc.roster.roles_of(1)\n"
        "    svc.names.get(1)  # loop-ok: a dict\n"
        "    rows = svc.soplog.open_steps(1)\n"
        "    svc.soplog.remember_user(1, 'x')\n"
        "    sync_helper(svc)\n"
        "    await svc.db.run(sync_helper, svc)\n"
        "    evidence_of(svc.dumplog, x=1)\n"
        "    await svc.db.run(evidence_of, svc.dumplog)\n"
        "def sync_helper(svc):\n"
        "    svc.soplog.open_steps(1)\n",
        encoding="utf-8",
    )
    (tmp_path / "jobs" / "y.py").write_text(
        "class W:\n"
        "    async def tick(self):\n"
        "        self.state.get('k')\n"
        "        self._due()\n"
        "    def _due(self):\n"
        "        return self._last()\n"
        "    def _last(self):\n"
        "        return self.state.get('k')\n",
        encoding="utf-8",
    )
    found = calls_on_the_loop(tmp_path)
    assert [entry.split(" in ")[0] for entry in found] == [
        "bot/x.py:7",
        "bot/x.py:8",
        "bot/x.py:9",
        "bot/x.py:11",
        "jobs/y.py:3",
        "jobs/y.py:4",
    ]


if __name__ == "__main__":
    calls = calls_on_the_loop()
    print("\n".join(calls))
    print(f"{len(calls)} storage calls on the event loop")
    sys.exit(1 if calls else 0)
