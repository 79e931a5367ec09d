"""The restore drill in the chat: /ujipulih, its progress, and its report to the ADB and the
Kabid (a failed drill alerts both with what failed)."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from telegram import Bot, Update

import texts
from bot import delivery
from bot.command import Caller
from bot.context import Context, Services, services
from bot.handlers import respond
from bot.live import LiveMessage
from core.sop import Role
from jobs.drill.result import DrillResult
from jobs.external.disk import DiskError
from jobs.job import JobAlreadyRunning, JobStarted, Outcome, Progress

REPORTED_TO = [Role.ADB, Role.KABID]


@dataclass
class ChatDrillObserver:
    """Posts the drill's start to the ADB, edits it with the stage, then reports the verdict."""

    svc: Services
    bot: Bot
    _live: LiveMessage | None = None
    _header: str = ""

    async def job_started(self, started: JobStarted) -> None:
        requester = self.svc.name_of(started.requested_by) if started.requested_by else None
        self._header = texts.drill_started(started, requester)
        self._live = LiveMessage(self.svc, self.bot)
        await self._live.post([Role.ADB], self._header)

    async def job_progress(self, started: JobStarted, progress: Progress) -> None:
        if self._live is None:
            return
        if progress.state == "restore":
            text = texts.with_progress(self._header, progress)
        else:
            text = f"{self._header}\nProgres: {texts.drill_stage(progress.state)} …"
        await self._live.update(text)

    async def job_finished(self, started: JobStarted | None, result: DrillResult) -> None:
        report = texts.drill_report(result, self.svc.settings.tz)
        if self._live is not None:
            await self._live.finish(report)
        # A failure is news for the ADB too (an edited message makes no sound); a pass only
        # for the Kabid, the ADB's message having been edited into it.
        if result.outcome is Outcome.UNTESTABLE:  # a to-do for the ADB, not an alarm for the Kabid
            await delivery.to_roles(self.svc, self.bot, [Role.ADB], report)
            return
        to = [Role.KABID] if result.passed and self._live is not None else REPORTED_TO
        await delivery.to_roles(self.svc, self.bot, to, report)


async def ujipulih(update: Update, context: Context, caller: Caller) -> None:
    svc = services(context)
    if not svc.copier.configured:
        await respond(update, context, texts.NO_EXTERNAL_DISK)
        return
    try:  # the drill reads the copy on the disk itself: with the disk away, say to plug it in
        await asyncio.to_thread(svc.copier.check, writing=False)
    except DiskError as away:
        await respond(update, context, texts.drill_plug_in(away.problem))
        return
    try:
        svc.drill.launch("chat", caller.user_id)
    except JobAlreadyRunning as busy:
        await respond(update, context, texts.job_busy(busy))
        return
    await respond(update, context, texts.DRILL_ASKED)
