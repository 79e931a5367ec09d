"""Every sentence a person reads lives in the text package (`texts/`): a string literal with two
or more common Indonesian words, outside a docstring, anywhere else in the product fails here.

A file may keep a counted number of such sentences only with the reason written below; the count
is exact, so a new sentence fails, and so does an allowance left behind once they have moved."""

from __future__ import annotations

import ast
import re
from collections import Counter
from functools import cache
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PRODUCT = ("bot", "central", "core", "jobs", "reports", "sopbot", "storage", "web", "devtools")
TEXT_HOME = "texts"

# Words that mark Indonesian in a sentence and are not English words or names in our code.
MARK = re.compile(
    r"\b(yang|tidak|belum|sudah|salinan|silakan|kirim|periksa|gagal|berhasil|terverifikasi"
    r"|jalankan|harus|dengan|untuk|dari|tanpa|hari|menit|dapat|ulangi|pasang)\b",
    re.IGNORECASE,
)

# file -> (sentences it may keep, why)
ALLOWED: dict[str, tuple[int, str]] = {
    "core/sop.py": (
        -1,  # any number: the SOP itself, as data
        "the SOP's own steps, actors and time standards, quoted from the signed document",
    ),
}


def _sentences(path: Path) -> int:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstrings: set[int] = set()
    inside_fstring: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            first = node.body[0] if node.body else None
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                docstrings.add(id(first.value))
        if isinstance(node, ast.JoinedStr):
            inside_fstring.update(id(v) for v in node.values)
    found = 0
    for node in ast.walk(tree):
        text = None
        if isinstance(node, ast.JoinedStr):  # an f-string counts whole
            text = "".join(
                v.value
                for v in node.values
                if isinstance(v, ast.Constant) and isinstance(v.value, str)
            )
        elif (
            isinstance(node, ast.Constant)
            and isinstance(node.value, str)
            and id(node) not in docstrings
            and id(node) not in inside_fstring
        ):
            text = node.value
        if text and len(MARK.findall(text)) >= 2:
            found += 1
    return found


@cache
def _outside() -> Counter[str]:
    counts: Counter[str] = Counter()
    for package in PRODUCT:
        for path in sorted((ROOT / package).rglob("*.py")):
            relative = path.relative_to(ROOT)
            if "migrations" in relative.parts:
                continue  # history: a migration is never edited
            found = _sentences(path)
            if found:
                counts[relative.as_posix()] = found
    return counts


def test_no_indonesian_sentence_outside_the_text_package() -> None:
    unexpected = {
        name: count
        for name, count in _outside().items()
        if ALLOWED.get(name, (0, ""))[0] not in (count, -1)
    }
    assert not unexpected, (
        f"Indonesian sentences outside {TEXT_HOME}/ (move them there, or allow them with a "
        f"reason and their exact count): {unexpected}"
    )


def test_every_allowance_is_still_needed() -> None:
    found = _outside()
    stale = {
        name: (allowed, found.get(name, 0))
        for name, (allowed, _why) in ALLOWED.items()
        if allowed != -1 and found.get(name, 0) != allowed
    }
    assert not stale, f"allowances that no longer match (allowed, found): {stale}"


def test_the_check_finds_a_sentence(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text(
        '"""Docstrings are help, not counted: tidak dapat dibuka."""\n'
        'LOGGED = "copy failed: disk not found"\n'
        'SAID = "Salinan tidak dapat dibuka"\n'
        'def f(name: str) -> str:\n    return f"{name} belum terverifikasi dengan SHA256SUMS"\n',
        encoding="utf-8",
    )
    assert _sentences(sample) == 2


def test_the_text_package_holds_the_words() -> None:
    inside = sum(_sentences(p) for p in (ROOT / TEXT_HOME).rglob("*.py"))
    outside = sum(_outside().values())
    assert inside / (inside + outside) >= 0.85, (inside, outside)
