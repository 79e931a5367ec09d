"""The daily dump schedule (SOP steps 2-7): APScheduler 3 with its jobs kept in the bot's own
database, so the schedule survives restarts and a run missed while the bot was down runs once
when it comes back (coalesced), saying it was late.

APScheduler stores a job as a reference to an importable function plus picklable arguments,
so the stored jobs are the module-level `scheduled_dump` and `scheduled_drill` with no arguments
at all. The live services reach them through the scheduler's own executor (`_LiveExecutor`),
which hands each run the `BackupScheduler` that owns it as its first argument: a job stored by an
earlier start (or an earlier release) runs with this start's services, and nothing is pickled
but the function's name.

The job store is the log's database, so every access to it is I/O that may wait up to the busy
timeout when another program holds the log's lock. It never happens on the event loop: the
scheduler is APScheduler's `BackgroundScheduler`, whose own thread finds the due jobs and
records their next run, and `_LiveExecutor` runs each job's coroutine on the bot's loop
(`asyncio.run_coroutine_threadsafe`). Chosen over an `AsyncIOScheduler` whose wake-up runs in a
worker thread because that is APScheduler's own threading model, unchanged: one thread
processes the jobs under APScheduler's lock, misfire grace and coalescing are its own code, and
only the executor differs. `BackupScheduler`'s methods that reach the job store (`start`,
`shutdown`, `reschedule`, `next_run`, `next_drill`, `fire_now`) are synchronous and are called
from async code on a worker thread (`asyncio.to_thread`, or the log's face for a chat command).
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import logging
from datetime import datetime, time, timedelta
from typing import Any

from apscheduler.executors.base import BaseExecutor, run_coroutine_job, run_job
from apscheduler.job import Job
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.base import STATE_STOPPED
from apscheduler.triggers.cron import CronTrigger
from apscheduler.util import iscoroutinefunction_partial
from sqlalchemy import Engine

from core.settings import Settings
from jobs.drill.service import DrillService
from jobs.dump.service import DumpService
from jobs.job import JobAlreadyRunning
from storage.state import StateStore
from storage.states import Trigger

log = logging.getLogger(__name__)

DUMP_JOB_ID = "daily-dump"
DRILL_JOB_ID = "restore-drill"
MISFIRE_GRACE = timedelta(hours=12)  # a run missed by less than this still runs on start
LATE_AFTER = timedelta(minutes=2)  # a run starting later than this says it was late

# Kept state: the time set from chat (/jadwal), and BACKUP_TIME as .env had it at the last start.
BACKUP_TIME_KEY = "backup_time"
BACKUP_TIME_ENV_KEY = "backup_time_configured"


def _time_of(trigger: Any) -> time | None:
    fields = {f.name: str(f) for f in getattr(trigger, "fields", [])}
    try:
        return time(int(fields["hour"]), int(fields["minute"]))
    except (KeyError, ValueError):
        return None


async def scheduled_dump(scheduler: BackupScheduler | None = None) -> None:
    """The stored job: run today's dump, noting how late it starts. `scheduler` is given by
    `_LiveExecutor` at each run (the default only satisfies APScheduler's check of the stored
    job's arguments, which are none)."""
    if scheduler is None:
        log.error("Scheduled dump run outside its scheduler; it runs at the next start")
        return
    service = scheduler.service
    late_by = scheduler.lateness(service.clock.now())
    try:
        await service.run(Trigger.SCHEDULE, late_by=late_by)
    except JobAlreadyRunning:
        log.warning("Scheduled dump skipped: another dump is still running")


async def scheduled_drill(scheduler: BackupScheduler | None = None) -> None:
    """The stored job: the restore drill (DRILL_SCHEDULE); `scheduler` as for the dump."""
    if scheduler is None or scheduler.drill is None:
        log.error("Scheduled restore drill fired without a drill service; job left as it is")
        return
    try:
        await scheduler.drill.run(Trigger.SCHEDULE)
    except JobAlreadyRunning:
        log.warning("Scheduled restore drill skipped: another drill is still running")


class _LiveJob:
    """A stored job as APScheduler's runner reads it, with the live scheduler put first in its
    arguments (the stored job itself is left as it is)."""

    def __init__(self, job: Job, owner: BackupScheduler) -> None:
        self._job = job
        self.args = (owner, *job.args)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._job, name)

    def __str__(self) -> str:
        return str(self._job)


