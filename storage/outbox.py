"""The outbox: every notification is written here before it is sent (see OutboxMessage)."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, func, select

from storage.models import OutboxMessage
from storage.repository import Repository
from storage.states import OutboxStatus


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
                status=OutboxStatus.PENDING.stored(),
                attempts=0,
                last_error="",
            )
            session.add(row)
            session.flush()
            return row.id

    def pending(self, limit: int = 50, skip_chats: Collection[int] = ()) -> list[OutboxItem]:
        """The oldest pending messages, except those to `skip_chats` (waiting out a 429)."""
        with self._sessions() as session:
            query = select(OutboxMessage).where(
                OutboxMessage.status == OutboxStatus.PENDING.stored()
            )
            if skip_chats:
                query = query.where(OutboxMessage.chat_id.not_in(list(skip_chats)))
            rows = session.scalars(query.order_by(OutboxMessage.id).limit(limit))
            return [
                OutboxItem(r.id, r.chat_id, r.text, r.reply_markup, r.ref, r.attempts) for r in rows
            ]

    def mark(
        self,
        item_id: int,
        *,
        status: OutboxStatus,
        at: datetime,
        error: str = "",
        message_id: int | None = None,
    ) -> None:
        with self._sessions.begin() as session:
            row = session.get(OutboxMessage, item_id)
            if row is None:
                return
            row.attempts += 1
            row.status, row.last_error = OutboxStatus.write(status), error[:500]
            if status == OutboxStatus.SENT:
                row.sent_at, row.message_id = at, message_id

    def prune(self, before: datetime) -> int:
        """Forget messages delivered (or refused for good) before `before`; pending ones stay.
        The outbox is a delivery queue, not the record: the SOP log keeps what happened."""
        with self._sessions.begin() as session:
            result = session.execute(
                delete(OutboxMessage).where(
                    OutboxMessage.status != OutboxStatus.PENDING.stored(),
                    OutboxMessage.created_at < before,
                )
            )
            return int(getattr(result, "rowcount", 0) or 0)

    def counts(self) -> dict[OutboxStatus, int]:
        """Messages by status (a status this version does not know counts as UNKNOWN)."""
        found: dict[OutboxStatus, int] = {}
        with self._sessions() as session:
            rows = session.execute(
                select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status)
            )
            for stored, count in rows:
                status = OutboxStatus.read(stored)
                found[status] = found.get(status, 0) + count
        return found
