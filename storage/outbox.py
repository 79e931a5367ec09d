"""The outbox: every notification is written here before it is sent (see OutboxMessage)."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, func, select

from storage.models import OutboxMessage
from storage.repository import Repository


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

    def pending(self, limit: int = 50, skip_chats: Collection[int] = ()) -> list[OutboxItem]:
        """The oldest pending messages, except those to `skip_chats` (waiting out a 429)."""
        with self._sessions() as session:
            query = select(OutboxMessage).where(OutboxMessage.status == "pending")
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

    def prune(self, before: datetime) -> int:
        """Forget messages delivered (or refused for good) before `before`; pending ones stay.
        The outbox is a delivery queue, not the record: the SOP log keeps what happened."""
        with self._sessions.begin() as session:
            result = session.execute(
                delete(OutboxMessage).where(
                    OutboxMessage.status != "pending", OutboxMessage.created_at < before
                )
            )
            return int(getattr(result, "rowcount", 0) or 0)

    def counts(self) -> dict[str, int]:
        with self._sessions() as session:
            rows = session.execute(
                select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status)
            )
            return {status: count for status, count in rows}
