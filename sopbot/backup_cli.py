"""`sopbot backup`: the same dump as the schedule's, from a terminal or Task Scheduler."""

from __future__ import annotations

import click

from core.settings import Settings
from jobs.dump.result import DumpResult
from jobs.job import JobStarted, Outcome, Trigger
from sopbot.compose import open_runtime
from sopbot.terminal import TerminalJobObserver, run_observed

EXIT_CODES = {
    Outcome.SUCCESS: 0,
    Outcome.WARNING: 3,
    Outcome.FAILED: 1,
    Outcome.INCOMPLETE: 1,  # a table is missing: no backup
    Outcome.INTERRUPTED: 1,
    Outcome.NOTHING: 0,
    Outcome.UNTESTABLE: 1,  # a drill's verdict; a dump never ends so
}


class TerminalObserver(TerminalJobObserver[DumpResult]):
    """Shows a dump's progress as a bar on the terminal, and its report in the chat's words."""

    bar_label = "Back up"

    def header(self, started: JobStarted) -> str:
        import texts

        return texts.dump_started(
            started.subject.name, started.backend, Trigger.CLI, started.late_by, None
        )

    def report(self, started: JobStarted | None, result: DumpResult) -> str:
        import texts

        return texts.dump_report(result, self.settings.tz, with_button=False)

    def fills_bar(self, result: DumpResult) -> bool:
        return result.ok

    def to_stderr(self, result: DumpResult) -> bool:
        return not result.ok

    async def job_finished(self, started: JobStarted | None, result: DumpResult) -> None:
        await super().job_finished(started, result)
        if result.sha256:  # the full hash on the terminal, for the office's records
            click.echo(f"SHA-256: {result.sha256}")


async def run_backup(settings: Settings) -> int:
    services = open_runtime(settings)
    services.dump.recover()
    result = await run_observed(services.dump, TerminalObserver(settings))
    if result is None:
        click.echo("Back up lain sedang berjalan; coba lagi nanti.", err=True)
        return 75  # try later, like a bot running beside it
    return EXIT_CODES[result.outcome]
