"""Queries on dump runs (SOP step 8), the bot's kept state, and the audit trail."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select, update

from storage.models import AppState, AuditEvent, DumpRun, ExternalCopy, OutboxMessage, PrunedFile
from storage.repository import Repository


@dataclass(frozen=True)
class DumpRecord:
    id: int
    run_date: date
    trigger: str
    backend: str
    job_name: str
    started_at: datetime
    finished_at: datetime | None
    outcome: str
    file_path: str
    size_bytes: int | None
    sha256: str
    total_rows: int | None
    tables: list[tuple[str, int]]
    errors: list[str]
    warnings: list[str]


def _record(row: DumpRun) -> DumpRecord:
    return DumpRecord(
        id=row.id,
        run_date=row.run_date,
        trigger=row.trigger,
        backend=row.backend,
        job_name=row.job_name,
        started_at=row.started_at,
        finished_at=row.finished_at,
        outcome=row.outcome,
        file_path=row.file_path,
        size_bytes=row.size_bytes,
        sha256=row.sha256,
        total_rows=row.total_rows,
        tables=[(name, rows) for name, rows in json.loads(row.tables_json or "[]")],
        errors=[e for e in row.errors.splitlines() if e],
        warnings=[w for w in row.warnings.splitlines() if w],
    )


@dataclass
class DumpLog(Repository):
    """Dump runs, the state kept between restarts, and the audit trail."""

    def start(
        self,
        *,
        run_date: date,
        trigger: str,
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
                trigger=trigger,
                requested_by=requested_by,
                backend=backend,
                job_name=job_name,
                started_at=started_at,
                outcome="running",
                file_path=file_path,
                log_path=log_path,
                sha256="",
                tables_json="[]",
                errors="",
                warnings="",
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
        outcome: str,
        size_bytes: int | None,
        sha256: str,
        tables: list[tuple[str, int]],
        errors: list[str],
        warnings: list[str],
    ) -> None:
        with self._sessions.begin() as session:
            session.execute(
                update(DumpRun)
                .where(DumpRun.id == run_id)
                .values(
                    finished_at=finished_at,
                    outcome=outcome,
                    size_bytes=size_bytes,
                    sha256=sha256,
                    total_rows=sum(r for _, r in tables) if tables else None,
                    tables_json=json.dumps(tables),
                    errors="\n".join(errors),
                    warnings="\n".join(warnings),
                )
            )

    def mark_interrupted(self, at: datetime) -> list[DumpRecord]:
        """Runs still 'running' from a previous process: they died with it."""
        with self._sessions.begin() as session:
            rows = list(session.scalars(select(DumpRun).where(DumpRun.outcome == "running")))
            for row in rows:
                row.outcome, row.finished_at = "interrupted", at
                row.errors = (row.errors + "\nthe bot stopped while the dump was running").strip()
            session.flush()
            return [_record(row) for row in rows]

    def last_good(self, before_id: int | None = None) -> DumpRecord | None:
        with self._sessions() as session:
            query = select(DumpRun).where(DumpRun.outcome.in_(("success", "warning")))
            if before_id is not None:
                query = query.where(DumpRun.id < before_id)
            row = session.scalars(query.order_by(DumpRun.started_at.desc()).limit(1)).first()
            return None if row is None else _record(row)

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

    # --- state and audit --------------------------------------------------------------------

    def get_state(self, key: str) -> str | None:
        with self._sessions() as session:
            row = session.get(AppState, key)
            return None if row is None else row.value

    def set_state(self, key: str, value: str, at: datetime, by: int | None = None) -> None:
        with self._sessions.begin() as session:
            row = session.get(AppState, key)
            if row is None:
                session.add(AppState(key=key, value=value, updated_at=at, updated_by=by))
            else:
                row.value, row.updated_at, row.updated_by = value, at, by

    def audit(self, at: datetime, actor_id: int | None, action: str, detail: str) -> None:
        with self._sessions.begin() as session:
            session.add(AuditEvent(at=at, actor_id=actor_id, action=action, detail=detail))

    def audit_trail(self, limit: int = 50) -> list[tuple[int | None, str, str]]:
        with self._sessions() as session:
            rows = session.scalars(select(AuditEvent).order_by(AuditEvent.id.desc()).limit(limit))
            return [(row.actor_id, row.action, row.detail) for row in rows]


@dataclass(frozen=True)
class CopyRecord:
    id: int
    dump_run_id: int | None
    source_path: str
    dest_path: str
    disk_id: str
    disk_label: str
    trigger: str
    started_at: datetime
    finished_at: datetime | None
    outcome: str
    size_bytes: int | None
    sha256: str
    compressed: bool
    error: str


def _copy(row: ExternalCopy) -> CopyRecord:
    return CopyRecord(
        id=row.id,
        dump_run_id=row.dump_run_id,
        source_path=row.source_path,
        dest_path=row.dest_path,
        disk_id=row.disk_id,
        disk_label=row.disk_label,
        trigger=row.trigger,
        started_at=row.started_at,
        finished_at=row.finished_at,
        outcome=row.outcome,
        size_bytes=row.size_bytes,
        sha256=row.sha256,
        compressed=row.compressed,
        error=row.error,
    )


@dataclass(frozen=True)
class PrunedRecord:
    at: datetime
    location: str
    path: str
    size_bytes: int | None
    reason: str


@dataclass
class CopyLog(Repository):
    """Queries on copies to the external disk and on files removed by retention."""

    def start(
        self,
        *,
        dump_run_id: int | None,
        source_path: str,
        trigger: str,
        requested_by: int | None,
        started_at: datetime,
    ) -> int:
        with self._sessions.begin() as session:
            row = ExternalCopy(
                dump_run_id=dump_run_id,
                source_path=source_path,
                dest_path="",
                disk_id="",
                disk_label="",
                trigger=trigger,
                requested_by=requested_by,
                started_at=started_at,
                outcome="running",
                sha256="",
                compressed=False,
                error="",
            )
            session.add(row)
            session.flush()
            return row.id

    def finish(
        self,
        copy_id: int,
        *,
        finished_at: datetime,
        outcome: str,
        dest_path: str = "",
        disk_id: str = "",
        disk_label: str = "",
        size_bytes: int | None = None,
        sha256: str = "",
        compressed: bool = False,
        error: str = "",
    ) -> None:
        with self._sessions.begin() as session:
            session.execute(
                update(ExternalCopy)
                .where(ExternalCopy.id == copy_id)
                .values(
                    finished_at=finished_at,
                    outcome=outcome,
                    dest_path=dest_path,
                    disk_id=disk_id,
                    disk_label=disk_label,
                    size_bytes=size_bytes,
                    sha256=sha256,
                    compressed=compressed,
                    error=error,
                )
            )

    def mark_interrupted(self, at: datetime) -> list[CopyRecord]:
        with self._sessions.begin() as session:
            rows = list(
                session.scalars(select(ExternalCopy).where(ExternalCopy.outcome == "running"))
            )
            for row in rows:
                row.outcome, row.finished_at = "interrupted", at
                row.error = "the bot stopped while the copy was running"
            session.flush()
            return [_copy(row) for row in rows]

    def verified(self, disk_id: str | None = None) -> list[CopyRecord]:
        """Verified copies, newest first (on one disk if given)."""
        with self._sessions() as session:
            query = select(ExternalCopy).where(ExternalCopy.outcome == "verified")
            if disk_id is not None:
                query = query.where(ExternalCopy.disk_id == disk_id)
            rows = session.scalars(query.order_by(ExternalCopy.finished_at.desc()))
            return [_copy(row) for row in rows]

    def latest(self, limit: int = 10) -> list[CopyRecord]:
        with self._sessions() as session:
            rows = session.scalars(
                select(ExternalCopy).order_by(ExternalCopy.id.desc()).limit(limit)
            )
            return [_copy(row) for row in rows]

    def record_pruned(
        self, *, at: datetime, location: str, path: str, size_bytes: int | None, reason: str
    ) -> None:
        with self._sessions.begin() as session:
            session.add(
                PrunedFile(
                    at=at, location=location, path=path, size_bytes=size_bytes, reason=reason
                )
            )

    def pruned(self, limit: int = 20) -> list[PrunedRecord]:
        with self._sessions() as session:
            rows = session.scalars(select(PrunedFile).order_by(PrunedFile.id.desc()).limit(limit))
            return [PrunedRecord(r.at, r.location, r.path, r.size_bytes, r.reason) for r in rows]


@dataclass(frozen=True)
class OutboxItem:
    id: int
    chat_id: int
    text: str
    reply_markup: str
    ref: str
    attempts: int


@dataclass
class Outbox(Repository):
    """Queries on the outbox (see OutboxMessage)."""

    def add(self, *, chat_id: int, text: str, reply_markup: str, ref: str, at: datetime) -> int:
        with self._sessions.begin() as session:
            row = OutboxMessage(
                created_at=at,
                chat_id=chat_id,
                text=text,
                reply_markup=reply_markup,
                ref=ref,
                status="pending",
                attempts=0,
                last_error="",
            )
            session.add(row)
            session.flush()
            return row.id

    def pending(self, limit: int = 50) -> list[OutboxItem]:
        with self._sessions() as session:
            rows = session.scalars(
                select(OutboxMessage)
                .where(OutboxMessage.status == "pending")
                .order_by(OutboxMessage.id)
                .limit(limit)
            )
            return [
                OutboxItem(r.id, r.chat_id, r.text, r.reply_markup, r.ref, r.attempts) for r in rows
            ]

    def mark(
        self,
        item_id: int,
        *,
        status: str,
        at: datetime,
        error: str = "",
        message_id: int | None = None,
    ) -> None:
        with self._sessions.begin() as session:
            row = session.get(OutboxMessage, item_id)
            if row is None:
                return
            row.attempts += 1
            row.status, row.last_error = status, error[:500]
            if status == "sent":
                row.sent_at, row.message_id = at, message_id

    def counts(self) -> dict[str, int]:
        from sqlalchemy import func

        with self._sessions() as session:
            rows = session.execute(
                select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status)
            )
            return {status: count for status, count in rows}
