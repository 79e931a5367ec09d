"""Sending messages to people by role and to the office group, reporting who got them."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass

from telegram import Bot, InlineKeyboardMarkup, Message
from telegram.constants import ParseMode
from telegram.error import BadRequest, Forbidden, TelegramError

from bot.context import Services
from sopbot.sop import Role

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Delivery:
    chat_id: int
    message: Message | None
    error: str = ""  # Telegram's description when it was not delivered

    @property
    def ok(self) -> bool:
        return self.message is not None


async def send(
    bot: Bot, chat_id: int, text: str, markup: InlineKeyboardMarkup | None = None
) -> Delivery:
    """Send one HTML message; a refusal by Telegram becomes a Delivery with an error."""
    try:
        message = await bot.send_message(
            chat_id, text, parse_mode=ParseMode.HTML, reply_markup=markup
        )
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
        for user_id in svc.settings.ids_of(role):
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
) -> list[Delivery]:
    """Send `text` to every holder of `roles`; `also_group` (a text) goes to the office group."""
    deliveries = [await send(bot, chat_id, text, markup) for chat_id in recipients(svc, roles)]
    group = svc.settings.notify_chat_id
    if also_group is not None and group is not None:
        deliveries.append(await send(bot, group, also_group))
    return deliveries
