"""A message that follows a running job: posted once, edited in place as the job goes on.

Edits are best effort (an outage or Telegram's limits may skip one; the next carries the news).
Whoever did not receive the first version because Telegram was unreachable gets the final
version as a new message instead, so the outcome always arrives.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import ClassVar, Generic, TypeVar

from telegram import Bot, Message
from telegram.constants import ParseMode
from telegram.error import BadRequest, RetryAfter, TelegramError

from bot import delivery
from bot.context import Services
from core.sop import Role
from jobs.job import JobResult, JobStarted, Progress
from texts.backup import with_progress
from texts.common import fit

log = logging.getLogger(__name__)

R = TypeVar("R", bound=JobResult)


@dataclass
class LiveMessage:
    svc: Services
    bot: Bot
    _posted: list[Message] = field(default_factory=list)
    _waiting: list[int] = field(default_factory=list)  # chats whose first version is queued
    _text: str = ""

    async def post(self, roles: Iterable[Role], text: str, *, group: bool = True) -> None:
        self._text = text
        sent = await delivery.to_roles(
            self.svc, self.bot, roles, text, also_group=text if group else None
        )
        self._posted = [d.message for d in sent if d.message is not None]
        self._waiting = [d.chat_id for d in sent if d.pending]

    async def update(self, text: str) -> list[int]:
        """Edit every posted copy (best effort); the chats whose copy could not be edited."""
        text = fit(text)
        if text == self._text:
            return []
        self._text = text
        missed: list[int] = []
        for message in self._posted:
            if not await self._edit(message, text):
                missed.append(message.chat_id)
        return missed

    async def _edit(self, message: Message, text: str) -> bool:
        try:
            await self.bot.edit_message_text(
                text,
                chat_id=message.chat_id,
                message_id=message.message_id,
                parse_mode=ParseMode.HTML,
            )
        except RetryAfter as exc:
            log.info("Edit of a live message throttled for %s", exc.retry_after)
            return False
        except BadRequest as exc:
            if "not modified" in exc.message:
                return True
            log.warning("Could not edit a live message: %s", exc.message)
            return False
        except TelegramError as exc:
            log.warning("Could not edit a live message: %s", exc)
            return False
        return True

    async def finish(self, text: str) -> None:
        """The final version reaches everyone: an edit where it works, otherwise a new message
        through the outbox (kept until Telegram takes it), so no one's last view is a stale
        percentage."""
        missed = await self.update(text) if fit(text) != self._text else []
        for chat_id in [*self._waiting, *missed]:
            await delivery.send(self.svc, self.bot, chat_id, text)
        self._posted, self._waiting = [], []


@dataclass
class ChatJobObserver(Generic[R]):
    """A job in the chat: its start posted once to `to` (and the group), edited with its
    progress, and the result written into that message. A job's observer says only its words
    (`header`, `progress_text`) and what follows the result (`job_finished`, calling `finish`)."""

    svc: Services
    bot: Bot
    to: ClassVar[tuple[Role, ...]] = (Role.ADB,)
    _live: LiveMessage | None = None
    _header: str = ""

    def header(self, started: JobStarted, requester: str | None) -> str:
        raise NotImplementedError

    def progress_text(self, progress: Progress) -> str:
        return with_progress(self._header, progress)

    async def job_started(self, started: JobStarted) -> None:
        requester = self.svc.name_of(started.requested_by) if started.requested_by else None
        self._header = self.header(started, requester)
        self._live = LiveMessage(self.svc, self.bot)
        await self._live.post(self.to, self._header)

    async def job_progress(self, started: JobStarted, progress: Progress) -> None:
        if self._live is not None:
            await self._live.update(self.progress_text(progress))

    async def finish(self, text: str) -> bool:
        """Write the result into the live message; False when there was none (the job ended
        before it started: whatever is said is a new message)."""
        if self._live is None:
            return False
        await self._live.finish(text)
        return True

    async def job_finished(self, started: JobStarted | None, result: R) -> None:
        raise NotImplementedError