class _LiveExecutor(BaseExecutor):  # type: ignore[misc]  # APScheduler has no types
    """Runs each due job on the bot's event loop, handing it the scheduler that owns it.

    Jobs are submitted from APScheduler's thread, so the coroutine goes to the loop through
    `asyncio.run_coroutine_threadsafe`; a plain function would run on a worker thread. A stop
    cancels what is still running, as APScheduler's asyncio executor does."""

    def __init__(self, owner: BackupScheduler) -> None:
        super().__init__()
        self._owner = owner
        self._pending: set[concurrent.futures.Future[Any]] = set()
        self._handed: dict[str, datetime] = {}  # job id -> the latest run time handed over

    def submit_job(self, job: Job, run_times: list[datetime]) -> None:
        """Hand a run over once: when writing its next run failed (the log locked beyond the
        busy timeout), the next round finds the same run due again."""
        handed = self._handed.get(job.id)
        if handed is not None and run_times[-1] <= handed:
            log.warning("Job %s: its run of %s was already started; not again", job.id, handed)
            return
        super().submit_job(job, run_times)
        self._handed[job.id] = run_times[-1]

    def _do_submit_job(self, job: Job, run_times: list[datetime]) -> None:
        loop = self._owner.loop
        assert loop is not None, "jobs are submitted only once the scheduler has started"
        live = _LiveJob(job, self._owner)
        alias, logger = job._jobstore_alias, self._logger.name
        if iscoroutinefunction_partial(job.func):
            work = run_coroutine_job(live, alias, run_times, logger)
        else:
            work = asyncio.to_thread(run_job, live, alias, run_times, logger)
        future = asyncio.run_coroutine_threadsafe(work, loop)

        def done(finished: concurrent.futures.Future[Any]) -> None:
            self._pending.discard(finished)
            try:
                events = finished.result()
            except BaseException as exc:  # APScheduler's own executors report a cancel too
                self._run_job_error(job.id, exc, exc.__traceback__)
            else:
                self._run_job_success(job.id, events)

        self._pending.add(future)
        future.add_done_callback(done)

    def shutdown(self, wait: bool = True) -> None:
        for future in list(self._pending):
            future.cancel()
        self._pending.clear()


class _LogJobStore(SQLAlchemyJobStore):  # type: ignore[misc]  # APScheduler has no types
    """APScheduler's SQLAlchemy job store on the log's own engine, which it leaves open at a
    stop: the engine is the runtime's (the outbox still writes after the schedule stops)."""

    def shutdown(self) -> None:
        pass


class _SchedulerThread(BackgroundScheduler):  # type: ignore[misc]  # APScheduler has no types
    """APScheduler's background scheduler, whose thread survives a failing round: writing a
    job's next run can fail when the log stays locked beyond the busy timeout, which would end
    APScheduler's thread (and with it the schedule) for good; the round is tried again. Its
    thread does one more round when woken by the stop: after a stop nothing is looked at (nor
    started)."""

    def _process_jobs(self) -> float | None:
        if self.state == STATE_STOPPED:
            return None
        try:
            wait: float | None = super()._process_jobs()
        except Exception:
            log.exception("The schedule's round failed; tried again in a moment")
            return float(self.jobstore_retry_interval)
        return wait


def effective_backup_time(
    configured: time, stored: str | None, configured_last_start: str | None
) -> time:
    """The time set from chat (/jadwal) wins until someone edits BACKUP_TIME in .env."""
    if stored and configured_last_start == configured.strftime("%H:%M"):
        hour, minute = stored.split(":")
        return time(int(hour), int(minute))
    return configured


def backup_time_on_start(settings: Settings, state: StateStore, now: datetime) -> time:
    """The schedule's time at start-up; an edited BACKUP_TIME wins over /jadwal from then on."""
    configured = settings.backup_time.strftime("%H:%M")
    configured_before = state.get(BACKUP_TIME_ENV_KEY)
    wanted = effective_backup_time(
        settings.backup_time, state.get(BACKUP_TIME_KEY), configured_before
    )
    if configured_before != configured:
        state.set(BACKUP_TIME_ENV_KEY, configured, now)
        state.set(BACKUP_TIME_KEY, configured, now)
    return wanted


