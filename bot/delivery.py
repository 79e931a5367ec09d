"""Sending notifications to people by role and to the office group, through the outbox."""

from __future__ import annotations

import logging
from collections.abc import Iterable

from telegram import Bot, InlineKeyboardMarkup, Message
from telegram.error import BadRequest, Forbidden, TelegramError

import texts
from bot.arguments import display_name
from bot.context import Services
from bot.outbox import Delivery, FailedHook, RefusedHook, SentHook, send_now
from core.sop import Role
from storage.outbox import OutboxItem
from texts.common import pages

log = logging.getLogger(__name__)

__all__ = ["Delivery", "recipients", "send", "to_roles"]


async def send(
    svc: Services,
    bot: Bot,
    chat_id: int,
    text: str,
    markup: InlineKeyboardMarkup | None = None,
    ref: str = "",
) -> Delivery:
    """Send one HTML message through the outbox (directly only before it has started)."""
    if svc.sender is not None and svc.sender.started:
        return await svc.sender.send(chat_id, text, markup, ref)
    parts = pages(text)
    try:
        for number, part in enumerate(parts, start=1):
            message = await send_now(bot, chat_id, part, markup if number == len(parts) else None)
    except (Forbidden, BadRequest) as exc:
        log.warning("Telegram refused a message to chat %s: %s", chat_id, exc.message)
        return Delivery(chat_id, None, exc.message)
    except TelegramError as exc:
        log.error("Could not send a message to chat %s: %s", chat_id, exc)
        return Delivery(chat_id, None, str(exc))
    return Delivery(chat_id, message)


def recipients(svc: Services, roles: Iterable[Role]) -> list[int]:
    """Private chats of everyone holding one of `roles`, each once, in a stable order."""
    seen: dict[int, None] = {}
    for role in roles:
        for user_id in svc.roster.ids_of(role):
            seen.setdefault(user_id, None)
    return list(seen)


async def to_roles(
    svc: Services,
    bot: Bot,
    roles: Iterable[Role],
    text: str,
    markup: InlineKeyboardMarkup | None = None,
    *,
    also_group: str | None = None,
    ref: str = "",
) -> list[Delivery]:
    """Send `text` to every holder of `roles`; `also_group` (a text) goes to the office group."""
    deliveries = [
        await send(svc, bot, chat_id, text, markup, ref) for chat_id in recipients(svc, roles)
    ]
    group = svc.settings.notify_chat_id
    if also_group is not None and group is not None:
        deliveries.append(await send(svc, bot, group, also_group, ref=ref))
    return deliveries


def instruction_ref(instruction_id: int) -> str:
    return f"instruction:{instruction_id}"


LOST_REF = "lost"  # a notice of a lost message: its own loss starts no further notice


def outbox_hooks(svc: Services) -> tuple[SentHook, RefusedHook, FailedHook]:
    """What to do when the outbox delivers or gives up on a message."""

    async def on_sent(item: OutboxItem, message: Message) -> None:
        if item.ref.startswith("instruction:"):
            await svc.db.keep(
                svc.soplog.record_delivery,
                int(item.ref.split(":", 1)[1]),
                item.chat_id,
                message.message_id,
                svc.clock.now(),
            )
        name = display_name(message.chat.full_name or "")
        is_person = item.chat_id != svc.settings.notify_chat_id
        if is_person and name and svc.names.get(item.chat_id) != name:
            await svc.db.keep(svc.soplog.remember_user, item.chat_id, name, svc.clock.now())
            svc.names[item.chat_id] = name

    async def on_refused(item: OutboxItem, reason: str) -> None:
        """Tell the Kabid once per person that the bot cannot reach them."""
        key = f"undeliverable_told:{item.chat_id}"
        if await svc.db.keep(svc.state.get, key) is not None:
            return
        await svc.db.keep(svc.state.set, key, reason, svc.clock.now())
        note = texts.undeliverable(svc.name_of(item.chat_id), reason)
        for kabid in svc.roster.ids_of(Role.KABID):
            if kabid != item.chat_id:
                await svc.db.keep(
                    svc.outbox.add,
                    chat_id=kabid,
                    text=note,
                    reply_markup="",
                    ref="",
                    at=svc.clock.now(),
                )

    async def on_failed(item: OutboxItem, reason: str) -> None:
        """A message refused even as plain text is lost: every Kabid is told what it was and for
        whom (the one it was meant for too: this notice is short and plain)."""
        log.error("Message %s to chat %s lost: %s", item.id, item.chat_id, reason)
        if item.ref == LOST_REF:
            return
        note = texts.message_lost(_recipient(svc, item.chat_id), texts.plain(item.text))
        for kabid in svc.roster.ids_of(Role.KABID):
            await svc.db.keep(
                svc.outbox.add,
                chat_id=kabid,
                text=note,
                reply_markup="",
                ref=LOST_REF,
                at=svc.clock.now(),
            )

    return on_sent, on_refused, on_failed


def _recipient(svc: Services, chat_id: int) -> str:
    return texts.GROUP_NAME if chat_id == svc.settings.notify_chat_id else svc.name_of(chat_id)
