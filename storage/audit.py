"""The audit trail: who changed what (the schedule, from chat), append-only."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from storage import chain
from storage.models import AuditEvent
from storage.repository import Repository


@dataclass
class AuditLog(Repository):
    def record(self, at: datetime, actor_id: int | None, action: str, detail: str) -> None:
        with self._sessions.begin() as session:
            row = AuditEvent(at=at, actor_id=actor_id, action=action, detail=detail)
            session.add(row)
            chain.record_row(session, row, at)

    def trail(self, limit: int = 50) -> list[tuple[int | None, str, str]]:
        with self._sessions() as session:
            rows = session.scalars(select(AuditEvent).order_by(AuditEvent.id.desc()).limit(limit))
            return [(row.actor_id, row.action, row.detail) for row in rows]

    def after(
        self, after_id: int, actions: Sequence[str], limit: int = 100
    ) -> list[tuple[int, datetime, str, str]]:
        """(id, at, action, detail) of events with one of `actions` recorded after `after_id`,
        in order: what the central database is told (a disk lost, a disk found)."""
        with self._sessions() as session:
            rows = session.execute(
                select(AuditEvent.id, AuditEvent.at, AuditEvent.action, AuditEvent.detail)
                .where(AuditEvent.id > after_id, AuditEvent.action.in_(list(actions)))
                .order_by(AuditEvent.id)
                .limit(limit)
            )
            return [(row.id, row.at, row.action, row.detail) for row in rows]
