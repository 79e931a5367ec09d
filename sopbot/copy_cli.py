"""`sopbot salin`: copy the newest good dump to the external disk and verify it, from a terminal
or Task Scheduler, like the chat's /salin (SOP step 11), with the chat's words."""

from __future__ import annotations

import os

import click

from core.settings import Settings
from jobs.external.service import CopyResult
from jobs.job import JobStarted, Outcome, Progress, Trigger
from sopbot.compose import open_runtime
from sopbot.terminal import TerminalJobObserver, run_observed

VERIFIED, FAILED, BUSY = 0, 1, 75


class TerminalCopyObserver(TerminalJobObserver[CopyResult]):
    """The bytes copied as a bar, then the copy's report in the chat's words."""

    bar_label = "Menyalin"

    def header(self, started: JobStarted) -> str:
        import texts

        return texts.copy_started(started.subject.name, started.size or 0, Trigger.CLI, None)

    def bar_length(self, started: JobStarted) -> int:
        return started.size or 1

    def bar_position(self, progress: Progress) -> int | None:
        return progress.done

    def bar_item(self, position: int | None) -> str | None:
        import texts

        return texts.size(position) if position else None

    def report(self, started: JobStarted | None, result: CopyResult) -> str:
        import texts

        if result.outcome is Outcome.NOTHING:
            return texts.NOTHING_TO_COPY
        if started is None:
            return texts.copy_disk_problem(result)
        if result.verified:
            return texts.copy_done(result, self.settings.tz)
        if result.outcome is Outcome.INTERRUPTED:
            return texts.copy_stopped(result)
        return texts.copy_failed(result)


async def run_copy(settings: Settings) -> int:
    runtime = open_runtime(settings)
    runtime.copier.recover()
    if not runtime.copier.configured:
        import texts

        click.echo(texts.plain(texts.NO_EXTERNAL_DISK), err=True)
        return FAILED
    result = await run_observed(runtime.copier, TerminalCopyObserver(settings))
    if result is None:
        return BUSY
    if result.verified and runtime.drill.due_after_copy():
        # The disk is still plugged in: the drill due reads it now, then the unplug request.
        import texts
        from sopbot.drill_cli import TerminalDrillObserver

        click.echo(texts.plain(texts.KEEP_PLUGGED))
        runtime.drill.recover()
        runtime.drill.observers.append(TerminalDrillObserver(settings))
        await runtime.drill.run(Trigger.COPY)
        click.echo(texts.plain(texts.DRILL_AFTER_COPY_DONE))
    if result.verified or result.outcome is Outcome.NOTHING:
        _unplug(settings)  # last: after the drill that reads the disk, if one was due
    return VERIFIED if result.verified or result.outcome is Outcome.NOTHING else FAILED


def _unplug(settings: Settings) -> None:
    """The copy is on the disk: it is safe only once the disk is ejected and stored away."""
    import texts

    root = settings.external_disk_path
    if root is not None:
        click.echo(texts.plain(texts.unplug_safely(str(root), os.name == "nt")))
