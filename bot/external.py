"""The external copy in the chat: /salin, /daftar, /verifikasi, and the copy's messages (a lost
disk: `bot/lost.py`)."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass

from telegram import Bot, Update

import texts
from bot import delivery
from bot.arguments import UsageError, parse_page
from bot.command_types import Caller
from bot.context import Context, Services, services
from bot.handlers import command_rest, report_closed, respond
from bot.live import ChatJobObserver
from core.problems import Code, problem
from core.sop import Role
from jobs.external.custody import rotation
from jobs.external.disk import Disk, DiskError
from jobs.external.evidence import Evidence, copy_evidence
from jobs.external.keys import KeyFileError, office_identities
from jobs.external.listing import VerifyReport, list_disk, recorded_sizes, verify_disk
from jobs.external.service import CopyResult
from jobs.job import JobAlreadyRunning, JobStarted, Outcome, Trigger

log = logging.getLogger(__name__)

# Disk trouble only the ADB can fix (settings, registration, permissions) goes to the ADB, not to
# the Kasi, whose part is to plug in the right disk with room on it.
ADB_FIXES = {
    Code.DISK_NOT_CONFIGURED: Role.ADB,
    Code.DISK_NOT_SEPARATE: Role.ADB,
    Code.DISK_NO_IDENTITY: Role.ADB,
    Code.DISK_WRONG: Role.ADB,
    Code.DISK_READ_ONLY: Role.ADB,
    Code.DISK_BAD_IDENTITY: Role.ADB,
    Code.DISK_UNSAFE_FOLDER: Role.ADB,
}


@dataclass
class ChatCopyObserver(ChatJobObserver[CopyResult]):
    """Posts the copy's start, edits it with progress, then tells the Kasi and the Kabid."""

    to = (Role.KASI,)

    def header(self, started: JobStarted, requester: str | None) -> str:
        return texts.copy_started(
            started.subject.name, started.size or 0, started.trigger, requester
        )

    async def job_finished(self, started: JobStarted | None, result: CopyResult) -> None:
        svc, tz = self.svc, self.svc.settings.tz
        if result.outcome is Outcome.NOTHING:
            return
        if started is None:  # the disk stopped it before it started: new messages
            trouble = result.disk_problem
            actor = ADB_FIXES.get(trouble.code, Role.KASI) if trouble else Role.KASI
            text = texts.copy_disk_problem(result)
            sent = await delivery.to_roles(svc, self.bot, [actor, Role.KABID], text)
            asker = result.requested_by
            if asker is not None and asker not in {d.chat_id for d in sent}:
                await delivery.send(svc, self.bot, asker, text)  # who asked is answered too
            return
        if result.verified:
            turns = await svc.db.run(rotation, svc.disks, svc.copylog)
            next_label = turns[0].disk.label if len(turns) > 1 else None
            text = texts.copy_done(result, tz, next_label)
        elif result.outcome is Outcome.INTERRUPTED:
            text = texts.copy_stopped(result)
        else:
            text = texts.copy_failed(result)
        await self.finish(text)
        if result.verified:
            closed = result.closed_instructions
            # The disk is still plugged in: the drill due reads it now, before the unplug request.
            drilling = await asyncio.to_thread(svc.drill.due_after_copy)
            await delivery.to_roles(
                svc, self.bot, [Role.KASI], texts.copy_recorded([i.id for i in closed], drilling)
            )
            if drilling:
                svc.running.drill_after_copy = asyncio.get_running_loop().create_task(
                    drill_then_unplug(svc, self.bot)
                )
            await delivery.to_roles(svc, self.bot, [Role.KABID], text)
            found = await svc.db.run(copy_evidence, svc.dumplog, svc.copylog)
            evidence = found if isinstance(found, Evidence) else None
            requester = started.requested_by if started else None
            closer = svc.name_of(requester) if requester else "bot"
            for instruction in closed:
                await report_closed(svc, self.bot, instruction, closer, evidence)
        else:
            await delivery.to_roles(svc, self.bot, [Role.KABID, Role.ADB], text)


