"""The office's queue of evidence for the central database (see CentralQueued)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, func, select, update

from storage.central.record import EvidenceRecord
from storage.models import CentralQueued
from storage.repository import Repository


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
        """The oldest records not yet delivered, in the order they were queued."""
        with self._sessions() as session:
            rows = session.scalars(
                select(CentralQueued)
                .where(CentralQueued.sent_at.is_(None))
                .order_by(CentralQueued.id)
                .limit(limit)
            )
            return [
                EvidenceRecord(
                    seq=r.id,
                    key=r.key,
                    kind=r.kind,
                    happened_at=r.happened_at,
                    ok=r.ok,
                    encrypted=r.encrypted,
                    detail=json.loads(r.detail),
                )
                for r in rows
            ]

    def mark_sent(self, seqs: list[int], at: datetime) -> None:
        with self._sessions.begin() as session:
            session.execute(
                update(CentralQueued).where(CentralQueued.id.in_(seqs)).values(sent_at=at)
            )

    def waiting(self) -> tuple[int, datetime | None]:
        """How many records wait, and since when the oldest was queued."""
        with self._sessions() as session:
            count, oldest = session.execute(
                select(func.count(), func.min(CentralQueued.queued_at)).where(
                    CentralQueued.sent_at.is_(None)
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
