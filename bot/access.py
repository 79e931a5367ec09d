"""The one place that decides who may run a command, from which chat.

People are identified by their numeric Telegram id, never by username. A refused attempt gets
a polite answer in Indonesian, is written to the log and the database, and changes nothing.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable, Coroutine
from datetime import timedelta
from typing import Any

from sqlalchemy.exc import SQLAlchemyError
from telegram import Update
from telegram.constants import ChatType, ParseMode

import texts
from bot.arguments import display_name
from bot.command_types import Caller, Command, GuardedHandler
from bot.context import Context, Services, services

log = logging.getLogger(__name__)


Handler = Callable[[Update, Context], Coroutine[Any, Any, None]]


def _chat_allowed(svc: Services, user_id: int, chat_id: int) -> bool:
    return chat_id == user_id or (
        svc.settings.notify_chat_id is not None and chat_id == svc.settings.notify_chat_id
    )


def _remember(svc: Services, user_id: int, name: str) -> None:
    """Keep a role holder's Telegram display name (one line, bounded)."""
    if svc.names.get(user_id) != name:
        svc.names[user_id] = name
        # In the background: a name is a courtesy that must not hold /status (a busy log is
        # retried until it lands; an unwritable one is logged by the face).
        svc.db.later(svc.soplog.remember_user, user_id, name, svc.clock.now())


REFUSAL_QUIET = timedelta(minutes=1)  # a stranger: one refusal (reply and row) a minute


def quiet(svc: Services, user_id: int, chat_id: int) -> bool:
    """True when this user was refused in this chat less than a minute ago: a flood gets no
    more answers and writes no more rows (it would slow the bot and fill the database)."""
    now, refused, key = svc.clock.now(), svc.refused_at, (user_id, chat_id)
    last = refused.get(key)
    if last is not None and now - last < REFUSAL_QUIET:
        return True
    if len(refused) > 10_000:  # many strangers: forget the old ones
        refused.clear()
    refused[key] = now
    return False


async def _refuse(update: Update, svc: Services, command: Command, reason: str, text: str) -> None:
    user = update.effective_user
    chat = update.effective_chat
    log.warning(
        "Refused /%s from user %s in chat %s: %s",
        command.name,
        user.id if user else None,
        chat.id if chat else None,
        reason,
    )
    await _record_denial(svc, user.id if user else None, chat.id if chat else None, command, reason)
    if update.callback_query is not None:
        await update.callback_query.answer(texts.plain(text)[:200], show_alert=True)
    elif update.effective_message is not None:
        await update.effective_message.reply_text(text, parse_mode=ParseMode.HTML)


async def _record_denial(
    svc: Services, user_id: int | None, chat_id: int | None, command: Command, reason: str
) -> None:
    # The refusal stands at once; its row lands now, or once a busy log takes it.
    try:
        await svc.db.soon(
            svc.soplog.log_denial,
            at=svc.clock.now(),
            user_id=user_id,
            chat_id=chat_id,
            command=command.name,
            reason=reason,
        )
    except SQLAlchemyError as exc:  # the refusal stands; its row is lost, the log says why
        log.error("Could not record a refusal: %s", exc)


def guard(command: Command, handler: GuardedHandler) -> Handler:
    """`handler`, run only for a caller whose roles may use `command`, in an allowed chat."""

    @functools.wraps(handler)
    async def guarded(update: Update, context: Context) -> None:
        svc = services(context)
        user, chat = update.effective_user, update.effective_chat
        if user is None or chat is None:
            return
        roles = svc.roster.roles_of(user.id)
        if chat.type != ChatType.PRIVATE and chat.id != svc.settings.notify_chat_id:
            # A group the office does not use: the bot says nothing there at all.
            if not quiet(svc, user.id, chat.id):
                log.warning(
                    "Ignored /%s in foreign group %s from %s", command.name, chat.id, user.id
                )
                await _record_denial(svc, user.id, chat.id, command, "foreign_group")
            return
        if not roles:
            if not quiet(svc, user.id, chat.id):  # a stranger's flood: one answer a minute
                await _refuse(
                    update, svc, command, "stranger", texts.stranger(user.id, svc.kabid_names())
                )
            return
        if not _chat_allowed(svc, user.id, chat.id):
            await _refuse(update, svc, command, "wrong_chat", texts.WRONG_CHAT)
            return
        _remember(svc, user.id, display_name(user.full_name))
        # Shown to others by role and the name the Kabid gave, not by a self-chosen name.
        caller = Caller(user.id, svc.name_of(user.id), roles, chat.id, command)
        if not roles & command.roles:
            await _refuse(update, svc, command, "wrong_role", texts.wrong_role(command, roles))
            return
        await handler(update, context, caller)

    return guarded
