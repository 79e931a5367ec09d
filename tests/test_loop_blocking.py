"""The rule for blocking work: the event loop never waits on the SOP log or the disk.

Inside an `async def` in `bot/` or `jobs/`, a method of a synchronous storage object is never
*called*; it is handed to the log's async face (`await svc.db.run(svc.soplog.open_steps, day)`)
or to `asyncio.to_thread`, which call it on a worker thread. The same holds for a file system
call and for APScheduler's scheduler, whose job store is in the log.

The rules, kept simple on purpose (an AST walk with the little type knowledge the code states):
- [storage] a storage object is reached through an attribute or a name from `STORAGE_NAMES`
  (how the code names its `SopLog`, `DumpLog`, `CopyLog`, ... objects), or through an
  expression whose class is known to be one of `storage/`'s (see `Product`): `svc.soplog.x(...)`,
  `self.dumplog.x(...)`, `copylog.x(...)` are calls on the loop; `svc.soplog.x` passed without
  the call is not. A method of an APScheduler scheduler (`BackgroundScheduler` and the others)
  counts as a storage call too, but for those that only signal its thread (`NO_JOB_STORE`);
- only the body of the `async def` itself counts: a nested `def` or `lambda` is code that
  runs where it is handed (a worker thread), so it is not looked into;
- [helper] a synchronous helper of the same module that makes such a call (`def _due(self,
  ...)` reading `self.state`), directly or through another such helper of the module, counts
  as a storage call itself: `self._due(...)` or `_due(...)` from an `async def` is flagged
  (matched by name within its module);
- [cross] a synchronous function of the product (`PRODUCT`: bot/, jobs/, central/, sopbot/,
  web/, core/, and the in-memory caches of storage/ in `IN_MEMORY`) that reaches storage
  directly or through other such functions, across modules, counts too when the call names it
  in a way `Product.resolve` can follow: `f(...)` after `from m import f`, `m.f(...)`,
  `self.f(...)`, and `x.f(...)` when the class of `x` is stated (an annotated parameter or
  return, a dataclass field, a constructor). Not seen: a method reached through an object
  whose class the code does not state (a loop variable, `getattr`, a callback in a field, a
  function passed as a value), and libraries outside the product but APScheduler's schedulers;
- a storage object taken from its holder (`svc.`, `self.`, `self.svc.`) and handed to any other
  call (`copy_evidence(svc.dumplog, svc.copylog)`) counts too: whatever receives it is assumed
  to use it there and then. Handing it to the face or to
  `asyncio.to_thread` is the way out (`await svc.db.run(copy_evidence, svc.dumplog, ...)`);
- [disk] a file system call made directly in the `async def`: a `Path` method of
  `PATH_METHODS` (`.stat()`, `.exists()`, `.is_file()`, `.read_text()`, `.open()`,
  `.glob()`, `.unlink()`, ...) on any receiver but a few that share the names (`NOT_PATHS`, a
  string constant, `str.replace(a, b)`), and the functions of `FS_FUNCTIONS` (`os.stat`,
  `shutil.disk_usage`, `open`, ...). Not followed into helpers, and not told apart by type: a
  non-path object with such a method would be flagged (none is today);
- a line may carry `# loop-ok: <why>` for a call that does no I/O (an in-memory cache).

`python tests/test_loop_blocking.py` prints every call found, its rule, and the count.
"""

from __future__ import annotations

import ast
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("bot", "jobs")  # where `async def`s are checked
PRODUCT = ("bot", "jobs", "central", "sopbot", "web", "core")  # where helpers are followed
STORAGE_PACKAGE = "storage"  # its classes' objects are storage objects (but the face)
FACE = "storage.aio.AsyncLog"
# Classes of storage/ that are caches in memory: their methods are followed like the product's
# (`Roster.reload` reads the log, `Roster.roles_of` does not).
IN_MEMORY = frozenset({"storage.members.Roster"})
# Modules of storage/ that hold values only (the recorded states as enums): no I/O in them.
VALUES_ONLY = ("storage.states.",)
# APScheduler's schedulers read and write their job store (the log's database) in every method
# but these, which only signal the scheduler's own thread (`BackgroundScheduler`).
JOB_STORE_SCHEDULERS = frozenset(
    {
        "apscheduler.schedulers.background.BackgroundScheduler",
        "apscheduler.schedulers.asyncio.AsyncIOScheduler",
        "apscheduler.schedulers.blocking.BlockingScheduler",
    }
)
NO_JOB_STORE = frozenset({"wakeup", "pause", "resume", "add_listener", "remove_listener"})

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


