"""`sopbot backup`: the same dump as the schedule's, from a terminal or Task Scheduler."""

from __future__ import annotations

from typing import Any

import click

from bot.app import open_services
from jobs.dump.result import DumpResult, Outcome, Progress
from jobs.dump.service import DumpAlreadyRunning, DumpStarted
from sopbot.settings import Settings

EXIT_CODES = {Outcome.SUCCESS: 0, Outcome.WARNING: 3, Outcome.FAILED: 1, Outcome.INTERRUPTED: 1}


class TerminalObserver:
    """Shows a dump's progress as a bar on the terminal."""

    def __init__(self) -> None:
        self._bar: Any = None  # click's progress bar, open while a dump runs
        self._shown = 0

    async def dump_started(self, started: DumpStarted) -> None:
        click.echo(f"Dump started ({started.backend}): {started.dump_path}")
        self._bar = click.progressbar(length=100, label="Dumping", show_eta=False)
        self._bar.__enter__()

    async def dump_progress(self, started: DumpStarted, progress: Progress) -> None:
        if self._bar is not None and progress.percent is not None:
            step = int(progress.percent) - self._shown
            if step > 0:
                self._bar.update(step)
                self._shown += step

    async def dump_finished(self, started: DumpStarted, result: DumpResult) -> None:
        if self._bar is not None:
            if result.ok:
                self._bar.update(100 - self._shown)
            self._bar.__exit__(None, None, None)
        click.echo(f"Outcome: {result.outcome.value}")
        if result.ok:
            click.echo(f"File: {result.dump_path} ({result.size_bytes} bytes)")
            click.echo(f"SHA-256: {result.sha256}")
            if result.total_rows is not None:
                click.echo(f"Rows: {result.total_rows} in {len(result.tables)} tables")
        for warning in result.warnings:
            click.echo(f"Warning: {warning}", err=True)
        for error in result.errors:
            click.echo(f"Error: {error}", err=True)


async def run_backup(settings: Settings) -> int:
    services = open_services(settings)
    services.dump.recover()
    services.dump.observers.append(TerminalObserver())
    try:
        result = await services.dump.run("cli")
    except DumpAlreadyRunning:
        click.echo("Another dump is running.", err=True)
        return 1
    return EXIT_CODES[result.outcome]
