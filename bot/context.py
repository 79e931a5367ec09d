"""The bot's services: one frozen container, built once by `build_application` (called from
`sopbot.compose.build_app`, the composition root) and handed to every handler through PTB's
`ContextTypes`: `services(context)` is `context.bot_data.services`, typed, never looked up by
key."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from telegram import Bot
from telegram.ext import CallbackContext, ExtBot

import texts
from bot.arguments import display_name
from bot.command_types import Command
from bot.outbox import OutboxSender
from core.sop import Role
from jobs.dump.service import dump_file_name
from jobs.periodic import Periodic
from jobs.runtime import Runtime
from jobs.watchdog import Watchdog

if TYPE_CHECKING:
    from bot.central import CentralReporter


class BotData:
    """The application's `bot_data`: the services, bound once when the application is built."""

    def __init__(self) -> None:
        self._services: Services | None = None

    def bind(self, services: Services) -> None:
        if self._services is not None:
            raise RuntimeError("the services are bound once, when the application is built")
        self._services = services

    @property
    def services(self) -> Services:
        if self._services is None:
            raise RuntimeError("the application was not built by build_application")
        return self._services


Context = CallbackContext[ExtBot[None], dict[Any, Any], dict[Any, Any], BotData]


@dataclass
class Running:
    """The background tasks the bot starts and stops while it runs (not services: state)."""

    periodic: Periodic | None = None  # the periodic work (bot/periodic.py), while it runs
    drill_after_copy: asyncio.Task[None] | None = None  # the drill, then the unplug request


@dataclass(frozen=True)
class Services(Runtime):
    """The shared runtime plus what only the chat needs. Frozen: nothing is swapped after the
    build. The outbox sender, the watchdog and the central reporter speak through these services,
    so they are made from them, once, in `__post_init__`."""

    bot: Bot | None = None  # None: no chat (the command line's reports only)
    commands: tuple[Command, ...] = ()  # the command table, for /bantuan
    watch_loop: bool = True  # tests turn the minute loop off and call tick() themselves
    # Display names of known users, mirrored from the database to save a query per update.
    names: dict[int, str] = field(default_factory=dict)
    # (user, chat) -> when a stranger was last refused there
    refused_at: dict[tuple[int, int], datetime] = field(default_factory=dict)
    running: Running = field(default_factory=Running)
    # Made from these services (each speaks through them) when there is a chat; None without.
    sender: OutboxSender | None = field(init=False)  # sends every notification, once started
    watchdog: Watchdog | None = field(init=False)
    central: CentralReporter | None = field(init=False)  # reporting or serving /kantor

    def __post_init__(self) -> None:
        # A frozen dataclass sets its derived fields this way, once.
        bot = self.bot
        sender, watchdog, reporter = self._chat_parts(bot) if bot is not None else (None,) * 3
        object.__setattr__(self, "sender", sender)
        object.__setattr__(self, "watchdog", watchdog)
        object.__setattr__(self, "central", reporter)

    def _chat_parts(self, bot: Bot) -> tuple[OutboxSender, Watchdog, CentralReporter | None]:
        from bot import central, delivery, watch  # they speak through Services

        on_sent, on_refused, on_failed = delivery.outbox_hooks(self)
        sender = OutboxSender(
            self.outbox,
            bot,
            self.clock,
            on_sent=on_sent,
            on_refused=on_refused,
            on_failed=on_failed,
            db=self.db,
        )
        watchdog = Watchdog(
            self.settings,
            self.dumplog,
            self.copylog,
            self.soplog,
            self.dump,
            self.copier,
            self.clock,
            watch.ChatWatchdogNotifier(self, bot),
            self.state,
            backup_time=lambda: self.scheduler.backup_time,
            drilllog=self.drilllog,
            outbox=self.outbox,
            drilling=lambda: self.drill.busy,
            evidence=self.evidence,
            db=self.db,
        )
        return sender, watchdog, central.reporter_for(self, bot)

    @classmethod
    def from_runtime(
        cls,
        runtime: Runtime,
        bot: Bot | None = None,
        commands: tuple[Command, ...] = (),
        *,
        watch_loop: bool = True,
    ) -> Services:
        fields = {name: getattr(runtime, name) for name in Runtime.__dataclass_fields__}
        names = {
            user_id: display_name(name) for user_id, name in runtime.soplog.user_names().items()
        }
        return cls(**fields, bot=bot, commands=commands, watch_loop=watch_loop, names=names)

    def commands_for(self, roles: frozenset[Role]) -> list[Command]:
        return [command for command in self.commands if command.roles & roles]

    def describe_schedule(self) -> str:
        """One line on the daily dump schedule, for /status."""
        upcoming = self.scheduler.upcoming(self.clock.now())
        return texts.schedule_line(
            self.scheduler.backup_time.strftime("%H:%M"),
            self.next_file_name(upcoming),
            upcoming,
            self.settings.tz,
        )

    def next_file_name(self, upcoming: datetime | None) -> str:
        """The real name the next dump gets (a reader cannot read "%Y%m%d")."""
        pattern = self.settings.dump_name_pattern
        return dump_file_name(pattern, upcoming, self.settings.tz) if upcoming else pattern

    def short_schedule(self) -> str:
        """The schedule in a few words, for /status on a phone."""
        return texts.short_schedule_line(
            self.scheduler.backup_time.strftime("%H:%M"),
            self.scheduler.upcoming(self.clock.now()),
            self.settings.tz,
        )

    def name_of(self, user_id: int) -> str:
        """A person as the bot shows them to others: their roles and the name the Kabid gave
        them, else their Telegram display name (one line, bounded), else their id. A display
        name alone could claim anything ("Kadek (Kabid)")."""
        name = self.roster.given_name(user_id) or self.names.get(user_id) or f"id {user_id}"
        return texts.person_label(self.roster.roles_of(user_id), name)

    def kabid_names(self) -> list[str]:
        return [self.name_of(kabid) for kabid in self.roster.ids_of(Role.KABID)]

    @property
    def shown_names(self) -> Mapping[int, str]:
        """`name_of` for every id, for the texts that take a mapping of names."""
        return ShownNames(self)


@dataclass(frozen=True)
class ShownNames(Mapping[int, str]):
    svc: Services

    def __getitem__(self, user_id: int) -> str:
        return self.svc.name_of(user_id)

    def __iter__(self) -> Iterator[int]:
        return iter(self.svc.names)

    def __len__(self) -> int:
        return len(self.svc.names)


def services(context: Context) -> Services:
    return context.bot_data.services