def _body_calls(node: ast.AST) -> Iterator[ast.Call]:
    """Calls in this function's own body, not in nested functions or lambdas."""
    for child in ast.iter_child_nodes(node):
        if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)):
            continue
        if isinstance(child, ast.Call):
            yield child
        yield from _body_calls(child)


def _dotted(node: ast.expr) -> list[str] | None:
    """`a.b.c` as ["a", "b", "c"]; None for anything but names and attributes."""
    parts: list[str] = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name):
        return None
    parts.append(node.id)
    return parts[::-1]


@dataclass
class _Module:
    name: str  # dotted: jobs.dump.service
    path: Path
    tree: ast.Module
    lines: list[str]
    imports: dict[str, str] = field(default_factory=dict)  # local name -> dotted target


@dataclass
class _Function:
    key: str  # module.function or module.Class.method
    module: _Module
    node: ast.FunctionDef | ast.AsyncFunctionDef
    cls: str | None  # the enclosing class's key, for `self.x(...)`


class Product:
    """Every module of the product's packages, their functions and what a call resolves to.

    A call is resolved only where the code says it without guessing: `f(...)` (defined in the
    module, or `from m import f`), `module.f(...)` (`import m`, `from pkg import m`), and
    `x.f(...)` when the class of `x` is known from an annotation or a constructor: `self`/`cls`
    inside a class; a parameter or a function's return annotated with a product class
    (`svc: Services`, `services(context) -> Services`); a local assigned from such an
    expression; an attribute declared on such a class (a dataclass field, `self.x: T`,
    `self.x = T(...)`, `self.x = param` of an annotated parameter, a property's return),
    bases included. An object whose class is in `storage/` is a storage object (but the face,
    `AsyncLog`). Not seen: attributes set any other way, containers (`for job in jobs:`),
    `getattr`, callbacks stored in fields (`task.run(...)`), functions handed around as values,
    and anything outside the product's packages."""

    def __init__(self, root: Path, packages: tuple[str, ...]) -> None:
        self.modules: dict[str, _Module] = {}
        self.functions: dict[str, _Function] = {}
        self.classes: dict[str, ast.ClassDef] = {}
        self.class_module: dict[str, _Module] = {}
        self.bases: dict[str, list[str]] = {}  # class key -> base class keys (product only)
        self.attributes: dict[str, dict[str, str]] = {}  # class key -> attribute -> class key
        for package in (*packages, STORAGE_PACKAGE):
            for path in sorted((root / package).rglob("*.py")):
                source = path.read_text(encoding="utf-8")
                parts = list(path.relative_to(root).with_suffix("").parts)
                if parts[-1] == "__init__":
                    parts.pop()
                module = _Module(
                    ".".join(parts), path, ast.parse(source, str(path)), source.splitlines()
                )
                self.modules[module.name] = module
        for module in self.modules.values():
            self._index(module)
        for key, node in self.classes.items():
            module = self.class_module[key]
            self.bases[key] = [
                base
                for base in (self._resolve_dotted(module, _dotted(b)) for b in node.bases)
                if base in self.classes or base in JOB_STORE_SCHEDULERS
            ]
        for key in self.classes:
            self.attributes[key] = self._attributes_of(key)

    def _index(self, module: _Module) -> None:
        package = module.name
        if module.path.name != "__init__.py":
            package = module.name.rpartition(".")[0]
        for node in ast.walk(module.tree):
            if isinstance(node, ast.Import):
                for alias in node.names:
                    if alias.asname:
                        module.imports[alias.asname] = alias.name
                    else:
                        top = alias.name.split(".")[0]
                        module.imports[top] = top
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    anchor = package.split(".")
                    anchor = anchor[: len(anchor) - (node.level - 1)]
                    base = ".".join([*anchor, *([base] if base else [])])
                for alias in node.names:
                    module.imports[alias.asname or alias.name] = f"{base}.{alias.name}"
        for node in module.tree.body:
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                key = f"{module.name}.{node.name}"
                self.functions[key] = _Function(key, module, node, None)
            elif isinstance(node, ast.ClassDef):
                cls = f"{module.name}.{node.name}"
                self.classes[cls] = node
                self.class_module[cls] = module
                for item in node.body:
                    if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef)):
                        key = f"{cls}.{item.name}"
                        self.functions[key] = _Function(key, module, item, cls)

    def _resolve_dotted(self, module: _Module, parts: list[str] | None) -> str | None:
        """The dotted name a local expression stands for, through the module's imports and a
        package's re-exports (`from jobs.dump import DumpService`)."""
        if not parts:
            return None
        head, rest = parts[0], parts[1:]
        name = ".".join([module.imports.get(head, f"{module.name}.{head}"), *rest])
        for _ in range(5):  # follow re-exports a few steps
            if name in self.functions or name in self.classes or name in self.modules:
                return name
            owner, _, last = name.rpartition(".")
            if owner not in self.modules or last not in self.modules[owner].imports:
                return name
            name = self.modules[owner].imports[last]
        return name

    def _annotation(self, module: _Module, node: ast.expr | None) -> str | None:
        """The product class an annotation names (`T`, `T | None`, `"T"`), if any."""
        if node is None:
            return None
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            try:
                node = ast.parse(node.value, mode="eval").body
            except SyntaxError:
                return None
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitOr):
            return self._annotation(module, node.left) or self._annotation(module, node.right)
        target = self._resolve_dotted(module, _dotted(node))
        return target if self._known(target) else None

    def _known(self, kind: str | None) -> bool:
        return kind is not None and (kind in self.classes or kind in JOB_STORE_SCHEDULERS)

    def _ancestors(self, cls: str) -> set[str]:
        seen: set[str] = set()
        pending = [cls]
        while pending:
            current = pending.pop()
            if current not in seen:
                seen.add(current)
                pending.extend(self.bases.get(current, []))
        return seen

    def _attributes_of(self, cls: str) -> dict[str, str]:
        node, module = self.classes[cls], self.class_module[cls]
        found: dict[str, str] = {}
        for item in node.body:
            kind: str | None = None
            if isinstance(item, ast.AnnAssign) and isinstance(item.target, ast.Name):
                kind = self._annotation(module, item.annotation)
                found.update({item.target.id: kind} if kind else {})
            if isinstance(item, ast.FunctionDef) and any(
                _dotted(d) == ["property"] for d in item.decorator_list
            ):
                kind = self._annotation(module, item.returns)
                found.update({item.name: kind} if kind else {})
            if not isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef)):
                continue
            params = {
                a.arg: kind
                for a in [*item.args.posonlyargs, *item.args.args, *item.args.kwonlyargs]
                if (kind := self._annotation(module, a.annotation))
            }
            for statement in ast.walk(item):
                target: ast.expr | None = None
                kind = None
                if isinstance(statement, ast.AnnAssign):
                    target = statement.target
                    kind = self._annotation(module, statement.annotation)
                elif isinstance(statement, ast.Assign) and len(statement.targets) == 1:
                    target, value = statement.targets[0], statement.value
                    if isinstance(value, ast.Name):
                        kind = params.get(value.id)
                    elif isinstance(value, ast.Call):
                        made = self._resolve_dotted(module, _dotted(value.func))
                        kind = made if self._known(made) else None
                if kind and isinstance(target, ast.Attribute) and _dotted(target.value) == ["self"]:
                    found.setdefault(target.attr, kind)
        return found

    def _in_class(self, cls: str, table: str, name: str) -> str | None:
        """`name` as a method (table "method") or an attribute's class ("attribute") of `cls`
        or of its product bases."""
        seen: set[str] = set()
        pending = [cls]
        while pending:
            current = pending.pop(0)
            if current in seen or current not in self.classes:
                continue
            seen.add(current)
            if table == "method" and f"{current}.{name}" in self.functions:
                return f"{current}.{name}"
            if table == "attribute" and name in self.attributes.get(current, {}):
                return self.attributes[current][name]
            pending.extend(self.bases.get(current, []))
        return None

    def locals_of(self, where: _Function) -> dict[str, str]:
        """The classes of a function's parameters and simply assigned locals."""
        node, module = where.node, where.module
        types: dict[str, str] = {}
        if where.cls:
            types["self"] = types["cls"] = where.cls
        for arg in [*node.args.posonlyargs, *node.args.args, *node.args.kwonlyargs]:
            if kind := self._annotation(module, arg.annotation):
                types[arg.arg] = kind
        for statement in ast.walk(node):
            if isinstance(statement, ast.Assign) and len(statement.targets) == 1:
                target = statement.targets[0]
                if isinstance(target, ast.Name):
                    kind = self.type_of(statement.value, where, types)
                    if kind:
                        types[target.id] = kind
                    else:
                        types.pop(target.id, None)
            elif isinstance(statement, ast.AnnAssign) and isinstance(statement.target, ast.Name):
                kind = self._annotation(module, statement.annotation)
                types.update({statement.target.id: kind} if kind else {})
        return types

    def type_of(self, node: ast.expr, where: _Function, types: dict[str, str]) -> str | None:
        """The product class of an expression's value, when the code says it."""
        if isinstance(node, ast.Name):
            return types.get(node.id)
        if isinstance(node, ast.Attribute):
            owner = self.type_of(node.value, where, types)
            return self._in_class(owner, "attribute", node.attr) if owner else None
        if isinstance(node, ast.Await):
            return self.type_of(node.value, where, types)
        if isinstance(node, ast.Call):
            made = self._resolve_dotted(where.module, _dotted(node.func))
            if self._known(made):
                return made
            target = self.resolve(node, where, types)
            if target is not None:
                function = self.functions[target]
                return self._annotation(function.module, function.node.returns)
        return None

    def is_storage(self, kind: str | None) -> bool:
        return (
            kind is not None
            and kind.startswith(STORAGE_PACKAGE + ".")
            and kind != FACE
            and kind not in IN_MEMORY
            and not kind.startswith(VALUES_ONLY)
        )

    def resolve(self, call: ast.Call, where: _Function, types: dict[str, str]) -> str | None:
        """The key of the product function this call runs, when the code says it."""
        func = call.func
        if isinstance(func, ast.Attribute):
            owner = self.type_of(func.value, where, types)
            if owner is not None:
                return self._in_class(owner, "method", func.attr)
        parts = _dotted(func)
        if not parts or parts[0] in types:
            return None
        target = self._resolve_dotted(where.module, parts)
        return target if target in self.functions else None

    def storage_receiver(self, call: ast.Call, where: _Function, types: dict[str, str]) -> bool:
        """A method called on an object whose class is a storage class, or on an APScheduler
        scheduler (its job store is in the log) but for the methods that only signal it."""
        func = call.func
        if not isinstance(func, ast.Attribute):
            return False
        kind = self.type_of(func.value, where, types)
        if kind is None:
            return False
        if self._ancestors(kind) & JOB_STORE_SCHEDULERS:
            return func.attr not in NO_JOB_STORE
        return self.is_storage(kind)

    def blocking(self) -> dict[str, str]:
        """Synchronous product functions that reach storage, directly or through other such
        functions: key -> the first storage call or function on that path (for the listing)."""
        found: dict[str, str] = {}
        sync = [
            f
            for f in self.functions.values()
            if isinstance(f.node, ast.FunctionDef)
            and (not f.key.startswith(STORAGE_PACKAGE + ".") or f.cls in IN_MEMORY)
        ]
        types = {f.key: self.locals_of(f) for f in sync}
        changed = True
        while changed:
            changed = False
            for function in sync:
                if function.key in found:
                    continue
                names = _local_names(function.node, function.module)
                for call in _body_calls(function.node):
                    direct = _receiver_is_storage(call.func) and not (
                        isinstance(call.func, ast.Attribute)
                        and isinstance(call.func.value, ast.Name)
                        and call.func.value.id in names
                    )
                    if direct or self.storage_receiver(call, function, types[function.key]):
                        found[function.key] = ast.unparse(call.func)
                        changed = True
                        break
                    target = self.resolve(call, function, types[function.key])
                    if target in found:
                        found[function.key] = target
                        changed = True
                        break
        return found


