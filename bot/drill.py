"""The restore drill in the chat: /ujipulih, its progress, and its report to the ADB and the
Kabid (a failed drill alerts both with what failed)."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from telegram import Update

import texts
from bot import delivery
from bot.command_types import Caller
from bot.context import Context, services
from bot.handlers import respond
from bot.live import ChatJobObserver
from core.sop import Role
from jobs.drill.result import DrillResult, DrillStage
from jobs.external.disk import DiskError
from jobs.job import JobAlreadyRunning, JobStarted, Outcome, Progress, Trigger

REPORTED_TO = [Role.ADB, Role.KABID]


@dataclass
class ChatDrillObserver(ChatJobObserver[DrillResult]):
    """Posts the drill's start to the ADB, edits it with the stage, then reports the verdict."""

    def header(self, started: JobStarted, requester: str | None) -> str:
        return texts.drill_started(started, requester)

    def progress_text(self, progress: Progress) -> str:
        if progress.state == DrillStage.RESTORE:
            return super().progress_text(progress)
        return f"{self._header}\nProgres: {texts.drill_stage(progress.state)} …"

    async def job_finished(self, started: JobStarted | None, result: DrillResult) -> None:
        report = texts.drill_report(result, self.svc.settings.tz)
        live = await self.finish(report)
        # A failure is news for the ADB too (an edited message makes no sound); a pass only
        # for the Kabid, the ADB's message having been edited into it.
        if result.outcome is Outcome.UNTESTABLE:  # a to-do for the ADB, not an alarm for the Kabid
            await delivery.to_roles(self.svc, self.bot, [Role.ADB], report)
            return
        to = [Role.KABID] if result.passed and live else REPORTED_TO
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
        svc.drill.launch(Trigger.CHAT, caller.user_id)
    except JobAlreadyRunning as busy:
        await respond(update, context, texts.job_busy(busy))
        return
    await respond(update, context, texts.DRILL_ASKED)
