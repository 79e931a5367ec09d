"""The watchdog's voice in the chat, and the loop that runs it every minute."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from telegram import Bot

from bot import delivery, texts
from bot.context import Services
from core.sop import Role
from jobs.watchdog import Summary, Watchdog
from storage.copies import CopyRecord
from storage.dumps import DumpRecord
from storage.soplog import InstructionRecord

log = logging.getLogger(__name__)

TICK_SECONDS = 60.0
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


async def watch_forever(watchdog: Watchdog, every: float = TICK_SECONDS) -> None:
    while True:
        await watchdog.tick()
        await asyncio.sleep(every)


def start_watch(watchdog: Watchdog) -> asyncio.Task[None]:
    return asyncio.get_running_loop().create_task(watch_forever(watchdog), name="watchdog")


async def stop_watch(task: asyncio.Task[None] | None) -> None:
    if task is not None:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
