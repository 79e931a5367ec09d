"""Chat commands and button presses of the SOP flow: /instruksi → /selesai, /status, /riwayat."""

from __future__ import annotations

import contextlib
import logging
from datetime import datetime, time, timedelta
from pathlib import Path

from sqlalchemy.exc import DBAPIError, SQLAlchemyError, StatementError
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.constants import ParseMode
from telegram.error import TelegramError

import texts
from bot import delivery
from bot.access import quiet
from bot.arguments import UsageError, parse_days, parse_done, parse_instruction, split_command
from bot.command_types import Caller
from bot.context import Context, Services, services
from core.problems import Code, Problem, problem
from core.sop import ASSIGNMENTS, Role
from core.timing import Timeliness
from jobs.external.evidence import Evidence, copy_evidence
from jobs.external.service import evidence_note
from jobs.watchdog import describe_database_error
from storage.aio import LogBusy
from storage.soplog import CloseError, DayStatus, InstructionRecord
from storage.states import InstructionStatus

log = logging.getLogger(__name__)

DONE_BUTTON = "selesai:"  # callback data: selesai:<instruction id>
INSTRUCT_BUTTON = "instruksi:"  # callback data: instruksi:<role>
COPY_BUTTON = "salin:"  # callback data: salin:<instruction id>, starts the external copy


def instruct_kasi_button() -> InlineKeyboardMarkup:
    """Under a report to the Kabid: one press gives SOP step 10."""
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    "📋 Tugaskan Kasi (langkah 10)",
                    callback_data=f"{INSTRUCT_BUTTON}{Role.KASI.value}",
                )
            ]
        ]
    )


async def respond(
    update: Update,
    context: Context,
    text: str,
    markup: InlineKeyboardMarkup | None = None,
) -> None:
    """Answer in the chat the command or button press came from, through the outbox: a reply
    that Telegram does not take at once (an outage just after the command) is not lost."""
    query = update.callback_query
    if query is not None:
        with contextlib.suppress(TelegramError):  # only stops the button's spinner
            await query.answer()
    chat = update.effective_chat
    if chat is not None:
        await delivery.send(services(context), context.bot, chat.id, text, markup)


def command_rest(update: Update) -> str:
    """The text after the command word of the message being handled."""
    message = update.effective_message
    return split_command(message.text or "") if message else ""


async def _usage(update: Update, context: Context, caller: Caller, error: UsageError) -> None:
    await respond(update, context, texts.usage(caller.command, str(error)))


# --- /start, /bantuan -------------------------------------------------------------------------


async def start(update: Update, context: Context, caller: Caller) -> None:
    await respond(
        update,
        context,
        texts.welcome(caller.name, caller.roles, services(context).commands_for(caller.roles)),
    )


async def bantuan(update: Update, context: Context, caller: Caller) -> None:
    commands = services(context).commands_for(caller.roles)
    await respond(
        update, context, texts.welcome(caller.name, caller.roles, commands) + texts.sop_steps()
    )


# --- /instruksi (SOP steps 1 and 10) ----------------------------------------------------------


async def instruksi(update: Update, context: Context, caller: Caller) -> None:
    try:
        args = parse_instruction(command_rest(update))
    except UsageError as error:
        await _usage(update, context, caller, error)
        return
    await _issue(update, context, caller, args.target, args.note)


async def instruksi_button(update: Update, context: Context, caller: Caller) -> None:
    data = update.callback_query.data if update.callback_query else None
    target = {f"{INSTRUCT_BUTTON}{r.value}": r for r in ASSIGNMENTS}.get(data or "")
    if target is None:
        await _expired(update)
        return
    svc = services(context)
    given = [
        i
        for i in await svc.db.run(svc.soplog.open_instructions, [target])
        if i.run_date == svc.today()
    ]
    if given:  # a second press of the same button gives no second instruction
        await respond(update, context, texts.already_instructed(given[-1]))
        return
    await _issue(update, context, caller, target, "")


