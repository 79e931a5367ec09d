"""`sopbot report`: the monthly chart, CSV and summary."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from sopbot.click_id import Command
from sopbot.commands.common import env_file_option, settings_or_exit
from texts import terminal as words


@click.command(cls=Command)
@env_file_option
@click.option("--month", required=True, help=words.MONTH_HELP)
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    required=True,
    help=words.CHART_OUT_HELP,
)
def report(env_file: Path, month: str, out: Path) -> None:
    """Tulis laporan bulanan: grafik (PNG), data harian (CSV) dan ringkasan (TXT)."""
    import texts
    from bot.context import Services
    from reports.chart import render_chart
    from reports.month_csv import report_csv
    from sopbot.compose import open_runtime
    from storage.month import build_report, parse_month

    settings = settings_or_exit(env_file)
    try:
        first = parse_month(month)
    except ValueError:
        click.echo(texts.REPORT_USAGE_PROBLEM, err=True)
        sys.exit(2)
    services = open_runtime(settings)
    built = build_report(
        first,
        services.today(),
        services.soplog,
        services.dumplog,
        services.copylog,
        settings.office,
        services.drilllog,
    )
    out = out.with_suffix(".png")
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(render_chart(built))
    out.with_suffix(".csv").write_bytes(report_csv(built))
    out.with_suffix(".txt").write_text(
        texts.plain(texts.report_summary(built, Services.from_runtime(services).shown_names))
        + "\n",
        encoding="utf-8",
    )
    click.echo(words.written([out, out.with_suffix(".csv"), out.with_suffix(".txt")]))