async def drill_then_unplug(svc: Services, bot: Bot) -> None:
    """The drill after a verified copy (its own progress message to the ADB), then the unplug
    request to the Kasi, whatever the drill's verdict."""
    try:
        await svc.drill.run(Trigger.COPY)
    except JobAlreadyRunning:
        log.info("A drill is already running; it reads the disk before the unplug request")
        await svc.drill.wait_idle()
    except Exception:  # the unplug request must still come
        log.exception("The drill after the copy could not run")
    await delivery.to_roles(svc, bot, [Role.KASI], texts.UNPLUG_AFTER_DRILL)


async def _start_copy(update: Update, context: Context, caller: Caller, trigger: Trigger) -> None:
    svc = services(context)
    if not svc.copier.configured:
        await respond(update, context, texts.NO_EXTERNAL_DISK)
        return
    try:
        task = svc.copier.launch(trigger, caller.user_id)
    except JobAlreadyRunning as busy:
        await respond(update, context, texts.job_busy(busy))
        return
    if update.callback_query is not None:
        await update.callback_query.answer()

    def tell_if_nothing(done: asyncio.Task[CopyResult]) -> None:
        if (
            not done.cancelled()
            and done.exception() is None
            and done.result().outcome is Outcome.NOTHING
        ):
            context.application.create_task(respond(update, context, texts.NOTHING_TO_COPY))

    task.add_done_callback(tell_if_nothing)


async def salin(update: Update, context: Context, caller: Caller) -> None:
    await _start_copy(update, context, caller, Trigger.CHAT)


async def salin_button(update: Update, context: Context, caller: Caller) -> None:
    await _start_copy(update, context, caller, Trigger.INSTRUCTION)


async def _readable_disk(update: Update, context: Context) -> Disk | None:
    svc = services(context)
    """The external disk if it can be read; otherwise say why in the chat."""
    if not svc.copier.configured:
        await respond(update, context, texts.NO_EXTERNAL_DISK)
        return None
    try:
        return await svc.copier.check_off_loop(writing=False)
    except DiskError as problem:
        await respond(update, context, texts.disk_problem_only(problem.problem))
        return None


async def daftar(update: Update, context: Context, caller: Caller) -> None:
    """/daftar [halaman]: one page of the files on the disk (newest first), the totals about the
    whole disk. The log is asked only about the page's files, however long the history."""
    svc = services(context)
    try:
        page = parse_page(command_rest(update))
    except UsageError as error:
        await respond(update, context, texts.usage(caller.command, str(error)))
        return
    disk = await _readable_disk(update, context)
    if disk is None:
        return
    listing = await asyncio.to_thread(list_disk, disk, svc.copylog, page)
    if page > listing.pages:
        problem = texts.no_such_page(listing.pages)
        await respond(update, context, texts.usage(caller.command, problem))
        return
    text = texts.disk_listing(listing, await svc.db.run(svc.copylog.pruned), svc.settings.tz)
    turns = texts.disk_rotation(await svc.db.run(rotation, svc.disks, svc.copylog), svc.settings.tz)
    await respond(update, context, f"{text}\n\n{turns}" if turns else text)


async def verifikasi(update: Update, context: Context, caller: Caller) -> None:
    svc = services(context)
    disk = await _readable_disk(update, context)
    if disk is None:
        return
    key_file = svc.settings.external_age_identity_file
    try:  # a key that cannot be used is said before any copy is judged with it
        identities = await asyncio.to_thread(office_identities, key_file)
    except KeyFileError as bad_key:
        await respond(update, context, texts.key_problem(bad_key.problem))
        return
    await respond(update, context, "🔎 Memeriksa ulang semua file di hard disk eksternal …")

    def check_every_file() -> VerifyReport:
        limits = recorded_sizes(disk, svc.copylog, svc.dumplog)
        return verify_disk(disk, None, identities, limits)

    report = await asyncio.to_thread(check_every_file)
    if report.key_wrong:  # a key problem is never a copy problem: no copy's record is touched
        log.warning("Disk %s: the office key opens none of its copies", disk.identity.id)
        wrong = problem(Code.KEY_WRONG, path=str(key_file), count=report.key_wrong)
        await respond(update, context, texts.key_problem(wrong))
        return
    await svc.db.run(svc.copylog.record_checks, disk.identity.id, report.results(), svc.clock.now())
    log.info(
        "Disk %s verified by %s: %d good, %d bad, %d missing",
        disk.identity.id,
        caller.user_id,
        len(report.good),
        len(report.mismatched),
        len(report.missing),
    )
    await respond(update, context, texts.verify_report(report, disk.identity.label))
