"""What every handler needs, kept in `application.bot_data` under one key."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from telegram.ext import CallbackContext, ExtBot

import texts
from bot.arguments import display_name
from bot.command import Command
from bot.outbox import OutboxSender
from core.sop import Role
from jobs.dump.service import dump_file_name
from jobs.runtime import Runtime
from jobs.watchdog import Watchdog

SERVICES_KEY = "services"

Context = CallbackContext[ExtBot[None], dict[Any, Any], dict[Any, Any], dict[Any, Any]]


@dataclass
class Services(Runtime):
    """The shared runtime plus what only the chat needs."""

    # Display names of known users, mirrored from the database to save a query per update.
    names: dict[int, str] = field(default_factory=dict)
    watchdog: Watchdog | None = None  # created at start-up, once the bot can speak
    run_watch_loop: bool = True  # tests turn the minute loop off and call tick() themselves
    watch_task: asyncio.Task[None] | None = None
    central_task: asyncio.Task[None] | None = None  # the link to the central database
    drill_after_copy: asyncio.Task[None] | None = None  # the drill, then the unplug request
    central: Any = None  # bot.central.CentralReporter, when reporting or serving /kantor
    sender: OutboxSender | None = None  # started with the bot; sends every notification
    commands: tuple[Command, ...] = ()  # the command table, for /bantuan
    # (user, chat) -> when a stranger was last refused there
    refused_at: dict[tuple[int, int], datetime] = field(default_factory=dict)

    @classmethod
    def from_runtime(cls, runtime: Runtime) -> Services:
        if isinstance(runtime, Services):
            return runtime
        fields = {name: getattr(runtime, name) for name in Runtime.__dataclass_fields__}
        names = {user_id: display_name(name) for user_id, name in runtime.log.user_names().items()}
        return cls(**fields, names=names)

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
    found = context.bot_data[SERVICES_KEY]
    assert isinstance(found, Services)
    return found
