"""What every handler needs, kept in `application.bot_data` under one key."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from telegram.ext import CallbackContext, ExtBot

from bot import texts
from bot.command import Command
from bot.outbox import OutboxSender
from core.sop import Role
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
        return cls(**fields, names=runtime.log.user_names())

    def commands_for(self, roles: frozenset[Role]) -> list[Command]:
        return [command for command in self.commands if command.roles & roles]

    def describe_schedule(self) -> str:
        """One line on the daily dump schedule, for /status."""
        return texts.schedule_line(
            self.scheduler.backup_time.strftime("%H:%M"),
            self.settings.dump_name_pattern,
            self.scheduler.upcoming(self.clock.now()),
            self.settings.tz,
        )

    def short_schedule(self) -> str:
        """The schedule in a few words, for /status on a phone."""
        return texts.short_schedule_line(
            self.scheduler.backup_time.strftime("%H:%M"),
            self.scheduler.upcoming(self.clock.now()),
            self.settings.tz,
        )

    def name_of(self, user_id: int) -> str:
        return self.names.get(user_id, f"id {user_id}")


def services(context: Context) -> Services:
    found = context.bot_data[SERVICES_KEY]
    assert isinstance(found, Services)
    return found
