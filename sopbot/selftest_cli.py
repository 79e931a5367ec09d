"""`sopbot uji-oracle`: the field self-test on the real Oracle server (day one, after any Oracle
upgrade): one line per assumption on the terminal, the full report under DATA_DIR/reports/,
exit 0 only when every assumption held (then remembered, and /cek shows when)."""

from __future__ import annotations

import asyncio

import click

from core.settings import Settings
from sopbot.compose import open_runtime

HELD, NOT_HELD = 0, 1


async def run_selftest(settings: Settings, driver: object = None) -> int:
    import texts
    from jobs.drill.selftest import PASSED_KEY, OracleSelfTest, write_report
    from texts.selftest import selftest_lines, selftest_saved

    runtime = open_runtime(settings)
    click.echo("Uji Oracle berjalan: ekspor satu tabel kecil, dibaca ulang, lalu dihapus …")
    report = await OracleSelfTest(settings, runtime.clock, driver).run()
    lines = selftest_lines(report)
    for line in lines:
        click.echo(texts.plain(line))
    path = await asyncio.to_thread(write_report, report, settings, lines)
    click.echo(selftest_saved(str(path)))
    if report.passed and report.finished_at is not None:
        runtime.state.set(PASSED_KEY, report.finished_at.isoformat(), report.finished_at)
    return HELD if report.passed else NOT_HELD
