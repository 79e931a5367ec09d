"""The watchdog's voice in the chat (its checks run every minute as periodic work:
`bot/periodic.py`)."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from telegram import Bot
from telegram.error import TelegramError

import texts
from bot import delivery
from bot.context import Services
from bot.outbox import send_now
from core.problems import Problem
from core.sop import Role
from jobs.healthcheck import HealthcheckPinger
from jobs.watchdog import Summary
from storage.copies import CopyRecord
from storage.drills import DrillRecord
from storage.dumps import DumpRecord
from storage.soplog import InstructionRecord

log = logging.getLogger(__name__)

EVERYONE = [Role.KABID, Role.ADB, Role.KASI]


@dataclass
class ChatWatchdogNotifier:
    svc: Services
    bot: Bot

    async def _everyone(self, text: str) -> None:
        await delivery.to_roles(self.svc, self.bot, EVERYONE, text, also_group=text)

    async def missing_dump(self, due: datetime, last_good: DumpRecord | None) -> None:
        await self._everyone(texts.missing_dump_alert(due, last_good, self.svc.settings.tz))

    async def stale_external(self, last_copy: CopyRecord | None, max_age: timedelta) -> None:
        await self._everyone(
            texts.stale_external_alert(
                last_copy, max_age, self.svc.clock.now(), self.svc.settings.tz
            )
        )

    async def daily_summary(self, summary: Summary) -> None:
        await self._everyone(texts.daily_summary(summary, self.svc.settings.tz))

    async def unplug(self, label: str, copied_at: datetime) -> None:
        await delivery.to_roles(
            self.svc,
            self.bot,
            [Role.KASI],
            texts.unplug_reminder(label, copied_at, self.svc.settings.tz),
        )

    async def plugged_too_long(self, label: str, since: datetime) -> None:
        await delivery.to_roles(
            self.svc,
            self.bot,
            [Role.KABID],
            texts.plugged_too_long(label, since, self.svc.settings.tz),
        )

    async def breach_clock(self, label: str, deadline: datetime) -> None:
        await delivery.to_roles(
            self.svc,
            self.bot,
            [Role.KABID],
            texts.breach_reminder(label, deadline, self.svc.settings.tz),
        )

    async def drill_overdue(self, days: int, last_passed: DrillRecord | None) -> None:
        await self._everyone(texts.drill_overdue(days, last_passed, self.svc.settings.tz))

    async def database_unwritable(self, trouble: Problem) -> None:
        await DatabaseAlarm(self.svc, self.bot).raised(trouble)

    async def database_writable(self, merged: int) -> None:
        await DatabaseAlarm(self.svc, self.bot).cleared(merged)

    async def overdue(
        self, instruction: InstructionRecord, late_by: timedelta, first: bool
    ) -> None:
        await delivery.to_roles(
            self.svc,
            self.bot,
            [instruction.target_role],
            texts.overdue_reminder(instruction, late_by),
        )
        if first:
            await delivery.to_roles(
                self.svc, self.bot, [Role.KABID], texts.overdue_to_kabid(instruction, late_by)
            )


class DatabaseAlarm:
    """The log cannot be written, so the outbox cannot either: this goes straight to the ADB and
    the Kabid (and to HEALTHCHECK_URL), once per incident, and the all-clear likewise."""

    def __init__(self, svc: Services, bot: Bot) -> None:
        self.svc, self.bot = svc, bot

    async def raised(self, trouble: Problem) -> None:
        await self._direct(texts.database_alarm(trouble))
        if self.svc.settings.healthcheck_url:
            pinger = HealthcheckPinger(self.svc.settings.healthcheck_url)
            await pinger.ping("fail", trouble.english())

    async def cleared(self, merged: int) -> None:
        await self._direct(texts.database_back(merged))

    async def _direct(self, text: str) -> None:
        for chat_id in delivery.recipients(self.svc, [Role.ADB, Role.KABID]):
            try:
                await send_now(self.bot, chat_id, texts.fit(text))  # a long error is cut
            except TelegramError as exc:
                log.error("Could not alert chat %s about the database: %s", chat_id, exc)
