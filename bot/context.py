"""What every handler needs, kept in `application.bot_data` under one key."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from telegram.ext import CallbackContext, ExtBot

from sopbot.clock import Clock, office_date
from sopbot.settings import Settings
from storage.soplog import SopLog

SERVICES_KEY = "services"

Context = CallbackContext[ExtBot[None], dict[Any, Any], dict[Any, Any], dict[Any, Any]]


@dataclass
class Services:
    settings: Settings
    log: SopLog
    clock: Clock
    # Display names of known users, mirrored from the database to save a query per update.
    names: dict[int, str] = field(default_factory=dict)
    # One line describing the daily backup schedule, for /status (set by the scheduler).
    describe_schedule: Callable[[], str] = lambda: "jadwal back up otomatis belum diatur"

    def today(self) -> date:
        return office_date(self.clock.now(), self.settings.tz)

    def name_of(self, user_id: int) -> str:
        return self.names.get(user_id, f"id {user_id}")


def services(context: Context) -> Services:
    found = context.bot_data[SERVICES_KEY]
    assert isinstance(found, Services)
    return found
