"""`sopbot laporan`: the monthly audit report (PDF)."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from sopbot.click_id import Command
from sopbot.commands.common import env_file_option, settings_or_exit
from texts import terminal as words


@click.command(cls=Command)
@env_file_option
@click.option("--pdf", "as_pdf", is_flag=True, help=words.PDF_HELP)
@click.option("--bulan", default="", help=words.AUDIT_MONTH_HELP)
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("laporan"),
    show_default=True,
    help=words.AUDIT_OUT_HELP,
)
def laporan(env_file: Path, as_pdf: bool, bulan: str, out: Path) -> None:
    """Laporan audit bulanan: PDF dengan nomor, ringkasan, tabel harian, uji pulih, insiden,
    checkpoint rantai bukti dan kode QR-nya, serta lampiran CSV."""
    from datetime import date

    from reports.audit import build_for
    from reports.audit_pdf import render_audit_pdf
    from sopbot.compose import open_runtime
    from storage.month import parse_month

    if not as_pdf:
        click.echo(words.PDF_NEEDED, err=True)
        sys.exit(2)
    settings = settings_or_exit(env_file)
    services = open_runtime(settings)
    today = services.today()
    try:
        month = parse_month(bulan) if bulan else date(today.year, today.month, 1)
    except ValueError:
        click.echo(words.AUDIT_MONTH_FORMAT, err=True)
        sys.exit(2)
    report, annex = build_for(services, month)
    out.mkdir(parents=True, exist_ok=True)
    pdf = out / f"laporan-audit-{month:%Y-%m}.pdf"
    pdf.write_bytes(render_audit_pdf(report))  # a short-lived process already: drawn here
    (out / report.csv_name).write_bytes(annex)
    click.echo(words.written([pdf, out / report.csv_name]))
    click.echo(words.report_number(report.number))
