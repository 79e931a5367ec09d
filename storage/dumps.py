"""The record of dump runs (SOP step 8)."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Collection
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from core.problems import Problem, dump_problems, load_problems
from storage import chain
from storage.models import DumpRun
from storage.repository import Repository
from storage.states import GOOD_DUMPS, UNSETTLED_DUMPS, DumpOutcome, Trigger


@dataclass(frozen=True)
class DumpRecord:
    id: int
    run_date: date
    trigger: Trigger
    backend: str
    job_name: str
    started_at: datetime
    finished_at: datetime | None
    outcome: DumpOutcome
    file_path: str
    size_bytes: int | None
    sha256: str
    total_rows: int | None
    tables: list[tuple[str, int]]
    errors: list[Problem]
    warnings: list[Problem]
    consistent_as_of: str = ""


def _record(row: DumpRun) -> DumpRecord:
    return DumpRecord(
        id=row.id,
        run_date=row.run_date,
        trigger=Trigger.read(row.trigger),
        backend=row.backend,
        job_name=row.job_name,
        started_at=row.started_at,
        finished_at=row.finished_at,
        outcome=DumpOutcome.read(row.outcome),
        file_path=row.file_path,
        size_bytes=row.size_bytes,
        sha256=row.sha256,
        total_rows=row.total_rows,
        tables=[(name, rows) for name, rows in json.loads(row.tables_json or "[]")],
        errors=load_problems(row.errors),
        warnings=load_problems(row.warnings),
        consistent_as_of=row.consistent_as_of or "",
    )


StepWriter = Callable[[Session], object]  # writes a run's SOP step in the same transaction
UNSETTLED = sorted(state.stored() for state in UNSETTLED_DUMPS)  # what a journal entry may settle


def journal_key(record: dict[str, Any]) -> str:
    """A journal entry's identity: its own key, or for entries written before keys, one made
    from what identifies the run (its start to the microsecond, its file and job)."""
    given = record.get("key")
    if given:
        return str(given)[:64]
    ident = f"{record['started_at']}|{record['file_path']}|{record['job_name']}"
    return "derived:" + hashlib.sha256(ident.encode("utf-8")).hexdigest()[:48]


def _verdict(
    *,
    finished_at: datetime,
    outcome: str,  # as stored: DumpOutcome.stored(), or a journal entry's own word
    size_bytes: int | None,
    sha256: str,
    tables: list[tuple[str, int]],
    errors: list[Problem],
    warnings: list[Problem],
    consistent_as_of: str,
) -> dict[str, Any]:
    return {
        "finished_at": finished_at,
        "outcome": outcome,
        "size_bytes": size_bytes,
        "sha256": sha256,
        "total_rows": sum(r for _, r in tables) if tables else None,
        "tables_json": json.dumps(tables),
        "errors": dump_problems(errors),
        "warnings": dump_problems(warnings),
        "consistent_as_of": consistent_as_of,
    }


@dataclass
class DumpLog(Repository):
    """Dump runs, one row each, from start to verdict."""

    def start(
        self,
        *,
        run_date: date,
        trigger: Trigger,
        requested_by: int | None,
        backend: str,
        job_name: str,
        started_at: datetime,
        file_path: str,
        log_path: str,
        late_seconds: int = 0,
    ) -> int:
        with self._sessions.begin() as session:
            row = DumpRun(
                run_date=run_date,
                trigger=Trigger.write(trigger),
                requested_by=requested_by,
                backend=backend,
                job_name=job_name,
                started_at=started_at,
                outcome=DumpOutcome.RUNNING.stored(),
                file_path=file_path,
                log_path=log_path,
                sha256="",
                tables_json="[]",
                errors="[]",
                warnings="[]",
                late_seconds=late_seconds,
            )
            session.add(row)
            session.flush()
            return row.id

    def finish(
        self,
        run_id: int,
        *,
        finished_at: datetime,
        outcome: DumpOutcome,
        size_bytes: int | None,
        sha256: str,
        tables: list[tuple[str, int]],
        errors: list[Problem],
        warnings: list[Problem],
        consistent_as_of: str = "",
        step: StepWriter | None = None,
    ) -> None:
        """The run's verdict, and with `step` the SOP step it makes, in one transaction."""
        with self._sessions.begin() as session:
            session.execute(
                update(DumpRun)
                .where(DumpRun.id == run_id)
                .values(
                    _verdict(
                        finished_at=finished_at,
                        outcome=DumpOutcome.write(outcome),
                        size_bytes=size_bytes,
                        sha256=sha256,
                        tables=tables,
                        errors=errors,
                        warnings=warnings,
                        consistent_as_of=consistent_as_of,
                    )
                )
            )
            if step is not None:
                step(session)
            chain.record_by_id(session, DumpRun, run_id, finished_at)

    def merge_journaled(self, record: dict[str, Any], step: StepWriter) -> bool:
        """A run kept in the fallback journal while the log could not be written, with its SOP
        step, in one transaction. Keyed by the journal entry: merged again after an
        interruption, it writes nothing (False). A run whose start was recorded (`run_id`) is
        settled in place, whether it still says running or a restart called it interrupted."""
        key = journal_key(record)
        started_at = datetime.fromisoformat(record["started_at"])
        values = _verdict(
            finished_at=datetime.fromisoformat(record["finished_at"]),
            # Kept as the journal has it (DumpOutcome values; one this version does not know,
            # from another version's journal, reads back as unknown rather than blocking the
            # entries after it).
            outcome=str(record["outcome"]),
            size_bytes=record["size_bytes"],
            sha256=record["sha256"],
            tables=[(name, rows) for name, rows in record["tables"]],
            errors=load_problems(json.dumps(record["errors"])),
            warnings=load_problems(json.dumps(record["warnings"])),
            consistent_as_of=record.get("consistent_as_of") or "",
        )
        with self._sessions.begin() as session:
            if session.scalar(select(DumpRun.id).where(DumpRun.journal_key == key)):
                return False
            # Merged by a version before journal keys (or settled otherwise): the same run is the
            # same file started at the same microsecond.
            if session.scalar(
                select(DumpRun.id).where(
                    DumpRun.file_path == record["file_path"],
                    DumpRun.started_at == started_at,
                    DumpRun.outcome.not_in(UNSETTLED),
                )
            ):
                return False
            row = session.get(DumpRun, record["run_id"]) if record.get("run_id") else None
            if (
                row is None
                or row.outcome not in UNSETTLED
                or row.file_path != record["file_path"]
                or row.started_at != started_at
            ):
                row = DumpRun(
                    run_date=date.fromisoformat(record["run_date"]),
                    trigger=record["trigger"],
                    requested_by=record["requested_by"],
                    backend=record["backend"],
                    job_name=record["job_name"],
                    started_at=started_at,
                    file_path=record["file_path"],
                    log_path=record["log_path"],
                    late_seconds=record["late_seconds"],
                )
                session.add(row)
            for name, value in values.items():
                setattr(row, name, value)
            row.journal_key = key
            chain.record_row(session, row, values["finished_at"])  # flushes
            step(session)
            return True

    def mark_interrupted(
        self, at: datetime, reason: Problem, keep: Collection[int] = ()
    ) -> list[DumpRecord]:
        """Runs still 'running' from a previous process: they died with it. Those in `keep`
        have their verdict in the fallback journal and are not touched."""
        with self._sessions.begin() as session:
            query = select(DumpRun).where(DumpRun.outcome == DumpOutcome.RUNNING.stored())
            if keep:
                query = query.where(DumpRun.id.not_in(list(keep)))
            rows = list(session.scalars(query))
            for row in rows:
                row.outcome, row.finished_at = DumpOutcome.INTERRUPTED.stored(), at
                row.errors = dump_problems([*load_problems(row.errors), reason])
            chain.record_rows(session, rows, at)
            return [_record(row) for row in rows]

    def last_good(self, before_id: int | None = None) -> DumpRecord | None:
        with self._sessions() as session:
            query = select(DumpRun).where(
                DumpRun.outcome.in_(sorted(s.stored() for s in GOOD_DUMPS))
            )
            if before_id is not None:
                query = query.where(DumpRun.id < before_id)
            row = session.scalars(query.order_by(DumpRun.started_at.desc()).limit(1)).first()
            return None if row is None else _record(row)

    def first_run_date(self) -> date | None:
        with self._sessions() as session:
            return session.scalar(select(func.min(DumpRun.run_date)))

    def get(self, run_id: int) -> DumpRecord | None:
        with self._sessions() as session:
            row = session.get(DumpRun, run_id)
            return None if row is None else _record(row)

    def after(self, after_id: int, limit: int = 100) -> list[DumpRecord]:
        """Rows recorded after `after_id`, in the order they were started (by primary key)."""
        with self._sessions() as session:
            rows = session.scalars(
                select(DumpRun).where(DumpRun.id > after_id).order_by(DumpRun.id).limit(limit)
            )
            return [_record(row) for row in rows]

    def latest(self, limit: int = 10) -> list[DumpRecord]:
        with self._sessions() as session:
            rows = session.scalars(select(DumpRun).order_by(DumpRun.id.desc()).limit(limit))
            return [_record(row) for row in rows]

    def between(self, first: date, last: date) -> list[DumpRecord]:
        """Dump runs whose office date is within [first, last], oldest first."""
        with self._sessions() as session:
            rows = session.scalars(
                select(DumpRun)
                .where(DumpRun.run_date >= first, DumpRun.run_date <= last)
                .order_by(DumpRun.started_at)
            )
            return [_record(row) for row in rows]