def _local_names(node: ast.FunctionDef | ast.AsyncFunctionDef, module: _Module) -> set[str]:
    """Bare names that are not storage objects whatever they are called: the module's imports
    (`queue.Queue()`) and locals assigned something other than an attribute (`state = str(x)`,
    `members = []`); `state = svc.state` stays one."""
    names = set(module.imports)
    for statement in ast.walk(node):
        if isinstance(statement, ast.Assign) and not isinstance(statement.value, ast.Attribute):
            names.update(t.id for t in statement.targets if isinstance(t, ast.Name))
    return names


def _same_module_helpers(tree: ast.Module) -> set[str]:
    """Names of the module's synchronous functions and methods that reach storage, matched by
    name within the module (a method of another class of the module with the same name
    counts too: kept from the first version of the rule, it misses nothing the resolver sees)."""
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


# Filesystem calls that wait on the disk (a USB disk asleep, a network share): `<path>.x(...)`
# for these method names, and these functions by their full name.
PATH_METHODS = frozenset(
    {
        "stat",
        "exists",
        "is_file",
        "is_dir",
        "read_text",
        "read_bytes",
        "write_text",
        "write_bytes",
        "open",
        "iterdir",
        "glob",
        "rglob",
        "unlink",
        "mkdir",
        "rename",
        "replace",
        "touch",
    }
)
FS_FUNCTIONS = frozenset(
    {
        "os.stat",
        "os.listdir",
        "os.scandir",
        "os.path.exists",
        "os.path.getsize",
        "os.path.isfile",
        "os.path.isdir",
        "shutil.disk_usage",
        "shutil.copyfile",
        "shutil.rmtree",
        "shutil.move",
        "open",
    }
)
# Receivers that share those method names without touching the disk.
NOT_PATHS = frozenset({"str", "text", "name", "self", "asyncio", "re", "web"})


