"""The top-level packages import one way, from the entry points down to the ground; imports inside
functions count too. In particular `jobs`, `storage` and `core` never import the words (`texts`)
or what is drawn with them (`reports`): they take their labels as data."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

# Highest first. A package imports only packages of the layers below its own, never one beside it.
LAYERS: tuple[tuple[str, ...], ...] = (
    ("devtools",),  # not installed: the loopback Bot API server and the demo
    ("sopbot",),  # the entry points: the CLI and the composition root, which start the faces
    ("bot", "web"),  # the faces: the chat, the province's web view
    ("central",),  # the office's link to the central database, the supervisor's chart
    ("reports",),  # what is drawn for a person: the monthly CSV and chart, the audit PDF
    ("texts",),  # every sentence a person reads
    ("jobs",),  # the dump, the copy, the drill, the schedule, the watchdog, periodic work
    ("storage",),  # the log and the central database
    ("core",),  # the ground: settings, the SOP as data, problem codes
)
NOT_PRODUCT = ("tests", "bench", "docs")


def _rank(layers: tuple[tuple[str, ...], ...]) -> dict[str, int]:
    return {package: depth for depth, layer in enumerate(layers) for package in layer}


def wrong_imports(root: Path, layers: tuple[tuple[str, ...], ...]) -> list[str]:
    """Every import of a top-level package from one that may not import it, as
    `file:line: importer -> imported`."""
    rank = _rank(layers)
    found: list[str] = []
    for package in rank:
        for path in sorted((root / package).rglob("*.py")):
            tree = ast.parse(path.read_text(encoding="utf-8"))
            for node in ast.walk(tree):  # every import, at the top or inside a function
                if isinstance(node, ast.Import):
                    names = [alias.name for alias in node.names]
                elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                    names = [node.module]
                else:
                    continue
                for name in names:
                    top = name.split(".")[0]
                    if top in rank and top != package and rank[top] <= rank[package]:
                        where = path.relative_to(root).as_posix()
                        found.append(f"{where}:{node.lineno}: {package} -> {top}")
    return found


def test_imports_point_down_the_layers() -> None:
    assert wrong_imports(ROOT, LAYERS) == []


def test_every_top_level_package_has_its_layer() -> None:
    packages = {
        p.name
        for p in ROOT.iterdir()
        if p.is_dir() and (p / "__init__.py").exists() and p.name not in NOT_PRODUCT
    }
    assert packages == set(_rank(LAYERS))


def test_the_check_finds_an_import_upwards_inside_a_function(tmp_path: Path) -> None:
    for package in ("texts", "jobs"):
        (tmp_path / package).mkdir()
        (tmp_path / package / "__init__.py").write_text("", encoding="utf-8")
    (tmp_path / "texts" / "words.py").write_text("from jobs.work import run\n", encoding="utf-8")
    (tmp_path / "jobs" / "work.py").write_text(
        "def run() -> str:\n    import texts.words\n\n    return ''\n", encoding="utf-8"
    )
    layers = (("texts",), ("jobs",))
    assert wrong_imports(tmp_path, layers) == ["jobs/work.py:2: jobs -> texts"]
    # Two packages side by side may not import each other either.
    assert wrong_imports(tmp_path, (("texts", "jobs"),)) == [
        "texts/words.py:1: texts -> jobs",
        "jobs/work.py:2: jobs -> texts",
    ]
