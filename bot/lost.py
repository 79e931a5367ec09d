"""A lost disk in the chat: /hilang asks to confirm with a button, then takes the disk out of
evidence and (for plain copies) starts the UU 27/2022 notice; /ketemu brings a found disk back
after a full verification, and stops the notice's reminders with a recorded reason."""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
import re
from datetime import timedelta

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, InputFile, Update
from telegram.error import TelegramError

import texts
from bot import delivery
from bot.arguments import UsageError, parse_found, split_command
from bot.command_types import Caller
from bot.context import Context, Services, services
from bot.handlers import command_rest, respond
from core.problems import Code, Problem, problem
from core.sop import Role
from jobs.external.disk import DiskError
from jobs.external.keys import KeyFileError, office_identities
from jobs.external.lost import BREACH_CANCELLED, FOUND, LOST, event_detail, verify_found
from jobs.periodic import Marks
from jobs.watchdog import BREACH_NOTICE, BREACH_REMINDER
from storage.disks import DiskRecord
from texts.problems import say

log = logging.getLogger(__name__)

LOST_BUTTON = "hilang:"  # hilang:ya:<disk token>:<asked at, epoch seconds> | hilang:batal
CONFIRM_FOR = timedelta(minutes=30)  # an old confirmation is not pressed by mistake a week later
_CONFIRM = re.compile(r"hilang:ya:([0-9a-f]{16}):([0-9]{1,12})")
BREACH_KEY = "breach:"  # + disk id: the notice clock runs while this holds a time


def _token(disk_id: str) -> str:
    """The disk in the button's data: ids come from a file on the disk (any text), the data
    Telegram carries is 64 bytes at most, and a short hash fits and says nothing."""
    return hashlib.sha256(disk_id.encode("utf-8")).hexdigest()[:16]


def _everyone() -> list[Role]:
    return [Role.KABID, Role.KASI, Role.ADB]


async def hilang(update: Update, context: Context, caller: Caller) -> None:
    """/hilang <label>: what the disk holds, and a button to confirm it is lost."""
    svc = services(context)
    label = split_command(update.effective_message.text or "") if update.effective_message else ""
    disk = await svc.db.run(svc.disks.by_label, label) if label else None
    if disk is None:
        known = ", ".join(d.label for d in await svc.db.run(svc.disks.all) if d.in_service) or "-"
        await respond(update, context, texts.unknown_disk(label, known, caller.command))
        return
    if disk.lost_at is not None:
        await respond(
            update, context, texts.already_lost(disk.label, disk.lost_at, svc.settings.tz)
        )
        return
    asked = int(svc.clock.now().timestamp())
    buttons = InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    texts.CONFIRM_LOST_BUTTON,
                    callback_data=f"{LOST_BUTTON}ya:{_token(disk.id)}:{asked}",
                ),
                InlineKeyboardButton(texts.CANCEL_LOST_BUTTON, callback_data=f"{LOST_BUTTON}batal"),
            ]
        ]
    )
    copies = await svc.db.run(svc.copylog.verified, disk.id)
    await respond(update, context, texts.confirm_lost(disk.label, copies), buttons)


async def hilang_button(update: Update, context: Context, caller: Caller) -> None:
    """The confirmation: only data this bot could have made, for a disk still in service, and
    not older than CONFIRM_FOR; anything else is an expired button and changes nothing."""
    svc = services(context)
    query = update.callback_query
    data = (query.data if query else None) or ""
    if data == f"{LOST_BUTTON}batal":
        await _drop_buttons(update)
        await respond(update, context, texts.LOST_CANCELLED)
        return
    match = _CONFIRM.fullmatch(data)
    age = svc.clock.now().timestamp() - int(match[2]) if match else None  # seconds, no overflow
    disk = next(
        (d for d in await svc.db.run(svc.disks.all) if match and _token(d.id) == match[1]), None
    )
    fresh = age is not None and -60 <= age <= CONFIRM_FOR.total_seconds()
    if disk is None or not fresh:
        log.warning("Lost-disk button refused from %s: %r", caller.user_id, data[:64])
        if query is not None:
            with contextlib.suppress(TelegramError):
                await query.answer(texts.BUTTON_EXPIRED, show_alert=True)
        return
    await _drop_buttons(update)
    if disk.lost_at is not None:  # pressed twice, or by two people
        await respond(
            update, context, texts.already_lost(disk.label, disk.lost_at, svc.settings.tz)
        )
        return
    await _record_lost(update, context, caller, disk)


async def _drop_buttons(update: Update) -> None:
    query = update.callback_query
    if query is not None and query.message is not None:
        with contextlib.suppress(TelegramError):
            await query.edit_message_reply_markup(None)


