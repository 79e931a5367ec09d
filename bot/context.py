"""What every handler needs, kept in `application.bot_data` under one key."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from telegram.ext import CallbackContext, ExtBot

from bot import texts
from bot.outbox import OutboxSender
from jobs.dump.service import DumpService
from jobs.external.service import CopyService
from jobs.schedule import BackupScheduler
from jobs.watchdog import Watchdog
from sopbot.clock import Clock, office_date
from sopbot.settings import Settings
from storage.dumplog import CopyLog, DumpLog, Outbox
from storage.soplog import SopLog

SERVICES_KEY = "services"

Context = CallbackContext[ExtBot[None], dict[Any, Any], dict[Any, Any], dict[Any, Any]]


@dataclass
class Services:
    settings: Settings
    log: SopLog
    clock: Clock
    dumplog: DumpLog
    dump: DumpService
    scheduler: BackupScheduler
    copylog: CopyLog
    copier: CopyService
    outbox: Outbox
    # Display names of known users, mirrored from the database to save a query per update.
    names: dict[int, str] = field(default_factory=dict)
    watchdog: Watchdog | None = None  # created at start-up, once the bot can speak
    run_watch_loop: bool = True  # tests turn the minute loop off and call tick() themselves
    watch_task: asyncio.Task[None] | None = None
    sender: OutboxSender | None = None  # started with the bot; sends every notification

    def today(self) -> date:
        return office_date(self.clock.now(), self.settings.tz)

    def describe_schedule(self) -> str:
        """One line on the daily dump schedule, for /status."""
        return texts.schedule_line(
            self.scheduler.backup_time.strftime("%H:%M"),
            self.settings.dump_name_pattern,
            self.scheduler.upcoming(self.clock.now()),
            self.settings.tz,
        )

    def name_of(self, user_id: int) -> str:
        return self.names.get(user_id, f"id {user_id}")


def services(context: Context) -> Services:
    found = context.bot_data[SERVICES_KEY]
    assert isinstance(found, Services)
    return found
