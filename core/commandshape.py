"""What the words need to know of a chat command: its name, who may use it, its usage line, its
menu text. The table of commands (`bot/commands.py`) holds `bot.command_types.Command`s, which
have this shape; the text package names the shape so that it does not import the bot."""

from __future__ import annotations

from typing import Protocol

from core.sop import Role


class CommandShape(Protocol):
    @property
    def name(self) -> str: ...

    @property
    def roles(self) -> frozenset[Role]: ...

    @property
    def usage(self) -> str: ...

    @property
    def description(self) -> str: ...
