"""The embedded default backend: a consistent online copy of a SQLite database.

SQLite's backup API copies the database page by page while others may keep writing; the copy
is the database as of one moment. The dump is the copied database file itself.
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import sqlite3
from contextlib import closing
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from core.files import create_private
from core.problems import Code, Problem, problem
from core.settings import Settings
from jobs.drill.sqlite_proof import SqliteProver
from jobs.dump.result import BackendCheck, BackendResult, BackendSpec, DumpRequest, TableRows
from jobs.job import Outcome, Progress, ProgressReport, StopSignal, Unit

PAGES_PER_STEP = 256


class SqliteBackend:
    name = "sqlite"

    def __init__(self, source: Path) -> None:
        self.source = source

    async def run(
        self, request: DumpRequest, report: ProgressReport, stop: StopSignal
    ) -> BackendResult:
        if not await asyncio.to_thread(self.source.is_file):
            return BackendResult(
                Outcome.FAILED, errors=[problem(Code.SOURCE_MISSING, path=str(self.source))]
            )
        # The thread checks `stop` between steps of 256 pages, so it ends soon after being told.
        return await asyncio.to_thread(self._copy, request, report, stop)

    def _copy(
        self, request: DumpRequest, report: ProgressReport, stop: StopSignal
    ) -> BackendResult:
        partial = request.dump_path.with_name(request.dump_path.name + ".part")
        log_lines = [f"{_stamp()} SQLite online backup of {self.source} to {request.dump_path}"]
        try:
            # The dump holds the population register: created 0600 whatever the umask (SQLite
            # keeps an existing file's mode, and gives its journal the same).
            create_private(partial).close()
            # mode=ro: the backup only reads the source, whoever else is writing to it.
            with (
                closing(
                    sqlite3.connect(f"{self.source.resolve().as_uri()}?mode=ro", uri=True)
                ) as src,
                closing(sqlite3.connect(partial)) as dst,
            ):

                def on_progress(status: int, remaining: int, total: int) -> None:
                    if stop.is_set():
                        raise _Stopped
                    done = total - remaining
                    report(
                        Progress(100.0 * done / total if total else None, done, total, Unit.PAGES)
                    )

                src.backup(dst, pages=PAGES_PER_STEP, progress=on_progress)
                tables = _count_rows(dst)
            partial.replace(request.dump_path)
        except _Stopped:
            partial.unlink(missing_ok=True)
            reason = stop.reason or problem(Code.STOPPED)
            log_lines.append(f"{_stamp()} STOPPED: {reason.english()}")
            _write_log(request.log_path, log_lines)
            return BackendResult(Outcome.INTERRUPTED, errors=[reason])
        except (sqlite3.Error, OSError) as exc:
            partial.unlink(missing_ok=True)
            log_lines.append(f"{_stamp()} FAILED: {exc}")
            _write_log(request.log_path, log_lines)
            return BackendResult(Outcome.FAILED, errors=[_problem_of(exc)])
        log_lines += [f"exported {t.name}: {t.rows} rows" for t in tables]
        log_lines.append(f"{_stamp()} backup {request.job_name} successfully completed")
        _write_log(request.log_path, log_lines)
        return BackendResult(Outcome.SUCCESS, tables=tables)


class _Stopped(Exception):
    """Raised from the backup's progress callback: SQLite then abandons the backup."""


def _problem_of(exc: sqlite3.Error | OSError) -> Problem:
    full = (isinstance(exc, OSError) and exc.errno == errno.ENOSPC) or (
        getattr(exc, "sqlite_errorcode", None) == sqlite3.SQLITE_FULL
    )
    if full:
        return problem(Code.DUMP_SPACE_FULL, detail=str(exc))
    return problem(Code.BACKEND_ERROR, error=f"{type(exc).__name__}: {exc}")


def _count_rows(db: sqlite3.Connection) -> list[TableRows]:
    names = [
        row[0]
        for row in db.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
            "ORDER BY name"
        )
    ]
    # Table names come from the database's own catalogue, quoted as identifiers.
    return [
        TableRows(f"MAIN.{name}", db.execute(f'SELECT COUNT(*) FROM "{name}"').fetchone()[0])  # noqa: S608
        for name in names
    ]


def _stamp() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


def _write_log(path: Path, lines: list[str]) -> None:
    # The result carries the same facts; a log that cannot be written must not hide them.
    with contextlib.suppress(OSError):
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def build(settings: Settings) -> SqliteBackend:
    assert settings.sqlite_source_path is not None
    return SqliteBackend(settings.sqlite_source_path)


async def check(settings: Settings, _driver: Any = None) -> BackendCheck:
    source = settings.sqlite_source_path
    if source is not None and await asyncio.to_thread(source.is_file):
        return BackendCheck(facts=[str(source)])
    return BackendCheck([problem(Code.SOURCE_MISSING, path=str(source))])


def prover(settings: Settings, _driver: Any = None) -> SqliteProver:
    return SqliteProver(settings)


SPEC = BackendSpec("sqlite", ("SQLITE_SOURCE_PATH",), build, check, prover)
