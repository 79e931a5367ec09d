"""/laporan: the monthly chart as a photo, the summary, and the CSV for the office's records."""

from __future__ import annotations

import asyncio
import logging
from datetime import date

from telegram import InputFile, Update

import texts
from bot import delivery
from bot.arguments import split_command
from bot.command_types import Caller
from bot.context import Context, services
from bot.handlers import respond
from reports.month_csv import report_csv
from storage.month import build_report, parse_month

log = logging.getLogger(__name__)


async def laporan(update: Update, context: Context, caller: Caller) -> None:
    svc = services(context)
    rest = split_command(update.effective_message.text or "") if update.effective_message else ""
    today = svc.today()
    words = rest.split()
    if words and words[0].lower() == "audit":
        await _audit(update, context, caller, " ".join(words[1:]))
        return
    try:
        month = parse_month(rest) if rest else date(today.year, today.month, 1)
    except ValueError:
        await respond(update, context, texts.usage(caller.command, texts.REPORT_USAGE_PROBLEM))
        return
    report = await svc.db.run(
        build_report,
        month,
        today,
        svc.soplog,
        svc.dumplog,
        svc.copylog,
        svc.settings.office,
        svc.drilllog,
    )
    summary = texts.report_summary(report, svc.shown_names)
    chat = update.effective_chat
    if not report.days or chat is None:
        await respond(update, context, summary)
        return
    from reports.chart import render_chart_apart

    png = await asyncio.to_thread(render_chart_apart, report)
    stem = f"laporan-sop-{month:%Y-%m}"
    await context.bot.send_photo(
        chat.id,
        InputFile(png, filename=f"{stem}.png"),
        caption=texts.chart_caption(month),
    )
    await delivery.send(svc, context.bot, chat.id, summary)
    await context.bot.send_document(
        chat.id,
        InputFile(report_csv(report), filename=f"{stem}.csv"),
        caption=texts.CSV_CAPTION,
    )
    log.info("Monthly report %s sent to %s", month, caller.user_id)


async def _audit(update: Update, context: Context, caller: Caller, rest: str) -> None:
    """/laporan audit [TTTT-BB]: the month's audit report as a PDF document, with its CSV."""
    from reports.audit import build_for
    from reports.audit_pdf import render_audit_pdf_apart

    svc = services(context)
    today = svc.today()
    try:
        month = parse_month(rest) if rest else date(today.year, today.month, 1)
    except ValueError:
        await respond(update, context, texts.usage(caller.command, texts.REPORT_USAGE_PROBLEM))
        return
    chat = update.effective_chat
    if chat is None:
        return
    report, annex = await asyncio.to_thread(build_for, svc, month)
    pdf = await asyncio.to_thread(render_audit_pdf_apart, report)
    stem = f"laporan-audit-{month:%Y-%m}"
    await context.bot.send_document(
        chat.id,
        InputFile(pdf, filename=f"{stem}.pdf"),
        caption=texts.audit_caption(report.number, texts.month_name(month), report.chain_size),
    )
    await context.bot.send_document(
        chat.id,
        InputFile(annex, filename=report.csv_name),
        caption=texts.AUDIT_ANNEX_CAPTION,
    )
    log.info("Audit report %s sent to %s", month, caller.user_id)