async def _issue(update: Update, context: Context, caller: Caller, target: Role, note: str) -> None:
    svc = services(context)
    today = svc.today()
    record = await svc.db.run(
        svc.soplog.issue_instruction,
        run_date=today,
        target=target,
        issued_by=caller.user_id,
        note=note,
        at=svc.clock.now(),
        day_start=datetime.combine(today, time(0), svc.settings.tz),
    )
    log.info("Instruction #%s to %s issued by %s", record.id, target.value, caller.user_id)
    if ASSIGNMENTS[target].needs_evidence:
        found = await svc.db.run(copy_evidence, svc.dumplog, svc.copylog)
        if isinstance(found, Evidence):  # already done: say so, with the evidence
            await _already_done(update, context, caller, record, found)
            return
    row = [InlineKeyboardButton("✅ Selesai", callback_data=f"{DONE_BUTTON}{record.id}")]
    if target is Role.KASI and svc.copier.configured:
        # The Kasi's step 11 is the copy itself: one press starts it.
        row.insert(0, _copy_button(record.id))
    button = InlineKeyboardMarkup([row])
    sent = await delivery.to_roles(
        svc,
        context.bot,
        [target],
        texts.instruction_delivered(record, caller.name),
        button,
        also_group=texts.instruction_for_group(record, caller.name),
        ref=delivery.instruction_ref(record.id),  # recorded when sent, to edit it on closing
    )
    group = svc.settings.notify_chat_id
    people = [d for d in sent if d.chat_id != group]
    group_ok = next((d.ok or d.pending for d in sent if d.chat_id == group), None)
    await respond(
        update,
        context,
        texts.instruction_confirmation(
            record,
            delivered=[svc.name_of(d.chat_id) for d in people if d.ok],
            failed=[
                (svc.name_of(d.chat_id), texts.delivery_failure_reason(d.error))
                for d in people
                if not d.ok and not d.pending
            ],
            waiting=[svc.name_of(d.chat_id) for d in people if d.pending],
            group_ok=group_ok,
        ),
    )


async def _already_done(
    update: Update,
    context: Context,
    caller: Caller,
    record: InstructionRecord,
    evidence: Evidence,
) -> None:
    """An instruction for a step a verified copy already did: closed at once on that evidence."""
    svc = services(context)
    closed = await svc.db.run(
        svc.soplog.close_instruction,
        instruction_id=record.id,
        closed_by=None,
        roles=[record.target_role],
        note=evidence_note(evidence.file_name, evidence.copy.disk_label, evidence.copy.sha256),
        at=svc.clock.now(),
    )
    log.info("Instruction #%s closed at once on copy %s", closed.id, evidence.copy.id)
    tz = svc.settings.tz
    text = texts.already_done(closed, caller.name, evidence, tz)
    await delivery.to_roles(svc, context.bot, [record.target_role], text, also_group=text)
    await respond(update, context, text)


# --- /selesai (SOP steps 9 and 11) ------------------------------------------------------------


def _closable_roles(caller: Caller) -> frozenset[Role]:
    return caller.roles & frozenset(ASSIGNMENTS)


async def selesai(update: Update, context: Context, caller: Caller) -> None:
    svc = services(context)
    try:
        args = parse_done(command_rest(update))
    except UsageError as error:
        await _usage(update, context, caller, error)
        return
    if args.instruction_id is not None:
        await _close(update, context, caller, args.instruction_id, args.note, manual=args.manual)
        return
    open_ones = await svc.db.run(svc.soplog.open_instructions, _closable_roles(caller))
    if not open_ones:
        await respond(update, context, texts.no_open_instruction())
    elif len(open_ones) == 1:
        await _close(update, context, caller, open_ones[0].id, args.note, manual=args.manual)
    else:
        buttons = [
            [InlineKeyboardButton(f"✅ Selesai #{i.id}", callback_data=f"{DONE_BUTTON}{i.id}")]
            for i in open_ones[:10]
        ]
        await respond(
            update,
            context,
            texts.choose_instruction(open_ones, svc.settings.tz),
            InlineKeyboardMarkup(buttons),
        )


async def selesai_button(update: Update, context: Context, caller: Caller) -> None:
    data = update.callback_query.data if update.callback_query else ""
    number = (data or "").removeprefix(DONE_BUTTON)
    if not (number.isdecimal() and number.isascii()) or len(number) > 10:
        await _expired(update)
        return
    await _close(update, context, caller, int(number), "")


