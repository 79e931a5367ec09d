"""A job on the terminal (`sopbot backup`, `salin`, `ujipulih`): its start in the chat's words,
a progress bar or its stages while it runs, then its report. A job's observer says only which
words, and what its bar counts."""

from __future__ import annotations

from typing import Any, Generic, TypeVar

import click

from core.settings import Settings
from jobs.job import JobAlreadyRunning, JobResult, JobRunner, JobStarted, Progress, Trigger

R = TypeVar("R", bound=JobResult)


class TerminalJobObserver(Generic[R]):
    bar_label = ""  # "": no bar, the stages are said as they come instead

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._bar: Any = None  # click's progress bar, open while the job runs
        self._shown = 0
        self._stage = ""

    # --- what a job's observer says ----------------------------------------------------------

    def header(self, started: JobStarted) -> str:
        raise NotImplementedError

    def report(self, started: JobStarted | None, result: R) -> str:
        raise NotImplementedError

    def bar_length(self, started: JobStarted) -> int:
        return 100

    def bar_position(self, progress: Progress) -> int | None:
        return None if progress.percent is None else int(progress.percent)

    def bar_item(self, position: int | None) -> str | None:
        return None

    def stage(self, state: str) -> str:
        return state

    def fills_bar(self, result: R) -> bool:
        """Whether the bar is shown full at the end (the work was done to the last byte)."""
        return False

    def to_stderr(self, result: R) -> bool:
        return False

    # --- the observer -------------------------------------------------------------------------

    async def job_started(self, started: JobStarted) -> None:
        import texts

        click.echo(texts.plain(self.header(started)))
        if self.bar_label:
            self._bar = click.progressbar(
                length=self.bar_length(started),
                label=self.bar_label,
                show_eta=False,
                item_show_func=self.bar_item,
            )
            self._bar.__enter__()

    async def job_progress(self, started: JobStarted, progress: Progress) -> None:
        if self._bar is None:
            if progress.state and progress.state != self._stage:
                self._stage = progress.state
                click.echo(f"… {self.stage(progress.state)}")
            return
        position = self.bar_position(progress)
        if position is not None and position > self._shown:
            self._bar.update(position - self._shown, position)
            self._shown = position

    async def job_finished(self, started: JobStarted | None, result: R) -> None:
        import texts

        if self._bar is not None:
            if self.fills_bar(result):
                self._bar.update(self.bar_length(started) - self._shown if started else 0)
            self._bar.__exit__(None, None, None)
        click.echo(texts.plain(self.report(started, result)), err=self.to_stderr(result))


async def run_observed(job: JobRunner[R], observer: TerminalJobObserver[R]) -> R | None:
    """Run a job from the terminal, watched by `observer`; None when one is already running (in
    the bot beside it, or another terminal)."""
    job.observers.append(observer)
    try:
        return await job.run(Trigger.CLI)
    except JobAlreadyRunning:
        return None
