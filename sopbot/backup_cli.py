"""`sopbot backup`: the same dump as the schedule's, from a terminal or Task Scheduler."""

from __future__ import annotations

from typing import Any

import click

from core.settings import Settings
from jobs.dump.result import DumpResult
from jobs.job import JobAlreadyRunning, JobStarted, Outcome, Progress
from sopbot.runtime import open_runtime

EXIT_CODES = {
    Outcome.SUCCESS: 0,
    Outcome.WARNING: 3,
    Outcome.FAILED: 1,
    Outcome.INCOMPLETE: 1,  # a table is missing: no backup
    Outcome.INTERRUPTED: 1,
    Outcome.NOTHING: 0,
}


class TerminalObserver:
    """Shows a dump's progress as a bar on the terminal."""

    def __init__(self) -> None:
        self._bar: Any = None  # click's progress bar, open while a dump runs
        self._shown = 0

    async def job_started(self, started: JobStarted) -> None:
        click.echo(f"Dump started ({started.backend}): {started.subject}")
        self._bar = click.progressbar(length=100, label="Dumping", show_eta=False)
        self._bar.__enter__()

    async def job_progress(self, started: JobStarted, progress: Progress) -> None:
        if self._bar is not None and progress.percent is not None:
            step = int(progress.percent) - self._shown
            if step > 0:
                self._bar.update(step)
                self._shown += step

    async def job_finished(self, started: JobStarted | None, result: DumpResult) -> None:
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
            click.echo(f"Warning: {warning.english()}", err=True)
        for error in result.errors:
            click.echo(f"Error: {error.english()}", err=True)


async def run_backup(settings: Settings) -> int:
    services = open_runtime(settings)
    services.dump.recover()
    services.dump.observers.append(TerminalObserver())
    try:
        result = await services.dump.run("cli")
    except JobAlreadyRunning:
        click.echo("Another dump is running.", err=True)
        return 75  # try later, like a bot running beside it
    return EXIT_CODES[result.outcome]