async def _close(
    update: Update,
    context: Context,
    caller: Caller,
    instruction_id: int,
    note: str,
    *,
    manual: bool = False,
) -> None:
    svc = services(context)
    tz = svc.settings.tz
    evidence: Evidence | None = None
    wanted = await svc.db.run(svc.soplog.instruction, instruction_id)
    if wanted is not None and _needs_evidence(wanted, caller) and not manual:
        found = await svc.db.run(copy_evidence, svc.dumplog, svc.copylog)
        if not isinstance(found, Evidence):  # step 11 is evidence, not a claim
            log.info("Instruction #%s kept open: %s", instruction_id, found.english())
            markup = (
                InlineKeyboardMarkup([[_copy_button(wanted.id)]]) if svc.copier.configured else None
            )
            await respond(update, context, texts.evidence_missing(wanted.id, found), markup)
            return
        evidence = found
        note = note or evidence_note(
            evidence.file_name, evidence.copy.disk_label, evidence.copy.sha256
        )
    try:
        closed = await svc.db.run(
            svc.soplog.close_instruction,
            instruction_id=instruction_id,
            closed_by=caller.user_id,
            roles=_closable_roles(caller),
            note=note,
            at=svc.clock.now(),
            unverified=manual,
        )
    except CloseError as refusal:
        await respond(
            update,
            context,
            texts.close_refused(
                refusal.reason, instruction_id, refusal.instruction, svc.shown_names, tz
            ),
        )
        return
    log.info("Instruction #%s closed by %s%s", closed.id, caller.user_id, " (manual)" * manual)
    await respond(update, context, texts.closed_reply(closed, _timeliness(svc, closed)))
    sent = await report_closed(svc, context.bot, closed, caller.name, evidence)
    lost = [svc.name_of(d.chat_id) for d in sent if not d.ok and not d.pending]
    if lost:  # the Kabid was told by the outbox; the one who reported must know too
        await respond(update, context, texts.report_not_delivered(lost))


def _timeliness(svc: Services, closed: InstructionRecord) -> Timeliness:
    spent = svc.settings.office.working_time(closed.issued_at, closed.closed_at or closed.issued_at)
    return Timeliness(spent, ASSIGNMENTS[closed.target_role].standard)


def _needs_evidence(wanted: InstructionRecord, caller: Caller) -> bool:
    """An open instruction of the caller's whose step only a job's evidence can complete."""
    return (
        wanted.status is InstructionStatus.OPEN
        and wanted.target_role in caller.roles
        and ASSIGNMENTS[wanted.target_role].needs_evidence
    )


def _copy_button(instruction_id: int) -> InlineKeyboardButton:
    return InlineKeyboardButton("💾 Salin sekarang", callback_data=f"{COPY_BUTTON}{instruction_id}")


async def report_closed(
    svc: Services, bot: Bot, closed: InstructionRecord, closer: str, evidence: Evidence | None
) -> list[delivery.Delivery]:
    """A closed instruction: its delivered messages show who closed it; the Kabid is told (the
    deliveries to the Kabids are returned)."""
    tz = svc.settings.tz
    result = _timeliness(svc, closed)
    await _mark_deliveries_closed(svc, bot, closed, closer)
    markup = instruct_kasi_button() if closed.target_role is Role.ADB else None
    sent = await delivery.to_roles(
        svc,
        bot,
        [Role.KABID],
        texts.report_to_kabid(closed, closer, result, tz, evidence=evidence),
        markup,
        also_group=texts.report_to_kabid(
            closed, closer, result, tz, with_button=False, evidence=evidence
        ),
    )
    return [d for d in sent if d.chat_id != svc.settings.notify_chat_id]


async def _mark_deliveries_closed(
    svc: Services, bot: Bot, closed: InstructionRecord, closer: str
) -> None:
    """Replace the "Selesai" button under each delivered copy with who closed it and when."""
    footer = texts.instruction_closed_note(closed, closer, svc.settings.tz)
    issuer = svc.name_of(closed.issued_by)
    for copy in await svc.db.run(svc.soplog.deliveries, closed.id):
        body = (
            texts.instruction_for_group(closed, issuer)
            if copy.chat_id == svc.settings.notify_chat_id
            else texts.instruction_delivered(closed, issuer)
        )
        try:
            await bot.edit_message_text(
                texts.fit(f"{body}\n\n{footer}"),
                chat_id=copy.chat_id,
                message_id=copy.message_id,
                parse_mode=ParseMode.HTML,
            )
        except Exception as exc:  # an old or deleted message must not undo the closing
            log.warning("Could not update instruction message in chat %s: %s", copy.chat_id, exc)


# --- /status, /riwayat ------------------------------------------------------------------------


