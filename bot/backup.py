"""The dump in the chat: /backup, /jadwal, and the messages a running dump sends and edits."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from datetime import time

from telegram import Update

import texts
from bot import delivery
from bot.arguments import UsageError, split_command
from bot.command_types import Caller
from bot.context import Context, services
from bot.handlers import instruct_kasi_button, respond
from bot.live import ChatJobObserver
from core.sop import Role
from jobs.dump.result import DumpResult
from jobs.job import JobAlreadyRunning, JobStarted, Trigger
from jobs.schedule import BACKUP_TIME_KEY

log = logging.getLogger(__name__)

# /jadwal shows the schedule to everyone; only these roles may change it.
SCHEDULE_CHANGERS = frozenset({Role.ADB, Role.KABID})


@dataclass
class ChatDumpObserver(ChatJobObserver[DumpResult]):
    """Posts a dump's start, edits that one message with progress, then reports the result."""

    def header(self, started: JobStarted, requester: str | None) -> str:
        return texts.dump_started(
            started.subject.name, started.backend, started.trigger, started.late_by, requester
        )

    async def job_finished(self, started: JobStarted | None, result: DumpResult) -> None:
        tz = self.svc.settings.tz
        await self.finish(texts.dump_report(result, tz, with_button=False))
        if result.ok:
            button = instruct_kasi_button()
            await delivery.to_roles(
                self.svc,
                self.bot,
                [Role.KABID],
                texts.dump_report(result, tz, with_button=True),
                button,
            )
        else:
            alert = texts.dump_failed_alert(result)
            await delivery.to_roles(
                self.svc, self.bot, [Role.KABID, Role.ADB, Role.KASI], alert, also_group=alert
            )


async def backup(update: Update, context: Context, caller: Caller) -> None:
    svc = services(context)
    try:
        svc.dump.launch(Trigger.CHAT, caller.user_id)
    except JobAlreadyRunning as busy:
        await respond(update, context, texts.job_busy(busy))
        return
    log.info("Dump requested from chat by %s", caller.user_id)


_TIME = re.compile(r"^([01]?\d|2[0-3])[:.]([0-5]\d)$")


def parse_time(rest: str) -> time:
    match = _TIME.match(rest.strip())
    if not match:
        raise UsageError("Jam harus berformat JJ:MM, misalnya 01:30.")
    return time(int(match[1]), int(match[2]))


async def jadwal(update: Update, context: Context, caller: Caller) -> None:
    svc = services(context)
    scheduler = svc.scheduler
    rest = split_command(update.effective_message.text or "") if update.effective_message else ""
    can_change = bool(caller.roles & SCHEDULE_CHANGERS)
    settings = svc.settings
    if rest:
        if not can_change:
            await respond(update, context, texts.SCHEDULE_NOT_ALLOWED)
            return
        try:
            new = parse_time(rest)
        except UsageError as error:
            await respond(update, context, texts.usage(caller.command, str(error)))
            return
        old = scheduler.backup_time.strftime("%H:%M")
        await svc.db.run(scheduler.reschedule, new)  # the job store is in the log
        now = svc.clock.now()
        await svc.db.run(svc.state.set, BACKUP_TIME_KEY, new.strftime("%H:%M"), now, caller.user_id)
        await svc.db.run(
            svc.audit.record,
            now,
            caller.user_id,
            "schedule_changed",
            f"{old} -> {new.strftime('%H:%M')}",
        )
        note = texts.schedule_changed(old, new.strftime("%H:%M"), caller.name)
        await delivery.to_roles(svc, context.bot, [Role.KABID, Role.ADB], note, also_group=note)
        return
    upcoming = scheduler.upcoming(svc.clock.now())
    await respond(
        update,
        context,
        texts.schedule_view(
            scheduler.backup_time.strftime("%H:%M"),
            settings.dump_name_pattern,
            upcoming,
            settings.tz,
            settings.dump_backend,
            can_change,
            next_file=svc.next_file_name(upcoming) if upcoming else "",
        ),
    )
