"""`sopbot salin`: copy the newest good dump to the external disk and verify it, from a terminal
or Task Scheduler, like the chat's /salin (SOP step 11), with the chat's words."""

from __future__ import annotations

import os
from typing import Any

import click

from core.settings import Settings
from jobs.external.service import CopyResult
from jobs.job import JobAlreadyRunning, JobStarted, Outcome, Progress
from sopbot.runtime import open_runtime

VERIFIED, FAILED, BUSY = 0, 1, 75


class TerminalCopyObserver:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._bar: Any = None
        self._shown = 0

    async def job_started(self, started: JobStarted) -> None:
        import texts

        click.echo(
            texts.plain(texts.copy_started(started.subject.name, started.size or 0, "cli", None))
        )
        self._bar = click.progressbar(
            length=started.size or 1,
            label="Menyalin",
            show_eta=False,
            item_show_func=lambda done: texts.size(done) if done else None,
        )
        self._bar.__enter__()

    async def job_progress(self, started: JobStarted, progress: Progress) -> None:
        if self._bar is not None and progress.done is not None:
            step = progress.done - self._shown
            if step > 0:
                self._bar.update(step, progress.done)
                self._shown = progress.done

    async def job_finished(self, started: JobStarted | None, result: CopyResult) -> None:
        import texts

        if self._bar is not None:
            self._bar.__exit__(None, None, None)
        if result.outcome is Outcome.NOTHING:
            click.echo(texts.plain(texts.NOTHING_TO_COPY))
        elif started is None:
            click.echo(texts.plain(texts.copy_disk_problem(result)))
        elif result.verified:
            click.echo(texts.plain(texts.copy_done(result, self.settings.tz)))
        elif result.outcome is Outcome.INTERRUPTED:
            click.echo(texts.plain(texts.copy_stopped(result)))
        else:
            click.echo(texts.plain(texts.copy_failed(result)))


async def run_copy(settings: Settings) -> int:
    runtime = open_runtime(settings)
    runtime.copier.recover()
    if not runtime.copier.configured:
        import texts

        click.echo(texts.plain(texts.NO_EXTERNAL_DISK), err=True)
        return FAILED
    runtime.copier.observers.append(TerminalCopyObserver(settings))
    try:
        result = await runtime.copier.run("cli")
    except JobAlreadyRunning:
        return BUSY
    if result.verified and runtime.drill.due_after_copy():
        # The disk is still plugged in: the drill due reads it now, then the unplug request.
        import texts
        from sopbot.drill_cli import TerminalDrillObserver

        click.echo(texts.plain(texts.KEEP_PLUGGED))
        runtime.drill.recover()
        runtime.drill.observers.append(TerminalDrillObserver(settings))
        await runtime.drill.run("copy")
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