async def status(update: Update, context: Context, caller: Caller) -> None:
    svc = services(context)
    day = await svc.db.run(svc.soplog.day_status, svc.today())
    text = texts.day_status(
        day,
        svc.shown_names,
        svc.settings.office,
        svc.clock.now(),
        svc.short_schedule(),
        await svc.db.run(_revoked_copy, svc, day),
    )
    drills = await svc.db.run(svc.drilllog.latest, 1)
    drill = texts.drill_line(
        drills[0] if drills else None, await svc.db.run(svc.drilllog.last_passed), svc.settings.tz
    )
    lines = [text, drill]
    if svc.settings.pushes_evidence:
        queued, oldest = await svc.db.run(svc.central_queue.waiting)
        error = svc.central.status.error if svc.central is not None else ""
        tz = svc.settings.tz
        lines.append(
            texts.central_line(
                queued, oldest, await svc.db.run(svc.central_queue.last_sent), error, tz
            )
        )
        aside = await svc.db.run(svc.central_queue.kept_aside)
        if aside:
            lines.append(texts.central_aside_line(len(aside)))
    await respond(update, context, "\n".join(lines))


def _revoked_copy(svc: Services, day: DayStatus) -> Problem | None:
    """Why today's step 11 lost its evidence, when every copy made today was since found damaged
    or is on a disk reported lost; None while one still counts (or step 11 rests on another)."""
    if not day.is_done(ASSIGNMENTS[Role.KASI].report_step):
        return None
    start = datetime.combine(day.run_date, time(0), svc.settings.tz)
    if svc.copylog.newest(since=start) is not None:
        return None
    gone = svc.copylog.newest(since=start, intact=None, lost=None)
    if gone is None:
        return None
    name = Path(gone.dest_path).name
    disk = svc.disks.get(gone.disk_id)
    if disk is not None and disk.lost_at is not None:
        return problem(Code.COPY_ON_LOST_DISK, file=name, label=gone.disk_label)
    return problem(Code.COPY_DAMAGED, file=name)


async def riwayat(update: Update, context: Context, caller: Caller) -> None:
    svc = services(context)
    try:
        days = parse_days(command_rest(update))
    except UsageError as error:
        await _usage(update, context, caller, error)
        return
    today = svc.today()
    dates = [today - timedelta(days=offset) for offset in range(days)]
    await respond(update, context, texts.history(await svc.db.run(svc.soplog.days_status, dates)))


# --- anything else ----------------------------------------------------------------------------


async def _expired(update: Update) -> None:
    if update.callback_query is not None:
        await update.callback_query.answer(texts.BUTTON_EXPIRED, show_alert=True)


async def unknown_button(update: Update, context: Context) -> None:
    log.warning(
        "Unknown button data %r", update.callback_query.data if update.callback_query else None
    )
    await _expired(update)


async def unknown_command(update: Update, context: Context) -> None:
    svc = services(context)
    user, chat = update.effective_user, update.effective_chat
    if user is None or chat is None or chat.id != user.id:
        return  # in a group the command may be meant for another bot
    if not svc.roster.roles_of(user.id):
        if not quiet(svc, user.id, chat.id):  # a stranger's flood: one answer a minute
            await respond(update, context, texts.stranger(user.id, svc.kabid_names()))
        return
    await respond(update, context, texts.UNKNOWN_COMMAND)


async def on_error(update: object, context: Context) -> None:
    """Log the failure for the ADB, tell the user in Indonesian; never show a stack trace."""
    error = context.error
    if isinstance(error, LogBusy):  # another program holds the log's lock: not a failure
        log.warning("The SOP log is busy; the sender is asked to try again: %s", error)
        await _tell(update, context, texts.LOG_BUSY)
        return
    log.error("Error while handling an update", exc_info=context.error)
    # Only the database's own refusal means the log cannot be written; a value SQLAlchemy could
    # not even put into a statement (an OverflowError from a date) is a bug, not a full disk.
    unrecorded = isinstance(error, SQLAlchemyError) and not (
        isinstance(error, StatementError) and not isinstance(error, DBAPIError)
    )
    if unrecorded and error is not None:  # not recorded: say so, raise the alarm once
        watchdog = services(context).watchdog
        if watchdog is not None:
            await watchdog.database_failed(describe_database_error(error))
    await _tell(update, context, texts.NOT_RECORDED if unrecorded else texts.INTERNAL_ERROR)


async def _tell(update: object, context: Context, text: str) -> None:
    if isinstance(update, Update) and update.effective_chat is not None:
        try:  # directly: the outbox lives in the database that may be the trouble
            await context.bot.send_message(
                update.effective_chat.id, text, parse_mode=ParseMode.HTML
            )
        except Exception:
            log.exception("Could not tell the user about the error")