class BackupScheduler:
    def __init__(
        self,
        engine: Engine,
        service: DumpService,
        backup_time: time,
        drill: DrillService | None = None,
    ) -> None:
        self.service = service
        self.drill = drill
        self.tz = service.settings.tz
        self.loop: asyncio.AbstractEventLoop | None = None  # the bot's, where jobs run
        self.scheduler = _SchedulerThread(
            jobstores={"default": _LogJobStore(engine=engine)},
            executors={"default": _LiveExecutor(self)},
            job_defaults={
                "coalesce": True,
                "max_instances": 1,
                "misfire_grace_time": int(MISFIRE_GRACE.total_seconds()),
            },
            timezone=self.tz,
            daemon=True,  # never keeps the process alive
        )
        self._wanted = backup_time

    def start(self, loop: asyncio.AbstractEventLoop) -> None:
        """Start APScheduler's thread, the jobs running on `loop`; keep a stored job (and its
        missed run) if its time is unchanged, otherwise reschedule it to the wanted time. Job
        store I/O: call it on a worker thread (`asyncio.to_thread`)."""
        self.loop = loop
        self.scheduler.start()
        job = self.scheduler.get_job(DUMP_JOB_ID)
        if job is None:
            self.scheduler.add_job(
                scheduled_dump,
                self._trigger(self._wanted),
                id=DUMP_JOB_ID,
                name="Daily database dump",
                replace_existing=True,
            )
            log.info("Daily dump scheduled at %s", self._wanted.strftime("%H:%M"))
        elif _time_of(job.trigger) != self._wanted:
            self.reschedule(self._wanted)
        self._schedule_drill()

    def _schedule_drill(self) -> None:
        """DRILL_SCHEDULE as a stored job too (a missed drill runs once at the next start); an
        edited schedule replaces it, an empty one removes it."""
        if self.drill is None:
            return
        crontab = self.drill.settings.drill_schedule
        job = self.scheduler.get_job(DRILL_JOB_ID)
        if not crontab or not self.drill.copier.configured:  # no disk: nothing to drill
            if job is not None:
                job.remove()
            return
        trigger = CronTrigger.from_crontab(crontab, timezone=self.tz)
        if job is None or str(job.trigger) != str(trigger):
            self.scheduler.add_job(
                scheduled_drill,
                trigger,
                id=DRILL_JOB_ID,
                name="Restore drill",
                replace_existing=True,
            )
            log.info("Restore drill scheduled: %s", crontab)

    def next_drill(self) -> datetime | None:
        job = self.scheduler.get_job(DRILL_JOB_ID)
        return None if job is None else job.next_run_time

    def shutdown(self) -> None:
        """Stop APScheduler's thread (it may be finishing a round on a locked log: call it on
        a worker thread); jobs still running are cancelled."""
        if self.scheduler.running:
            self.scheduler.shutdown(wait=False)

    def _trigger(self, at: time) -> CronTrigger:
        return CronTrigger(hour=at.hour, minute=at.minute, timezone=self.tz)

    def reschedule(self, at: time) -> None:
        """Move the daily dump to `at` (job store I/O: a worker thread); nothing changes when
        the job store cannot be written."""
        self.scheduler.reschedule_job(DUMP_JOB_ID, trigger=self._trigger(at))
        self._wanted = at
        log.info("Daily dump rescheduled to %s", at.strftime("%H:%M"))

    @property
    def backup_time(self) -> time:
        return self._wanted

    def upcoming(self, now: datetime) -> datetime:
        """The first scheduled time after `now`, for people to read."""
        fire = self._trigger(self._wanted).get_next_fire_time(None, now.astimezone(self.tz))
        assert isinstance(fire, datetime)
        return fire

    def next_run(self) -> datetime | None:
        job = self.scheduler.get_job(DUMP_JOB_ID)
        return None if job is None else job.next_run_time

    def lateness(self, now: datetime) -> timedelta:
        """How long after its most recent scheduled time `now` is (0 when on time)."""
        local = now.astimezone(self.tz)
        slot = local.replace(
            hour=self._wanted.hour, minute=self._wanted.minute, second=0, microsecond=0
        )
        if slot > local:
            slot -= timedelta(days=1)
        late = local - slot
        return late if late > LATE_AFTER else timedelta()

    def fire_now(self) -> None:
        """Make the stored job due at once (as if its time had come); used by tests and demo."""
        self.scheduler.modify_job(DUMP_JOB_ID, next_run_time=datetime.now(self.tz))
        self.scheduler.wakeup()
