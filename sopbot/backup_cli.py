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
    Outcome.UNTESTABLE: 1,  # a drill's verdict; a dump never ends so
}


class TerminalObserver:
    """Shows a dump's progress as a bar on the terminal, and its report in the chat's words."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._bar: Any = None  # click's progress bar, open while a dump runs
        self._shown = 0

    async def job_started(self, started: JobStarted) -> None:
        import texts

        header = texts.dump_started(
            started.subject.name, started.backend, "cli", started.late_by, None
        )
        click.echo(texts.plain(header))
        self._bar = click.progressbar(length=100, label="Back up", show_eta=False)
        self._bar.__enter__()

    async def job_progress(self, started: JobStarted, progress: Progress) -> None:
        if self._bar is not None and progress.percent is not None:
            step = int(progress.percent) - self._shown
            if step > 0:
                self._bar.update(step)
                self._shown += step

    async def job_finished(self, started: JobStarted | None, result: DumpResult) -> None:
        import texts

        if self._bar is not None:
            if result.ok:
                self._bar.update(100 - self._shown)
            self._bar.__exit__(None, None, None)
        report = texts.dump_report(result, self.settings.tz, with_button=False)
        click.echo(texts.plain(report), err=not result.ok)
        if result.sha256:  # the full hash on the terminal, for the office's records
            click.echo(f"SHA-256: {result.sha256}")


async def run_backup(settings: Settings) -> int:
    services = open_runtime(settings)
    services.dump.recover()
    services.dump.observers.append(TerminalObserver(settings))
    try:
        result = await services.dump.run("cli")
    except JobAlreadyRunning:
        click.echo("Back up lain sedang berjalan; coba lagi nanti.", err=True)
        return 75  # try later, like a bot running beside it
    return EXIT_CODES[result.outcome]
