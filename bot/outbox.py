"""Delivering notifications through the outbox: written to the database first, sent in order,
marked sent only once Telegram accepted them.

- Telegram unreachable or answering 5xx: the round stops at that message (order is kept) and is
  tried again with a growing pause (1 s up to a minute); the bot keeps working meanwhile.
- 429 Too Many Requests: wait the `retry_after` Telegram gave, then go on.
- The user blocked the bot or never started it: the message is marked undeliverable and the
  Kabid is told once per person.
- Any other refusal (malformed HTML, too long): the message is sent again as plain text, in as
  many parts as it needs, so nothing is lost. Only when that is refused too is it marked failed,
  and the Kabid is told what was lost (the waiting sender learns it from the `Delivery`).

A sent message whose acceptance was not recorded (a crash in between) is sent again after a
restart: delivery is at least once.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Literal

from sqlalchemy.exc import SQLAlchemyError
from telegram import Bot, InlineKeyboardMarkup, Message
from telegram.constants import ParseMode
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError

from core.clock import Clock
from storage.aio import AsyncLog, LogBusy
from storage.outbox import Outbox, OutboxItem
from storage.states import OutboxStatus
from texts.common import pages, plain, plain_pages

log = logging.getLogger(__name__)

MAX_PAUSE_SECONDS = 60.0
GROUP_MESSAGES_PER_MINUTE = 20  # Telegram's limit for a group
IDLE_RECHECK_SECONDS = 30.0
# What one attempt to send came to (not stored: the outbox's status is OutboxStatus).
Attempt = Literal["sent", "held", "refused", "outage"]
PERMANENT_BAD_REQUESTS = (
    "chat not found",
    "user not found",
    "bot was kicked",
    "have no rights",
    "chat_write_forbidden",
)


@dataclass(frozen=True)
class Delivery:
    chat_id: int
    message: Message | None
    error: str = ""  # Telegram's description when it was refused for good
    pending: bool = False  # kept in the outbox, to be delivered when Telegram answers

    @property
    def ok(self) -> bool:
        return self.message is not None


@dataclass(frozen=True)
class _Row:
    """One message as the outbox keeps it."""

    chat_id: int
    text: str
    reply_markup: str
    ref: str


SentHook = Callable[[OutboxItem, Message], Awaitable[None]]
RefusedHook = Callable[[OutboxItem, str], Awaitable[None]]
FailedHook = Callable[[OutboxItem, str], Awaitable[None]]


async def send_now(
    bot: Bot, chat_id: int, html_text: str, markup: InlineKeyboardMarkup | None = None
) -> Message:
    """Send one HTML message without the outbox; one Telegram refuses as HTML (other than for
    an unreachable person) goes again as plain text. Raises what the plain sending raised."""
    try:
        return await bot.send_message(
            chat_id, html_text, parse_mode=ParseMode.HTML, reply_markup=markup
        )
    except BadRequest as exc:
        if any(p in exc.message.lower() for p in PERMANENT_BAD_REQUESTS):
            raise
        log.warning("Telegram refused a message to chat %s (%s): as plain text", chat_id, exc)
    parts = plain_pages(plain(html_text))
    sent: Message | None = None
    for number, part in enumerate(parts, start=1):
        last = number == len(parts)
        sent = await bot.send_message(chat_id, part, reply_markup=markup if last else None)
    assert sent is not None  # plain_pages gives at least one part
    return sent


class OutboxSender:
    def __init__(
        self,
        outbox: Outbox,
        bot: Bot,
        clock: Clock,
        *,
        on_sent: SentHook | None = None,
        on_refused: RefusedHook | None = None,
        on_failed: FailedHook | None = None,
        first_pause: float = 1.0,
        db: AsyncLog | None = None,
    ) -> None:
        self.outbox, self.bot, self.clock = outbox, bot, clock
        self.db = db or AsyncLog()  # the outbox is in the log: reached off the loop
        self.on_sent, self.on_refused, self.on_failed = on_sent, on_refused, on_failed
        self.first_pause = first_pause
        self._pause = first_pause
        self._wake = asyncio.Event()
        self._waiters: dict[int, asyncio.Future[Delivery]] = {}
        self._waiter_chats: dict[int, int] = {}
        self._task: asyncio.Task[None] | None = None
        # Set at stop: the loops end by themselves even if a cancellation is lost on the way.
        self._stopping = False
        self._held_until: dict[int, float] = {}  # chat -> loop time it may be sent to again
        self._group_sends: dict[int, deque[float]] = {}  # group -> loop times of recent sends
        # True while Telegram cannot be reached: callers then do not wait for their message.
        self.outage = False

    def start(self) -> None:
        self._stopping = False
        self._task = asyncio.get_running_loop().create_task(self._run(), name="outbox")

    async def stop(self, flush_seconds: float = 0.0) -> None:
        """Stop sending; first give what is queued up to `flush_seconds` to go out (what does
        not stays in the outbox for the next start)."""
        if self._task is not None and not self.outage and flush_seconds > 0:
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(flush_seconds):
                    while await self.db.keep(self.outbox.pending, limit=1):
                        self._wake.set()
                        await asyncio.sleep(0.05)
        self._stopping = True
        self._wake.set()
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        self._release_waiters()

    def _release_waiters(self) -> None:
        """Nobody waits for a message that cannot go out now: it stays queued for later."""
        for item_id, chat_id in list(self._waiter_chats.items()):
            self._resolve(item_id, Delivery(chat_id, None, pending=True))

    @property
    def started(self) -> bool:
        """Between `start` and `stop`: messages go through the outbox."""
        return self._task is not None

    async def send(
        self,
        chat_id: int,
        text: str,
        markup: InlineKeyboardMarkup | None = None,
        ref: str = "",
        wait: float = 15.0,
    ) -> Delivery:
        """Queue a message and wait (up to `wait` s) for Telegram to accept or refuse it. A text
        over Telegram's limit goes as several messages, in order (the buttons under the last)."""
        parts = pages(text)
        rows = [
            _Row(
                chat_id,
                part,
                json.dumps(markup.to_dict()) if markup and number == len(parts) else "",
                ref if number == 1 else "",
            )
            for number, part in enumerate(parts, start=1)
        ]
        added = 0
        try:
            for row in rows:
                item_id = await self.db.run(self._add_row, row)
                added += 1
        except LogBusy as exc:  # another program holds the log: the answer must not wait
            return await self._send_past_busy_log(chat_id, parts[added:], markup, rows[added:], exc)
        except SQLAlchemyError as exc:  # the outbox is in the log that cannot be written
            log.error("Outbox not writable, sending to chat %s directly: %s", chat_id, exc)
            return await self._send_directly(chat_id, parts, markup)
        future: asyncio.Future[Delivery] = asyncio.get_running_loop().create_future()
        self._waiters[item_id] = future
        self._waiter_chats[item_id] = chat_id
        self._wake.set()
        if self.outage or self._task is None:  # a job must not stall on a queued message
            return Delivery(chat_id, None, pending=True)
        try:
            return await asyncio.wait_for(asyncio.shield(future), wait)
        except TimeoutError:
            return Delivery(chat_id, None, pending=True)

    async def _send_past_busy_log(
        self,
        chat_id: int,
        parts: list[str],
        markup: InlineKeyboardMarkup | None,
        rows: list[_Row],
        busy: LogBusy,
    ) -> Delivery:
        """Sent directly while the log is locked; what Telegram does not take now goes into the
        outbox once the log is free again (in the background), so nothing is lost."""
        log.warning("The log is busy, sending to chat %s directly: %s", chat_id, busy)
        delivery = await self._send_directly(chat_id, parts, markup)
        if delivery.ok:
            return delivery
        for row in rows:
            self.db.later(self._add_row, row)
        return Delivery(chat_id, None, pending=True)

    def _add_row(self, row: _Row) -> int:
        return self.outbox.add(
            chat_id=row.chat_id,
            text=row.text,
            reply_markup=row.reply_markup,
            ref=row.ref,
            at=self.clock.now(),
        )

    async def _send_directly(
        self, chat_id: int, parts: list[str], markup: InlineKeyboardMarkup | None
    ) -> Delivery:
        """Best effort, without the outbox's guarantee: better told now than not at all."""
        message: Message | None = None
        for number, part in enumerate(parts, start=1):
            try:
                message = await send_now(
                    self.bot, chat_id, part, markup if number == len(parts) else None
                )
            except TelegramError as exc:
                log.error("Could not send to chat %s either: %s", chat_id, exc)
                return Delivery(chat_id, None, str(exc))
        return Delivery(chat_id, message)

    async def _run(self) -> None:
        while not self._stopping:
            self._wake.clear()
            try:
                outage = await self.deliver_pending()
            except Exception:  # the log locked or unwritable a moment: the sender must live on
                log.exception("Outbox round failed; trying again")
                outage = True
            self.outage = outage
            if outage:
                self._release_waiters()
                await self._sleep(self._pause)
                self._pause = min(self._pause * 2, MAX_PAUSE_SECONDS)
            else:
                self._pause = self.first_pause
                await self._sleep(IDLE_RECHECK_SECONDS)

    async def _sleep(self, seconds: float) -> None:
        # asyncio.timeout, not wait_for: on Python 3.11 wait_for swallows a cancellation that
        # arrives as the event is set (stop() does both), and the sender then never stopped.
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(seconds):
                await self._wake.wait()

    async def deliver_pending(self) -> bool:
        """Send what is pending, oldest first, each chat in order; True when Telegram could not
        be reached. A chat Telegram asks to wait (429) waits alone: the others go on."""
        loop = asyncio.get_running_loop()
        while not self._stopping:
            now = loop.time()
            held = {chat for chat, until in self._held_until.items() if until > now}
            items = await self.db.keep(self.outbox.pending, skip_chats=held)
            if not items:
                if not held:
                    return False
                self._wake.clear()  # woken early by a new message, or when a chat may go on
                await self._sleep(min(self._held_until[c] for c in held) - now)
                continue
            for item in items:
                if item.chat_id in held:
                    continue  # a message of it was held back: keep that chat's order
                if self._group_full(item.chat_id, loop.time()):
                    held.add(item.chat_id)
                    continue
                result = await self._deliver(item)
                if result == "outage":
                    return True
                if result == "held":
                    held.add(item.chat_id)
        return False  # stopping: what is left goes out after the next start

    async def _deliver(self, item: OutboxItem) -> Attempt:
        markup = (
            InlineKeyboardMarkup.de_json(json.loads(item.reply_markup), self.bot)
            if item.reply_markup
            else None
        )
        while True:
            try:
                message = await self.bot.send_message(
                    item.chat_id, item.text, parse_mode=ParseMode.HTML, reply_markup=markup
                )
            except RetryAfter as exc:
                wait = exc.retry_after
                seconds = wait if isinstance(wait, int | float) else wait.total_seconds()
                log.info(
                    "Telegram asks to wait %s s before sending to chat %s", seconds, item.chat_id
                )
                self._held_until[item.chat_id] = asyncio.get_running_loop().time() + float(seconds)
                return "held"
            except Forbidden as exc:
                await self._refused(item, OutboxStatus.UNDELIVERABLE, exc.message)
                return "refused"
            except BadRequest as exc:
                if any(p in exc.message.lower() for p in PERMANENT_BAD_REQUESTS):
                    await self._refused(item, OutboxStatus.UNDELIVERABLE, exc.message)
                    return "refused"
                return await self._deliver_plain(item, markup, exc.message)
            except NetworkError as exc:  # unreachable, timed out, or 5xx
                log.warning(
                    "Telegram unreachable, message %s stays in the outbox: %s", item.id, exc.message
                )
                return "outage"
            except TelegramError as exc:
                await self._refused(item, OutboxStatus.FAILED, str(exc))
                return "refused"
            await self._sent(item, message)
            return "sent"

    async def _deliver_plain(
        self, item: OutboxItem, markup: InlineKeyboardMarkup | None, why: str
    ) -> Attempt:
        """A message Telegram refused as HTML, sent again as plain text: what people wrote
        arrives as they wrote it, split into parts where it is too long, the buttons under the
        last. Never un-escaped back into HTML."""
        log.warning(
            "Message %s to chat %s refused (%s): sending it as plain text",
            item.id,
            item.chat_id,
            why,
        )
        parts = plain_pages(plain(item.text))
        message: Message | None = None
        for number, part in enumerate(parts, start=1):
            try:
                message = await self.bot.send_message(
                    item.chat_id, part, reply_markup=markup if number == len(parts) else None
                )
            except RetryAfter as exc:  # the whole message again later, from its start
                wait = exc.retry_after
                seconds = wait if isinstance(wait, int | float) else wait.total_seconds()
                self._held_until[item.chat_id] = asyncio.get_running_loop().time() + float(seconds)
                return "held"
            except (BadRequest, Forbidden) as exc:  # BadRequest is a NetworkError in PTB
                await self._refused(
                    item, OutboxStatus.FAILED, f"{why}; as plain text: {exc.message}"
                )
                return "refused"
            except NetworkError as exc:
                log.warning("Telegram unreachable, message %s stays: %s", item.id, exc.message)
                return "outage"
            except TelegramError as exc:
                await self._refused(item, OutboxStatus.FAILED, f"{why}; as plain text: {exc}")
                return "refused"
        assert message is not None  # plain_pages gives at least one part
        await self._sent(item, message, note=f"sent as plain text: {why}")
        return "sent"

    async def _sent(self, item: OutboxItem, message: Message, note: str = "") -> None:
        # Whoever waits learns it at once: Telegram has it. Marking it is the outbox's own
        # bookkeeping, on a worker thread (unmarked after a crash: sent again, at least once).
        self._resolve(item.id, Delivery(item.chat_id, message))
        await self.db.keep(
            self.outbox.mark,
            item.id,
            status=OutboxStatus.SENT,
            at=self.clock.now(),
            message_id=message.message_id,
            error=note,
        )
        if self.on_sent is not None:
            await self.on_sent(item, message)

    def _group_full(self, chat_id: int, now: float) -> bool:
        """A group that had its 20 messages this minute waits (held) until one slot is free."""
        if chat_id >= 0:
            return False
        sends = self._group_sends.setdefault(chat_id, deque())
        while sends and now - sends[0] >= 60:
            sends.popleft()
        if len(sends) < GROUP_MESSAGES_PER_MINUTE:
            sends.append(now)
            return False
        self._held_until[chat_id] = sends[0] + 60
        return True

    async def _refused(self, item: OutboxItem, status: OutboxStatus, reason: str) -> None:
        log.warning("Message %s to chat %s %s: %s", item.id, item.chat_id, status, reason)
        await self.db.keep(
            self.outbox.mark, item.id, status=status, at=self.clock.now(), error=reason
        )
        self._resolve(item.id, Delivery(item.chat_id, None, reason))
        if self.on_refused is not None and status is OutboxStatus.UNDELIVERABLE:
            await self.on_refused(item, reason)
        if self.on_failed is not None and status is OutboxStatus.FAILED:
            await self.on_failed(item, reason)

    def _resolve(self, item_id: int, delivery: Delivery) -> None:
        self._waiter_chats.pop(item_id, None)
        future = self._waiters.pop(item_id, None)
        if future is not None and not future.done():
            future.set_result(delivery)