def _filesystem_call(call: ast.Call, module: _Module) -> bool:
    """`path.stat()`, `request.log_path.exists()`, `os.stat(p)`, `shutil.disk_usage(p)`."""
    parts = _dotted(call.func)
    if parts is not None:
        full = ".".join([module.imports.get(parts[0], parts[0]), *parts[1:]])
        if full in FS_FUNCTIONS or (len(parts) == 1 and parts[0] == "open"):
            return True
    func = call.func
    if not isinstance(func, ast.Attribute) or func.attr not in PATH_METHODS:
        return False
    receiver = func.value
    if isinstance(receiver, ast.Constant):  # "x".replace(...)
        return False
    if func.attr == "replace" and (call.keywords or len(call.args) != 1):
        return False  # str.replace(a, b), datetime.replace(hour=...): not a path's rename
    receiver_parts = _dotted(receiver)
    return receiver_parts is None or receiver_parts[-1] not in NOT_PATHS


def calls_on_the_loop(root: Path = ROOT) -> list[str]:
    """Every call inside an `async def` of bot/ and jobs/ that waits on the log or the disk,
    one line each, tagged with its rule."""
    product = Product(root, tuple(p for p in PRODUCT if (root / p).is_dir()))
    blocking = product.blocking()
    by_node = {id(f.node): f for f in product.functions.values()}
    found: list[str] = []
    for package in PACKAGES:
        for module in product.modules.values():
            if module.name.split(".")[0] != package:
                continue
            helpers = _same_module_helpers(module.tree)
            rel = module.path.relative_to(root).as_posix()
            for node in ast.walk(module.tree):
                if not isinstance(node, ast.AsyncFunctionDef):
                    continue
                where = by_node.get(id(node)) or _Function(
                    f"{module.name}.{node.name}", module, node, None
                )
                types = product.locals_of(where)
                for call in _body_calls(node):
                    if ALLOW_MARK in module.lines[call.lineno - 1]:
                        continue
                    target = product.resolve(call, where, types)
                    if (
                        _receiver_is_storage(call.func)
                        or _hands_storage_over(call)
                        or product.storage_receiver(call, where, types)
                    ):
                        rule = "storage"
                    elif _called_name(call.func) in helpers:
                        rule = "helper"
                    elif target in blocking:
                        rule = "helper" if target.startswith(module.name + ".") else "cross"
                    elif _filesystem_call(call, module):
                        rule = "disk"
                    else:
                        continue
                    via = f" -> {target} -> {blocking[target]}" if target in blocking else ""
                    found.append(
                        f"{rel}:{call.lineno} in {node.name}: [{rule}] "
                        f"{ast.unparse(call.func)}(...){via}"
                    )
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


