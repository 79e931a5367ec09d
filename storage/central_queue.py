"""The office's queue of evidence for the central database (see CentralQueued)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, func, select, update

from storage.central.record import EvidenceRecord
from storage.models import CentralQueued
from storage.repository import Repository


@dataclass(frozen=True)
class SetAside:
    """A record the central database refused for good: which, and why."""

    key: str
    kind: str
    at: datetime
    reason: str


def _record(row: CentralQueued) -> EvidenceRecord:
    return EvidenceRecord(
        seq=row.id,
        key=row.key,
        kind=row.kind,
        happened_at=row.happened_at,
        ok=row.ok,
        encrypted=row.encrypted,
        detail=json.loads(row.detail),
    )


@dataclass
class CentralQueue(Repository):
    def add(self, record: EvidenceRecord, at: datetime) -> bool:
        """Queue `record` unless its key is queued already (collecting twice is harmless)."""
        with self._sessions.begin() as session:
            if session.scalar(select(CentralQueued.id).where(CentralQueued.key == record.key)):
                return False
            session.add(
                CentralQueued(
                    key=record.key,
                    kind=record.kind,
                    happened_at=record.happened_at,
                    ok=record.ok,
                    encrypted=record.encrypted,
                    detail=json.dumps(record.detail, ensure_ascii=False, sort_keys=True),
                    queued_at=at,
                )
            )
            return True

    def pending(self, limit: int = 200) -> list[EvidenceRecord]:
        """The oldest records not yet delivered, in the order they were queued (those set aside
        are not in the way)."""
        with self._sessions() as session:
            rows = session.scalars(
                select(CentralQueued)
                .where(CentralQueued.sent_at.is_(None), CentralQueued.set_aside_at.is_(None))
                .order_by(CentralQueued.id)
                .limit(limit)
            )
            return [_record(r) for r in rows]

    def set_aside(self, seq: int, reason: str, at: datetime) -> None:
        """The central database will not store this record: keep it, out of the queue's way."""
        with self._sessions.begin() as session:
            session.execute(
                update(CentralQueued)
                .where(CentralQueued.id == seq)
                .values(set_aside_at=at, set_aside_reason=reason[:300])
            )

    def set_aside_before(self, before: datetime, limit: int = 20) -> list[EvidenceRecord]:
        """Records set aside before `before` and still undelivered: to try again."""
        with self._sessions() as session:
            rows = session.scalars(
                select(CentralQueued)
                .where(CentralQueued.sent_at.is_(None), CentralQueued.set_aside_at < before)
                .order_by(CentralQueued.id)
                .limit(limit)
            )
            return [_record(r) for r in rows]

    def kept_aside(self) -> list[SetAside]:
        """Every record set aside and not delivered since, oldest first."""
        with self._sessions() as session:
            rows = session.execute(
                select(
                    CentralQueued.key,
                    CentralQueued.kind,
                    CentralQueued.set_aside_at,
                    CentralQueued.set_aside_reason,
                )
                .where(CentralQueued.sent_at.is_(None), CentralQueued.set_aside_at.is_not(None))
                .order_by(CentralQueued.id)
            ).all()
            return [SetAside(r.key, r.kind, r.set_aside_at, r.set_aside_reason) for r in rows]

    def mark_sent(self, seqs: list[int], at: datetime) -> None:
        with self._sessions.begin() as session:
            session.execute(
                update(CentralQueued)
                .where(CentralQueued.id.in_(seqs))
                .values(sent_at=at, set_aside_at=None)
            )

    def waiting(self) -> tuple[int, datetime | None]:
        """How many records wait, and since when the oldest was queued (those set aside are
        counted by kept_aside, not here: they do not wait for the link)."""
        with self._sessions() as session:
            count, oldest = session.execute(
                select(func.count(), func.min(CentralQueued.queued_at)).where(
                    CentralQueued.sent_at.is_(None), CentralQueued.set_aside_at.is_(None)
                )
            ).one()
            return int(count), oldest

    def last_sent(self) -> datetime | None:
        with self._sessions() as session:
            return session.scalar(select(func.max(CentralQueued.sent_at)))

    def prune(self, before: datetime) -> int:
        """Forget records delivered before `before`; undelivered ones are never touched."""
        with self._sessions.begin() as session:
            result = session.execute(
                delete(CentralQueued).where(
                    CentralQueued.sent_at.is_not(None), CentralQueued.sent_at < before
                )
            )
            return int(getattr(result, "rowcount", 0) or 0)
