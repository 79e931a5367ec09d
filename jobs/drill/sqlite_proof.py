"""The SQLite drill: the restored file is opened as a database, checked page by page
(`PRAGMA integrity_check`), every row of every table is read, and the row counts are compared
with those recorded when the dump was made.

A copy can match its SHA-256 and still not restore: the dump copies pages byte for byte, so a
database silently corrupt on the server is dumped, copied and verified corrupt. Only opening
and reading it finds that out.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Callable
from contextlib import closing
from pathlib import Path

from core.problems import Code, problem
from core.settings import Settings
from jobs.drill.result import Claim, DrillStage, Level, proof
from jobs.drill.verdict import Findings
from jobs.job import Progress, ProgressReport, StopSignal
from storage.dumps import DumpRecord

MAX_INTEGRITY_LINES = 3


class Stopped(Exception):
    """Told to stop while reading the restored database."""


def prove_sqlite(
    restored: Path, recorded: list[tuple[str, int]], should_stop: Callable[[], bool]
) -> Findings:
    found = Findings()
    try:
        with closing(
            sqlite3.connect(f"{restored.resolve().as_uri()}?mode=ro&immutable=1", uri=True)
        ) as db:
            lines = [row[0] for row in db.execute("PRAGMA integrity_check")]
            if lines != ["ok"]:
                detail = "; ".join(lines[:MAX_INTEGRITY_LINES])
                found.problems.append(problem(Code.DRILL_INTEGRITY, detail=detail))
                return found
            found.proofs.append(proof(Claim.DATABASE_OPENS))
            counts = _read_every_row(db, found, should_stop)
    except sqlite3.DatabaseError as exc:
        found.problems.append(
            problem(Code.DRILL_NOT_A_DATABASE, file=restored.name, error=str(exc))
        )
        return found
    if found.problems:
        return found
    found.proofs.append(proof(Claim.TABLES_READ, tables=len(counts), rows=sum(counts.values())))
    if not recorded:  # nothing recorded at dump time: the counts prove nothing
        found.problems.append(problem(Code.DRILL_NO_RECORD, what="row counts"))
        return found
    for name, expected in recorded:
        found.compared += 1
        table = name.split(".", 1)[-1]
        if table not in counts:
            found.mismatches += 1
            found.problems.append(problem(Code.DRILL_TABLE_MISSING, table=name))
        elif counts[table] != expected:
            found.mismatches += 1
            found.problems.append(
                problem(Code.DRILL_ROWS_DIFFER, table=name, found=counts[table], expected=expected)
            )
    if not found.mismatches:
        found.proofs.append(proof(Claim.ROWS_MATCH, tables=found.compared))
    return found


def _read_every_row(
    db: sqlite3.Connection, found: Findings, should_stop: Callable[[], bool]
) -> dict[str, int]:
    names = [
        row[0]
        for row in db.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
            "ORDER BY name"
        )
    ]
    counts: dict[str, int] = {}
    for name in names:
        rows = 0
        try:
            # Every column of every row decoded: the table's own pages, not an index, are read.
            cursor = db.execute(f'SELECT * FROM "{name}"')  # noqa: S608 (from the catalogue)
            while batch := cursor.fetchmany(1000):
                rows += len(batch)
                if should_stop():
                    raise Stopped
        except sqlite3.DatabaseError as exc:
            found.problems.append(problem(Code.DRILL_TABLE_UNREADABLE, table=name, error=str(exc)))
            continue
        counts[name] = rows
    return counts


class SqliteProver:
    """The `sqlite` backend's restore proof: the copy is restored in full and every row read."""

    level = int(Level.IMPORT)

    def __init__(self, settings: Settings) -> None:
        self.folder = settings.data_dir / "drill"

    def scratch(self, name: str) -> Path:
        self.folder.mkdir(parents=True, exist_ok=True)
        return self.folder / name

    async def prove(
        self, restored: Path, dump: DumpRecord, stop: StopSignal, report: ProgressReport
    ) -> Findings:
        report(Progress(None, state=DrillStage.CHECK))
        return await asyncio.to_thread(prove_sqlite, restored, dump.tables, stop.is_set)
