"""What a chat command is: its name, who may use it, its usage line, its menu text, its handler.

The table of every command is `bot/commands.py`; this module only holds the shapes, so that the
handlers and the texts can name them without importing the table.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from telegram import Update

from core.sop import Role

if TYPE_CHECKING:
    from bot.context import Context

ALL_ROLES = frozenset(Role)


@dataclass(frozen=True)
class Caller:
    """Who sent a command (or pressed a button) that the access guard let through."""

    user_id: int
    name: str
    roles: frozenset[Role]
    chat_id: int
    command: Command  # the command it counts as (a button counts as the command it stands for)


GuardedHandler = Callable[[Update, "Context", Caller], Coroutine[Any, Any, None]]


@dataclass(frozen=True)
class Command:
    name: str
    roles: frozenset[Role]
    usage: str
    description: str  # Indonesian, shown in Telegram's menu and /bantuan
    handler: GuardedHandler


@dataclass(frozen=True)
class Button:
    """An inline button: callback data starting with `prefix`, allowed like `command`."""

    prefix: str
    command: str
    handler: GuardedHandler
