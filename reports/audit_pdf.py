"""The monthly audit report as an A4 PDF (fpdf2: pure Python, embeds TrueType fonts as subsets,
no system libraries, the same on Windows), with matplotlib's DejaVu Sans embedded so every
Indonesian character shows and the text can be extracted and searched.

fpdf2 is imported here only. Like the chart, the bot draws the PDF in a short-lived child process
(`render_audit_pdf_apart`) so its memory stays bounded.
"""

from __future__ import annotations

import io
import multiprocessing
from concurrent.futures import ProcessPoolExecutor
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from core.indonesian import MONTHS
from jobs.audit import AuditReport
from texts import audit as w

if TYPE_CHECKING:
    from fpdf import FPDF

PDF_SECONDS = 120
FONT = "DejaVu"


def _font_dir() -> Path:
    import matplotlib

    return Path(matplotlib.get_data_path()) / "fonts" / "ttf"


def _size(value: int | None) -> str:
    if value is None:
        return w.NONE
    for unit, per in (("GB", 1024**3), ("MB", 1024**2), ("KB", 1024)):
        if value >= per:
            return f"{value / per:.1f} {unit}".replace(".", ",")
    return f"{value} B"


def _minutes(seconds: float | None) -> str:
    if seconds is None:
        return w.NONE
    return w.MINUTES.format(minutes=f"{seconds / 60:.1f}".replace(".", ","))


def _percent(value: float | None) -> str:
    return w.NONE if value is None else f"{value:.0%}"


def _yes(value: bool | None) -> str:
    return w.NONE if value is None else (w.YES if value else w.NO)