async def _record_lost(update: Update, context: Context, caller: Caller, disk: DiskRecord) -> None:
    """Record the loss, say what was on the disk; for plain copies start the notice clock and
    draft the notice."""
    svc = services(context)
    now, tz = svc.clock.now(), svc.settings.tz
    if not await svc.db.run(svc.disks.lost, disk.id, now):  # confirmed by someone else a moment ago
        return
    await svc.db.run(svc.audit.record, now, caller.user_id, LOST, event_detail(disk))
    copies = await svc.db.run(svc.copylog.verified, disk.id)
    deadline = now + BREACH_NOTICE
    report = texts.disk_lost_report(disk.label, copies, caller.name, deadline, tz)
    log.warning("Disk %s reported lost by %s (%d copies)", disk.label, caller.user_id, len(copies))
    await delivery.to_roles(svc, context.bot, _everyone(), report)
    if not any(not c.encrypted for c in copies):
        return
    await svc.db.run(svc.state.set, f"{BREACH_KEY}{disk.id}", now.isoformat(), now, caller.user_id)
    # The next reminder in 12 h.
    await svc.db.run(lambda: Marks(svc.state).set(BREACH_REMINDER.at(disk.id), now))
    encrypting = svc.settings.external_encryption == "age"
    draft = texts.breach_notice_draft(disk.label, copies, now, deadline, tz, encrypting=encrypting)
    for chat_id in delivery.recipients(svc, [Role.KABID]):
        try:
            await context.bot.send_document(
                chat_id,
                InputFile(draft.encode("utf-8"), filename=f"draf-pemberitahuan-{disk.id}.txt"),
                caption="Draf pemberitahuan UU 27/2022 (lengkapi, tanda tangani, kirim)",
            )
        except TelegramError as exc:  # the draft as text then, through the outbox
            log.error("Could not send the notice draft to %s: %s", chat_id, exc)
            await delivery.send(svc, context.bot, chat_id, f"<pre>{texts.escape(draft)}</pre>")


async def ketemu(update: Update, context: Context, caller: Caller) -> None:
    """/ketemu <label> <alasan>: the lost disk, plugged in, is verified in full; only if every
    copy the log holds on it is intact does it come back (and the notice clock stop)."""
    svc = services(context)
    try:
        label, reason = parse_found(command_rest(update))
    except UsageError as error:
        await respond(update, context, texts.usage(caller.command, str(error)))
        return
    wanted = label.casefold()
    lost = [
        d
        for d in await svc.db.run(svc.disks.all)
        if not d.in_service and d.label.casefold() == wanted
    ]
    disk = (
        lost[0] if lost else await svc.db.run(svc.disks.by_label, label)
    )  # a lost one first: it is the one
    if disk is None:
        known = (
            ", ".join(d.label for d in await svc.db.run(svc.disks.all) if not d.in_service) or "-"
        )
        await respond(update, context, texts.unknown_disk(label, known, caller.command))
        return
    if disk.lost_at is None:
        await respond(update, context, texts.not_lost(disk.label))
        return
    try:
        plugged = await svc.copier.check_off_loop(writing=False, lost_ok=True)
    except DiskError as trouble:
        await respond(update, context, texts.plug_in_found(disk.label, say(trouble.problem)))
        return
    if plugged.identity.id != disk.id:
        other = plugged.identity.label
        await respond(update, context, texts.another_disk_plugged(disk.label, other))
        return
    try:
        identities = office_identities(svc.settings.external_age_identity_file)
    except KeyFileError as bad_key:
        await respond(update, context, texts.key_problem(bad_key.problem))
        return
    await respond(update, context, texts.found_checking(disk.label))
    check = await asyncio.to_thread(verify_found, plugged, svc.copylog, identities)
    if check.report.key_wrong:
        await respond(update, context, texts.key_problem(_key_wrong(svc, check.report.key_wrong)))
        return
    now = svc.clock.now()
    await svc.db.run(svc.copylog.record_checks, disk.id, check.results, now)
    if not check.ok:
        log.warning("Disk %s found but not verified: stays out of service", disk.label)
        await respond(update, context, texts.found_refused(disk.label, check))
        return
    if not await svc.db.run(
        svc.disks.found, disk.id, now
    ):  # brought back by another /ketemu meanwhile
        return
    await svc.db.run(svc.audit.record, now, caller.user_id, FOUND, event_detail(disk, reason))
    cancelled = bool(await svc.db.run(svc.state.get, f"{BREACH_KEY}{disk.id}"))
    if cancelled:
        await svc.db.run(svc.state.set, f"{BREACH_KEY}{disk.id}", "", now, caller.user_id)
        await svc.db.run(
            svc.audit.record, now, caller.user_id, BREACH_CANCELLED, event_detail(disk, reason)
        )
    log.warning("Disk %s found and verified by %s: back in service", disk.label, caller.user_id)
    text = texts.found_report(disk.label, caller.name, reason, check, cancelled)
    await delivery.to_roles(svc, context.bot, _everyone(), text)


def _key_wrong(svc: Services, count: int) -> Problem:
    path = svc.settings.external_age_identity_file
    return problem(Code.KEY_WRONG, path=str(path or "-"), count=count)
