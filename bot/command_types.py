"""What a chat command is: its name, who may use it, its usage line, its menu text, its handler.

The table of every command is `bot/commands.py`; this module only holds the types, so that the
handlers, the guard and the services can name them without importing the table (the texts name
the protocol in `core/commandshape.py` instead, so that they do not import the bot).
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from core.sop import SOP_ROLES, Role

if TYPE_CHECKING:
    # Types only: the texts name these shapes, and `sopbot backup` prints texts without
    # loading python-telegram-bot (a quarter of a second at every start).
    from telegram import Update

    from bot.context import Context

# The office's own people: most commands are theirs. A supervisor (PUSAT) is not one of them: it
# sees /start, /bantuan and /kantor, not the office's staff or disks.
ALL_ROLES = frozenset(SOP_ROLES)
EVERY_ROLE = frozenset(Role)


@dataclass(frozen=True)
class Caller:
    """Who sent a command (or pressed a button) that the access guard let through."""

    user_id: int
    name: str
    roles: frozenset[Role]
    chat_id: int
    command: Command  # the command it counts as (a button counts as the command it stands for)


GuardedHandler = Callable[["Update", "Context", Caller], Coroutine[Any, Any, None]]


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
