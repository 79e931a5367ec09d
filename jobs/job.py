"""The one shape every long job has (the dump, the external copy): one at a time, a progress
ticker, typed observers, one result type with one outcome enum, and stopping as part of the
contract.

A job is a `JobRunner` subclass with four steps:
- `prepare(order)` records the start and returns what is starting (`JobStarted`), or a finished
  result when there is nothing to run (nothing to copy, no disk);
- `execute(started, stop, report)` does the work, calling `report(Progress)` as it goes, and
  awaits the part the deadline covers through `within_deadline(...)`. When `stop` is set (a
  timeout, the bot stopping) it must end the work promptly — stopping whatever it started
  outside this process too — record the run as interrupted, and return a result with
  `Outcome.INTERRUPTED` and `stop.reason` among its errors;
- `abandon(started, outcome, reason)` records a run that did not end by itself: its `execute`
  crashed, or ignored `stop` for longer than its grace;
- `unstarted(reason)` is the result when `prepare` itself failed.

Whatever happens, every observer hears `job_finished` exactly once, also when the task is being
cancelled, so no progress message stays frozen and no failure goes untold.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from pathlib import Path
from typing import Generic, Protocol, TypeVar

from core.clock import Clock
from core.problems import Code, Problem, problem
from storage.aio import AsyncLog
from storage.states import Trigger as Trigger  # what started a job: the log records it

log = logging.getLogger(__name__)

STOP_GRACE_SECONDS = 60.0  # how long a job may take to wind down after being told to stop
T = TypeVar("T")


class JobKind(StrEnum):
    DUMP = "dump"
    COPY = "copy"
    DRILL = "drill"


class Outcome(StrEnum):
    SUCCESS = "success"
    WARNING = "warning"  # done, and usable, with something worth reading
    FAILED = "failed"
    INCOMPLETE = "incomplete"  # finished, but something is missing (a table skipped): no backup
    INTERRUPTED = "interrupted"  # stopped before it ended: a stop, a timeout, a crash of the bot
    NOTHING = "nothing"  # nothing to do (the newest dump is already on the disk)
    # a check that could not run (a restore drill without its disk, key, impdp or login): no
    # verdict on what it would have checked, a to-do for whoever can fix the cause
    UNTESTABLE = "untestable"


GOOD_OUTCOMES = frozenset({Outcome.SUCCESS, Outcome.WARNING})


class Unit(StrEnum):
    NONE = ""
    BYTES = "bytes"
    PAGES = "pages"
    TABLES = "tables"


@dataclass(frozen=True)
class Progress:
    percent: float | None  # None when the work cannot tell
    done: int | None = None  # units done so far
    total: int | None = None
    unit: Unit = Unit.NONE
    current: str = ""  # what is being worked on, e.g. the table just exported
    state: str = ""  # the backend's own state word, e.g. Data Pump's EXECUTING


ProgressReport = Callable[[Progress], None]


@dataclass(frozen=True)
class Order:
    trigger: Trigger
    requested_by: int | None = None
    late_by: timedelta = timedelta()


@dataclass(frozen=True)
class JobStarted:
    kind: JobKind
    run_id: int
    trigger: Trigger
    requested_by: int | None
    subject: Path  # the dump being written, or the dump being copied
    started_at: datetime
    backend: str = ""  # the dump method
    size: int | None = None  # bytes to copy
    late_by: timedelta = timedelta()


@dataclass(kw_only=True)
class JobResult:
    kind: JobKind
    run_id: int | None
    outcome: Outcome
    started_at: datetime | None = None
    finished_at: datetime | None = None
    errors: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.outcome in GOOD_OUTCOMES

    @property
    def duration_seconds(self) -> float:
        if self.started_at is None or self.finished_at is None:
            return 0.0
        return (self.finished_at - self.started_at).total_seconds()


R = TypeVar("R", bound=JobResult)
R_contra = TypeVar("R_contra", bound=JobResult, contravariant=True)


class JobObserver(Protocol[R_contra]):
    async def job_started(self, started: JobStarted) -> None: ...

    async def job_progress(self, started: JobStarted, progress: Progress) -> None: ...

    async def job_finished(self, started: JobStarted | None, result: R_contra) -> None: ...


class JobAlreadyRunning(Exception):
    def __init__(self, kind: JobKind, started: JobStarted | None, progress: Progress | None):
        super().__init__(f"a {kind.value} job is already running")
        self.kind, self.started, self.progress = kind, started, progress


class JobIgnoredStop(Exception):
    """The part under the deadline did not end within its grace after being told to stop."""


class StopSignal:
    """Set once, with a reason; readable from the event loop and from worker threads."""

    def __init__(self) -> None:
        self._event = asyncio.Event()
        self._flag = threading.Event()
        self.reason: Problem | None = None

    def set(self, reason: Problem) -> None:
        if self.reason is None:
            self.reason = reason
        self._flag.set()
        self._event.set()

    def is_set(self) -> bool:
        return self._flag.is_set()

    async def wait(self) -> None:
        await self._event.wait()

    def sleep(self, seconds: float) -> bool:
        """For worker threads: wait up to `seconds`; True when told to stop meanwhile."""
        return self._flag.wait(seconds)


class JobRunner(Generic[R]):
    kind: JobKind

    def __init__(
        self, clock: Clock, progress_interval: float, timeout: timedelta | None = None
    ) -> None:
        self.clock = clock
        self.progress_interval = progress_interval
        self.timeout = timeout
        self.stop_grace = STOP_GRACE_SECONDS
        self.db = AsyncLog()  # the log's async face: the job's loop-side records
        self.observers: list[JobObserver[R]] = []
        self._lock = asyncio.Lock()
        self._task: asyncio.Task[R] | None = None  # set by launch(), for "busy" only
        self._current: JobStarted | None = None
        self._progress: Progress | None = None
        self._stop = StopSignal()
        self._idle = asyncio.Event()
        self._idle.set()

    # --- what a job implements --------------------------------------------------------------

    async def prepare(self, order: Order) -> JobStarted | R:
        raise NotImplementedError

    async def execute(self, started: JobStarted, stop: StopSignal, report: ProgressReport) -> R:
        raise NotImplementedError

    async def abandon(self, started: JobStarted, outcome: Outcome, reason: Problem) -> R:
        raise NotImplementedError

    def unstarted(self, reason: Problem) -> R:
        raise NotImplementedError

    # --- what everyone uses -----------------------------------------------------------------

    @property
    def busy(self) -> bool:
        return not self._idle.is_set() or (self._task is not None and not self._task.done())

    @property
    def running(self) -> JobStarted | None:
        return self._current

    @property
    def progress(self) -> Progress | None:
        return self._progress

    def launch(self, trigger: Trigger, requested_by: int | None = None) -> asyncio.Task[R]:
        """Start the job in the background; refuse at once if one is running."""
        if self.busy:
            raise JobAlreadyRunning(self.kind, self._current, self._progress)
        self._stop = StopSignal()  # now, so a stop() right after launch() is not lost
        self._idle.clear()
        order = Order(Trigger(trigger), requested_by)
        task = asyncio.get_running_loop().create_task(self._locked(order))
        self._task = task
        return task

    async def run(
        self,
        trigger: Trigger,
        requested_by: int | None = None,
        late_by: timedelta = timedelta(),
    ) -> R:
        """Run the job in the caller's task (the schedule, the CLI); refuse if one is running."""
        if self.busy:
            raise JobAlreadyRunning(self.kind, self._current, self._progress)
        self._stop = StopSignal()
        self._idle.clear()
        return await self._locked(Order(Trigger(trigger), requested_by, late_by))

    async def _locked(self, order: Order) -> R:
        try:
            async with self._lock:
                return await self._run(order)
        finally:
            self._current, self._progress = None, None
            self._idle.set()

    async def wait_idle(self) -> None:
        """Until no job runs (a job has its own deadline, so this wait is bounded by it)."""
        await self._idle.wait()

    async def stop(self, reason: Problem | None = None) -> None:
        """Tell a running job to stop and wait until it has ended and been reported."""
        if not self.busy:
            return
        self._stop.set(reason or problem(Code.STOPPED))
        try:
            await asyncio.wait_for(self._idle.wait(), self.stop_grace * 2 + 5)
        except TimeoutError:
            log.error("The %s job did not end after being told to stop", self.kind)

    async def within_deadline(self, part: Awaitable[T]) -> T:
        """Await the part of a job its deadline covers (a dump's export, not its hashing).

        Past the deadline `stop` is set and the part has its grace to end itself; if it does
        not, JobIgnoredStop. Cancelled, the part is cancelled with it."""
        task = asyncio.ensure_future(part)
        try:
            if self.timeout is None:
                return await asyncio.shield(task)
            try:
                return await asyncio.wait_for(asyncio.shield(task), self.timeout.total_seconds())
            except TimeoutError:
                minutes = int(self.timeout.total_seconds() // 60)
                log.warning("%s job timed out after %s minutes", self.kind, minutes)
                self._stop.set(problem(Code.TIMED_OUT, minutes=minutes))
            try:
                return await asyncio.wait_for(asyncio.shield(task), self.stop_grace)
            except TimeoutError:
                raise JobIgnoredStop from None
        finally:
            if not task.done():
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await task

    # --- the shape --------------------------------------------------------------------------

    async def _run(self, order: Order) -> R:
        try:
            prepared = await self.prepare(order)
        except Exception as exc:  # the log or the dump folder cannot be written: still told
            log.exception("%s job could not start", self.kind)
            result = self.unstarted(problem(Code.JOB_CRASHED, error=type(exc).__name__))
            await self._finished(None, result)
            return result
        if not isinstance(prepared, JobStarted):
            await self._finished(None, prepared)
            return prepared
        started = prepared
        self._current = started
        await self._tell(observer.job_started(started) for observer in self.observers)
        ticker = asyncio.create_task(self._forward_progress(started))
        work = asyncio.ensure_future(self._execute(started))
        try:
            result = await asyncio.shield(work)
        except asyncio.CancelledError:
            # Cancelled outright (a shutdown that did not call stop()): the work gets its grace
            # to stop by itself, and is still recorded and told.
            self._stop.set(self._stop.reason or problem(Code.STOPPED))
            result = await asyncio.shield(self._settle(started, work))
            await asyncio.shield(self._finished(started, result))
            raise
        finally:
            ticker.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await ticker
        await self._finished(started, result)
        return result

    async def _execute(self, started: JobStarted) -> R:
        try:
            return await self.execute(started, self._stop, self._report)
        except JobIgnoredStop:
            log.error("%s job %s ignored the stop; abandoned", self.kind, started.run_id)
            reason = self._stop.reason or problem(Code.STOPPED)
            return await self.abandon(started, Outcome.INTERRUPTED, reason)
        except Exception as exc:  # a bug in the job must still end as a recorded failure
            log.exception("%s job %s crashed", self.kind, started.run_id)
            crash = problem(Code.JOB_CRASHED, error=type(exc).__name__)
            return await self.abandon(started, Outcome.FAILED, crash)

    async def _settle(self, started: JobStarted, work: asyncio.Future[R]) -> R:
        """The work was told to stop: its own result within the grace, else it is cancelled."""
        try:
            return await asyncio.wait_for(asyncio.shield(work), self.stop_grace)
        except TimeoutError:
            work.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await work
        except Exception:
            log.exception("%s job %s failed while stopping", self.kind, started.run_id)
        reason = self._stop.reason or problem(Code.STOPPED)
        return await self.abandon(started, Outcome.INTERRUPTED, reason)

    def _report(self, progress: Progress) -> None:
        # Called from worker threads too: only a reference assignment, read by the ticker.
        self._progress = progress

    async def _forward_progress(self, started: JobStarted) -> None:
        """Pass progress on at most every progress interval, and only when it changed."""
        last: Progress | None = None
        while True:
            await asyncio.sleep(self.progress_interval)
            current = self._progress
            if current is not None and current != last:
                last = current
                await self._tell(
                    observer.job_progress(started, current) for observer in self.observers
                )

    async def _finished(self, started: JobStarted | None, result: R) -> None:
        await self._tell(observer.job_finished(started, result) for observer in self.observers)

    @staticmethod
    async def _tell(calls: Iterable[Awaitable[None]]) -> None:
        """Await each observer call; one that fails is logged and never breaks the job."""
        for call in calls:
            try:
                await call
            except Exception:
                log.exception("A job observer failed")
