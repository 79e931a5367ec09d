"""The record of restore drills: which copy, what it proved, how long the restore took."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select, update

from core.problems import Problem, dump_problems, load_problems
from storage import chain
from storage.models import RestoreDrill
from storage.repository import Repository
from storage.states import DrillOutcome, Trigger


@dataclass(frozen=True)
class DrillRecord:
    id: int
    copy_id: int | None
    dump_run_id: int | None
    file_name: str
    disk_label: str
    backend: str
    level: int
    trigger: Trigger
    started_at: datetime
    finished_at: datetime | None
    outcome: DrillOutcome
    restore_seconds: float | None
    compared: int
    mismatches: int
    proofs: list[dict[str, Any]]  # as stored; jobs.drill.result.load_proofs reads them
    errors: list[Problem]

    @property
    def passed(self) -> bool:
        return self.outcome is DrillOutcome.PASSED

    @property
    def untestable(self) -> bool:
        """The drill could not run (disk away, no key, login refused…): no verdict on the copy."""
        return self.outcome is DrillOutcome.UNTESTABLE


def _record(row: RestoreDrill) -> DrillRecord:
    return DrillRecord(
        id=row.id,
        copy_id=row.copy_id,
        dump_run_id=row.dump_run_id,
        file_name=row.file_name,
        disk_label=row.disk_label,
        backend=row.backend,
        level=row.level,
        trigger=Trigger.read(row.trigger),
        started_at=row.started_at,
        finished_at=row.finished_at,
        outcome=DrillOutcome.read(row.outcome),
        restore_seconds=row.restore_seconds,
        compared=row.compared,
        mismatches=row.mismatches,
        proofs=json.loads(row.proofs or "[]"),
        errors=load_problems(row.errors),
    )


@dataclass
class DrillLog(Repository):
    """Restore drills, one row each, from start to verdict."""

    def start(
        self,
        *,
        copy_id: int | None,
        dump_run_id: int | None,
        file_name: str,
        disk_label: str,
        backend: str,
        level: int,
        trigger: Trigger,
        requested_by: int | None,
        started_at: datetime,
    ) -> int:
        with self._sessions.begin() as session:
            row = RestoreDrill(
                copy_id=copy_id,
                dump_run_id=dump_run_id,
                file_name=file_name,
                disk_label=disk_label,
                backend=backend,
                level=level,
                trigger=Trigger.write(trigger),
                requested_by=requested_by,
                started_at=started_at,
                outcome=DrillOutcome.RUNNING.stored(),
                compared=0,
                mismatches=0,
                proofs="[]",
                errors="[]",
            )
            session.add(row)
            session.flush()
            return row.id

    def finish(
        self,
        drill_id: int,
        *,
        finished_at: datetime,
        outcome: DrillOutcome,
        proofs: str = "[]",
        errors: list[Problem] | None = None,
        compared: int = 0,
        mismatches: int = 0,
        restore_seconds: float | None = None,
    ) -> None:
        with self._sessions.begin() as session:
            session.execute(
                update(RestoreDrill)
                .where(RestoreDrill.id == drill_id)
                .values(
                    finished_at=finished_at,
                    outcome=DrillOutcome.write(outcome),
                    proofs=proofs,
                    errors=dump_problems(errors or []),
                    compared=compared,
                    mismatches=mismatches,
                    restore_seconds=restore_seconds,
                )
            )
            chain.record_by_id(session, RestoreDrill, drill_id, finished_at)

    def mark_interrupted(self, at: datetime, reason: Problem) -> int:
        """Drills left running by a process that died: recorded as interrupted."""
        with self._sessions.begin() as session:
            rows = list(
                session.scalars(
                    select(RestoreDrill).where(
                        RestoreDrill.outcome == DrillOutcome.RUNNING.stored()
                    )
                )
            )
            for row in rows:
                row.outcome, row.finished_at = DrillOutcome.INTERRUPTED.stored(), at
                row.errors = dump_problems([reason])
            chain.record_rows(session, rows, at)
            return len(rows)

    def last_passed(self) -> DrillRecord | None:
        with self._sessions() as session:
            row = session.scalars(
                select(RestoreDrill)
                .where(RestoreDrill.outcome == DrillOutcome.PASSED.stored())
                .order_by(RestoreDrill.finished_at.desc())
                .limit(1)
            ).first()
            return None if row is None else _record(row)

    def after(self, after_id: int, limit: int = 100) -> list[DrillRecord]:
        """Rows recorded after `after_id`, in the order they were started (by primary key)."""
        with self._sessions() as session:
            rows = session.scalars(
                select(RestoreDrill)
                .where(RestoreDrill.id > after_id)
                .order_by(RestoreDrill.id)
                .limit(limit)
            )
            return [_record(row) for row in rows]

    def latest(self, limit: int = 10) -> list[DrillRecord]:
        with self._sessions() as session:
            rows = session.scalars(
                select(RestoreDrill).order_by(RestoreDrill.id.desc()).limit(limit)
            )
            return [_record(row) for row in rows]

    def between(self, start: datetime, end: datetime) -> list[DrillRecord]:
        """Drills started in [start, end), oldest first (the monthly report)."""
        with self._sessions() as session:
            rows = session.scalars(
                select(RestoreDrill)
                .where(RestoreDrill.started_at >= start, RestoreDrill.started_at < end)
                .order_by(RestoreDrill.started_at)
            )
            return [_record(row) for row in rows]
