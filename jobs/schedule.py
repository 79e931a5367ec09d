"""The daily dump schedule (SOP steps 2-7): APScheduler 3 with its jobs kept in the bot's own
database, so the schedule survives restarts and a run missed while the bot was down runs once
when it comes back (coalesced), saying it was late.

APScheduler stores a job as a reference to an importable function plus picklable arguments,
so the job is the module-level `scheduled_dump`, which finds the live DumpService through
`_runtime` (set by `BackupScheduler.start`), never a pickled object.
"""

from __future__ import annotations

import logging
from datetime import datetime, time, timedelta
from typing import Any

from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.cron import CronTrigger
from sqlalchemy import Engine

from core.settings import Settings
from jobs.drill.service import DrillService
from jobs.dump.service import DumpService
from jobs.job import JobAlreadyRunning
from storage.state import StateStore

log = logging.getLogger(__name__)

DUMP_JOB_ID = "daily-dump"
DRILL_JOB_ID = "restore-drill"
MISFIRE_GRACE = timedelta(hours=12)  # a run missed by less than this still runs on start
LATE_AFTER = timedelta(minutes=2)  # a run starting later than this says it was late

# Kept state: the time set from chat (/jadwal), and BACKUP_TIME as .env had it at the last start.
BACKUP_TIME_KEY = "backup_time"
BACKUP_TIME_ENV_KEY = "backup_time_configured"

_runtime: dict[str, Any] = {}


def _time_of(trigger: Any) -> time | None:
    fields = {f.name: str(f) for f in getattr(trigger, "fields", [])}
    try:
        return time(int(fields["hour"]), int(fields["minute"]))
    except (KeyError, ValueError):
        return None


async def scheduled_dump() -> None:
    """The stored job: run today's dump, noting how late it starts."""
    service: DumpService | None = _runtime.get("service")
    scheduler: BackupScheduler | None = _runtime.get("scheduler")
    if service is None or scheduler is None:
        log.error("Scheduled dump fired before the bot was ready; it will run next time")
        return
    late_by = scheduler.lateness(service.clock.now())
    try:
        await service.run("schedule", late_by=late_by)
    except JobAlreadyRunning:
        log.warning("Scheduled dump skipped: another dump is still running")


async def scheduled_drill() -> None:
    """The stored job: the restore drill (DRILL_SCHEDULE)."""
    drill: DrillService | None = _runtime.get("drill")
    if drill is None:
        log.error("Scheduled restore drill fired before the bot was ready; it will run next time")
        return
    try:
        await drill.run("schedule")
    except JobAlreadyRunning:
        log.warning("Scheduled restore drill skipped: another drill is still running")


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
        self.scheduler = AsyncIOScheduler(
            jobstores={"default": SQLAlchemyJobStore(engine=engine)},
            job_defaults={
                "coalesce": True,
                "max_instances": 1,
                "misfire_grace_time": int(MISFIRE_GRACE.total_seconds()),
            },
            timezone=self.tz,
        )
        self._wanted = backup_time

    def start(self) -> None:
        """Start in the running event loop; keep a stored job (and its missed run) if its
        time is unchanged, otherwise reschedule it to the wanted time."""
        _runtime["service"] = self.service
        _runtime["scheduler"] = self
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
        _runtime["drill"] = self.drill
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
        if self.scheduler.running:
            self.scheduler.shutdown(wait=False)
        _runtime.clear()

    def _trigger(self, at: time) -> CronTrigger:
        return CronTrigger(hour=at.hour, minute=at.minute, timezone=self.tz)

    def reschedule(self, at: time) -> None:
        self._wanted = at
        self.scheduler.reschedule_job(DUMP_JOB_ID, trigger=self._trigger(at))
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