def test_the_checker_follows_helpers_across_modules_and_sees_the_disk(tmp_path: Path) -> None:
    files = {
        "storage/box.py": "class Box:\n    def size(self):\n        return 1\n",
        "storage/members.py": (
            "class MemberLog:\n"
            "    def active(self):\n"
            "        return []\n"
            "class Roster:\n"
            "    def __init__(self, members: MemberLog):\n"
            "        self.members = members\n"
            "    def reload(self):\n"
            "        self._x = self.members.active()\n"
            "    def roles_of(self, user):\n"
            "        return self._x\n"
        ),
        "core/marks.py": (
            "def due(state):\n"
            "    return state.get('k')\n"
            "def twice(value):\n"
            "    return due(value)\n"
            "def pure(value):\n"
            "    return value\n"
        ),
        "jobs/helpers.py": (
            "from apscheduler.schedulers.background import BackgroundScheduler\n"
            "from storage.box import Box\n"
            "class Keeper:\n"
            "    def __init__(self, box: Box) -> None:\n"
            "        self.box = box\n"
            "        self.scheduler = BackgroundScheduler()\n"
            "    def peek(self) -> int:\n"
            "        return self.box.size()\n"
            "def make_keeper() -> Keeper:\n"
            "    return Keeper(Box())\n"
        ),
        "bot/h.py": (
            "import asyncio\n"  # 1
            "from pathlib import Path\n"
            "from core import marks\n"
            "from core.marks import twice\n"
            "from jobs.helpers import Keeper, make_keeper\n"  # 5
            "from storage.members import Roster\n"
            "async def handler(keeper: Keeper, roster: Roster, other) -> None:\n"
            "    twice(other)\n"  # 8: another module's helper, two calls deep
            "    marks.due(other)\n"  # 9: through the module's name
            "    keeper.peek()\n"  # 10: a method of an annotated parameter's class
            "    make_keeper().peek()\n"  # 11: of a function's annotated return
            "    roster.roles_of(1)\n"  # 12: an in-memory cache: fine
            "    roster.reload()\n"  # 13: the cache reading the log
            "    keeper.box.size()\n"  # 14: an attribute whose class is storage's
            "    await asyncio.to_thread(twice, other)\n"  # 15: handed over: fine
            "    marks.pure(other)\n"  # 16: no storage: fine
            "    other.peek()\n"  # 17: class unknown: not seen (documented)
            "    keeper.scheduler.add_job(twice)\n"  # 18: APScheduler's job store
            "    keeper.scheduler.wakeup()\n"  # 19: only signals its thread: fine
            "    Path('x').stat()\n"  # 20: the disk
            "    'a b'.replace(' ', '')\n"  # 21: a string: fine
            "    await asyncio.to_thread(Path('x').stat)\n"  # 22: handed over: fine
            "    open('x')\n"  # 23: the disk
        ),
    }
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text, encoding="utf-8")
    found = calls_on_the_loop(tmp_path)
    rules = [(entry.split(" in ")[0], entry.split("[")[1].split("]")[0]) for entry in found]
    assert rules == [
        ("bot/h.py:8", "cross"),
        ("bot/h.py:9", "cross"),
        ("bot/h.py:10", "cross"),
        ("bot/h.py:11", "cross"),
        ("bot/h.py:13", "cross"),
        ("bot/h.py:14", "storage"),
        ("bot/h.py:18", "storage"),
        ("bot/h.py:20", "disk"),
        ("bot/h.py:23", "disk"),
    ]
    assert "core.marks.twice -> core.marks.due" in found[0]


if __name__ == "__main__":
    calls = calls_on_the_loop()
    print("\n".join(calls))
    print(f"{len(calls)} calls on the event loop that wait on the log or the disk")
    sys.exit(1 if calls else 0)