def render_audit_pdf(report: AuditReport) -> bytes:
    from fpdf import FPDF

    tz = ZoneInfo(report.timezone)

    def local(at: datetime) -> str:
        return at.astimezone(tz).strftime("%d-%m-%Y %H:%M")

    class Document(FPDF):
        def footer(self) -> None:
            self.set_y(-12)
            self.set_font(FONT, "", 7)
            self.cell(0, 5, f"{report.number} — " + w.PAGE.format(page=self.page_no()), align="C")

    pdf = Document(format="A4")
    fonts = _font_dir()
    pdf.add_font(FONT, "", str(fonts / "DejaVuSans.ttf"))
    pdf.add_font(FONT, "B", str(fonts / "DejaVuSans-Bold.ttf"))
    pdf.add_font("DejaVuMono", "", str(fonts / "DejaVuSansMono.ttf"))
    period = f"{MONTHS[report.month.month - 1]} {report.month.year}"
    pdf.set_title(f"{w.TITLE} — {period}")
    pdf.set_author(report.office)
    pdf.set_creation_date(report.made_at)
    pdf.set_auto_page_break(True, margin=15)
    pdf.add_page()
    pdf.set_font(FONT, "B", 13)
    _para(pdf, 7, w.TITLE, align="C")
    pdf.set_font(FONT, "", 10)
    _para(pdf, 6, f"{report.office} — {period}", align="C")
    pdf.ln(3)

    def heading(key: str) -> None:
        pdf.ln(2)
        pdf.set_font(FONT, "B", 11)
        _para(pdf, 7, w.SECTIONS[key])
        pdf.set_font(FONT, "", 8.5)

    def pairs(rows: list[tuple[str, str]]) -> None:
        with pdf.table(
            col_widths=(60, 130), first_row_as_headings=False, text_align="LEFT"
        ) as table:
            for name, value in rows:
                row = table.row()
                row.cell(name)
                row.cell(value)

    def grid(head: tuple[str, ...], rows: list[tuple[str, ...]], **options: Any) -> None:
        with pdf.table(text_align="LEFT", **options) as table:
            header = table.row()
            for name in head:
                header.cell(name)
            for values in rows:
                row = table.row()
                for value in values:
                    row.cell(value)

    heading("identity")
    pairs(
        [
            (w.IDENTITY["number"], report.number),
            (
                w.IDENTITY["office"],
                report.office + (f" ({report.office_id})" if report.office_id else ""),
            ),
            (w.IDENTITY["period"], period),
            (w.IDENTITY["sop"], report.sop),
            (w.IDENTITY["made"], local(report.made_at)),
        ]
    )
    heading("summary")
    pairs(
        [
            (
                w.SUMMARY["copied"],
                w.COPIED_DAYS.format(copied=report.copied_days, recorded=report.recorded_days),
            ),
            (w.SUMMARY["encrypted"], _percent(report.encrypted_share)),
            (
                w.SUMMARY["drills"],
                w.DRILLS_PASSED.format(passed=report.drills_passed, total=report.drills_total),
            ),
            (
                w.SUMMARY["since_restore"],
                w.NONE
                if report.days_since_restore is None
                else w.DAYS.format(days=report.days_since_restore),
            ),
            (w.SUMMARY["compliance"], _percent(report.compliance)),
        ]
    )
    heading("daily")
    pdf.set_font(FONT, "", 7)
    grid(
        w.DAILY_HEAD,
        [
            (
                f"{day.day.day:02d}",
                day.dump_time or w.NONE,
                _size(day.size_bytes),
                day.sha_short or w.NONE,
                w.VERDICTS.get(day.verdict, day.verdict),
                _yes(day.copied),
                day.disk or w.NONE,
                _yes(day.encrypted),
                _yes(day.verified),
                w.DRILL_VERDICTS.get(day.drill, day.drill),
            )
            for day in report.days
        ],
        col_widths=(8, 13, 17, 25, 21, 14, 22, 15, 20, 17),
        line_height=4.2,
    )
    heading("missed")
    if report.missed:
        grid(
            w.MISSED_HEAD,
            [
                (
                    m.day.strftime("%d-%m-%Y"),
                    w.VERDICTS.get(m.verdict, m.verdict),
                    w.NEXT_GOOD.format(day=m.next_good.strftime("%d-%m-%Y"))
                    if m.next_good
                    else w.NO_NEXT_GOOD,
                )
                for m in report.missed
            ],
            col_widths=(30, 30, 130),
        )
    else:
        _para(pdf, 5, w.NO_MISSED)
    heading("custody")
    if report.custody:
        grid(
            w.CUSTODY_HEAD,
            [
                (
                    local(c.at),
                    c.label,
                    w.CUSTODY_EVENTS.get(c.event, c.event),
                    w.LOST_DETAIL.format(copies=c.copies, plain=c.plain)
                    if c.event == "lost"
                    else c.file,
                )
                for c in report.custody
            ],
            col_widths=(32, 30, 40, 88),
        )
    else:
        _para(pdf, 5, w.NO_CUSTODY)
    heading("drills")
    if report.drills:
        grid(
            w.DRILL_HEAD,
            [
                (
                    local(d.at),
                    f"{d.level} ({d.backend})",
                    _minutes(d.restore_seconds),
                    _minutes(d.target_seconds),
                    str(d.compared),
                    str(d.mismatches),
                    w.DRILL_VERDICTS.get(d.outcome, d.outcome),
                )
                for d in report.drills
            ],
            col_widths=(32, 24, 28, 28, 26, 20, 32),
        )
    else:
        _para(pdf, 5, w.NO_DRILLS)
    heading("deviations")
    if report.steps:
        grid(
            w.STEP_HEAD,
            [
                (
                    str(s.number),
                    _minutes(s.average_seconds),
                    _minutes(s.standard_seconds),
                    w.YES if s.on_time else w.NO,
                )
                for s in report.steps
            ],
            col_widths=(40, 50, 50, 50),
        )
        pdf.ln(2)
    if report.deviations:
        grid(
            w.DEVIATION_HEAD,
            [(d.person, str(d.step), str(d.count), str(d.late)) for d in report.deviations],
            col_widths=(70, 40, 40, 40),
        )
    if not report.steps and not report.deviations:
        _para(pdf, 5, w.NO_DEVIATIONS)
    heading("incidents")
    if report.incidents:
        grid(
            w.INCIDENT_HEAD,
            [
                (
                    local(i.at),
                    w.INCIDENT_KINDS.get(i.kind, i.kind),
                    _incident(i.kind, i.detail, i.copies, i.plain),
                )
                for i in report.incidents
            ],
            col_widths=(32, 50, 108),
        )
    else:
        _para(pdf, 5, w.NO_INCIDENTS)
    heading("integrity")
    _integrity(pdf, report, local)
    heading("mapping")
    grid(w.MAPPING_HEAD, [tuple(row) for row in w.MAPPING], col_widths=(40, 50, 50, 50))
    if pdf.get_y() + 60 > pdf.page_break_trigger:
        pdf.add_page()  # the signature block stays on one page
    heading("signature")
    pdf.set_font(FONT, "", 9)
    _para(pdf, 5, w.SIGNATURE)
    pdf.ln(2)
    top = pdf.get_y()
    pdf.set_draw_color(150)
    pdf.rect(pdf.l_margin, top, 90, 30)
    pdf.set_xy(pdf.l_margin + 2, top + 2)
    pdf.set_font(FONT, "", 7)
    pdf.cell(86, 4, w.SIGNATURE_SPACE)
    pdf.set_xy(pdf.l_margin, top + 32)
    pdf.set_font(FONT, "", 9)
    _para(pdf, 5, w.SIGNATURE_NAME)
    return bytes(pdf.output())


