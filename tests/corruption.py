"""A SQLite database corrupt in the way no hash can see: well-formed pages, wrong content."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path

PAGE = 4096
TABLE_LEAF = 0x0D


def corrupt_silently(db: Path, nik: str) -> None:
    """Change one NIK in a table's own page and not in its index: every page stays well formed
    (COUNT(*) and a byte-for-byte dump see nothing), only an integrity check finds it."""
    original = db.read_bytes()
    needle = nik.encode()
    start = 0
    while (at := original.find(needle, start)) >= 0:
        start = at + 1
        page = at // PAGE * PAGE
        if original[page + (100 if page == 0 else 0)] != TABLE_LEAF:
            continue
        data = bytearray(original)
        data[at + len(needle) - 1] ^= 0x01  # the last digit, changed to another digit
        db.write_bytes(bytes(data))
        with closing(sqlite3.connect(db)) as check:
            if [row[0] for row in check.execute("PRAGMA integrity_check")] != ["ok"]:
                return  # a table with an index on the NIK: the damage is there, unseen
        db.write_bytes(original)  # a table without such an index: try the next place
    raise AssertionError(f"{nik} not found in an indexed table's page")
