"""A SQLite database corrupt in the way no hash can see: well-formed pages, wrong content."""

from __future__ import annotations

from pathlib import Path

PAGE = 4096
TABLE_LEAF, INDEX_LEAF = 0x0D, 0x0A


def corrupt_silently(db: Path, nik: str) -> None:
    """Change one NIK in the table's own page and not in its index: every page stays well
    formed (COUNT(*) and a byte-for-byte dump see nothing), only an integrity check finds it."""
    data = bytearray(db.read_bytes())
    needle = nik.encode()
    start = 0
    while (at := data.find(needle, start)) >= 0:
        page = at // PAGE * PAGE
        kind = data[page + (100 if page == 0 else 0)]
        if kind == TABLE_LEAF:
            data[at + len(needle) - 1] ^= 0x01  # the last digit, changed to another digit
            db.write_bytes(bytes(data))
            return
        start = at + 1
    raise AssertionError(f"{nik} not found in a table page")