def _para(pdf: FPDF, height: float, text: str, align: str = "L") -> None:
    """A paragraph across the page; the next one starts at the left margin again."""
    from fpdf.enums import XPos, YPos

    pdf.multi_cell(0, height, text, align=align, new_x=XPos.LMARGIN, new_y=YPos.NEXT)


def _incident(kind: str, detail: str, copies: int, plain: int) -> str:
    if kind == "disk_lost":
        return w.LOST_INCIDENT.format(label=detail, copies=copies, plain=plain)
    if kind == "breach":
        return w.BREACH_INCIDENT.format(label=detail)
    return detail


def _integrity(pdf: FPDF, report: AuditReport, local: Any) -> None:
    import segno

    rows = [
        (
            w.INTEGRITY["chain"],
            f"{w.CHAIN_VERDICTS.get(report.chain_verdict, report.chain_verdict)} — "
            f"{report.chain_words}",
        ),
        (w.INTEGRITY["size"], f"{report.chain_size} / {report.chain_head}"),
        (
            w.INTEGRITY["witness"],
            w.INTEGRITY["witnessed_at"].format(at=local(report.witnessed_at))
            if report.witnessed_at is not None
            else w.INTEGRITY["not_witnessed"],
        ),
        (w.INTEGRITY["csv"].format(name=report.csv_name), report.csv_sha256),
    ]
    with pdf.table(col_widths=(60, 130), first_row_as_headings=False, text_align="LEFT") as table:
        for name, value in rows:
            row = table.row()
            row.cell(name)
            row.cell(value)
    pdf.ln(2)
    pdf.set_font(FONT, "B", 8.5)
    _para(pdf, 5, w.INTEGRITY["checkpoint"])
    pdf.set_font("DejaVuMono", "", 7)
    note = report.witnessed_note or report.checkpoint_note
    _para(pdf, 3.6, note.rstrip("\n") if note else w.INTEGRITY["no_checkpoint"])
    if note:
        qr = io.BytesIO()
        segno.make(note, error="m").save(qr, kind="png", scale=3, border=2)
        pdf.ln(1)
        if pdf.get_y() + 45 > pdf.h - 15:
            pdf.add_page()
        pdf.image(io.BytesIO(qr.getvalue()), w=40)
        pdf.set_font(FONT, "", 7)
        _para(pdf, 4, w.INTEGRITY["qr"])
    pdf.set_font(FONT, "", 7.5)
    _para(pdf, 4, w.INTEGRITY["how"])
    pdf.set_font(FONT, "", 8.5)


def render_audit_pdf_apart(report: AuditReport) -> bytes:
    """`render_audit_pdf` in a child process that ends with it (blocking: call it from a thread)."""
    context = multiprocessing.get_context("spawn")  # the same on Linux as on Windows
    with ProcessPoolExecutor(max_workers=1, mp_context=context) as pool:
        return pool.submit(render_audit_pdf, report).result(timeout=PDF_SECONDS)
