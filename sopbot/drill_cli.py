"""`sopbot ujipulih`: the restore drill from a terminal or Task Scheduler, with the same report
as in the chat (Indonesian): exit 0 when it passed, 1 when the copy failed, 3 when the drill could
not run (disk away, no key, no impdp, login refused: a set-up to fix), 75 when one is running."""

from __future__ import annotations

import click

from core.settings import Settings
from jobs.drill.result import DrillResult
from jobs.job import JobAlreadyRunning, JobStarted, Outcome, Progress
from sopbot.runtime import open_runtime

PASSED, FAILED, UNTESTABLE, BUSY = 0, 1, 3, 75


class TerminalDrillObserver:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._stage = ""

    async def job_started(self, started: JobStarted) -> None:
        import texts

        click.echo(texts.plain(texts.drill_started(started, None)))

    async def job_progress(self, started: JobStarted, progress: Progress) -> None:
        import texts

        if progress.state and progress.state != self._stage:
            self._stage = progress.state
            click.echo(f"… {texts.drill_stage(progress.state)}")

    async def job_finished(self, started: JobStarted | None, result: DrillResult) -> None:
        import texts

        click.echo(texts.plain(texts.drill_report(result, self.settings.tz)))


async def run_drill(settings: Settings) -> int:
    runtime = open_runtime(settings)
    runtime.drill.recover()
    runtime.drill.observers.append(TerminalDrillObserver(settings))
    try:
        result = await runtime.drill.run("cli")
    except JobAlreadyRunning:
        return BUSY
    if result.passed:
        return PASSED
    return UNTESTABLE if result.outcome is Outcome.UNTESTABLE else FAILED
