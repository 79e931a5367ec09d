"""The dead man's switch: checked every minute against the clock.

- copy to the external disk automatically when it is present and a dump is waiting;
- alert everyone when no good dump exists by BACKUP_DEADLINE, or the last verified external copy
  is older than EXTERNAL_MAX_AGE_HOURS, repeating every ALERT_REPEAT_MINUTES until resolved;
- send the daily summary at REPORT_TIME;
- remind the person whose SOP step is past its time standard, and tell the Kabid once.

`tick()` makes every decision from `clock.now()` and the log, so tests drive it by setting the
clock; what to say and to whom is the notifier's business (the bot's, in Bahasa Indonesia).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import shutil
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, time, timedelta, tzinfo
from pathlib import Path
from typing import Protocol

from sqlalchemy.exc import SQLAlchemyError

from core.clock import Clock
from core.problems import Code, Problem, problem
from core.settings import Settings
from core.sop import ASSIGNMENTS
from jobs.dump.service import DumpService
from jobs.evidence import Evidence, Fingerprint
from jobs.external.disk import DiskError
from jobs.external.service import CopyService
from jobs.job import JobAlreadyRunning, Trigger
from jobs.periodic import KEEP_MARKS_FOR, Mark, MarkKind, Marks, PeriodicTask
from storage.aio import AsyncLog, LogBusy
from storage.copies import CopyLog, CopyRecord
from storage.drills import DrillLog, DrillRecord
from storage.dumps import DumpLog, DumpRecord
from storage.outbox import Outbox
from storage.soplog import InstructionRecord, SopLog
from storage.state import StateStore

log = logging.getLogger(__name__)

BREACH_NOTICE = timedelta(hours=72)  # UU 27/2022 Pasal 46: written notice within 3x24 hours
# What the checks have done. Dated marks (one day's or one instruction's alert) are forgotten
# after KEEP_MARKS_FOR, so the kept state does not grow with the years; breach clocks, the
# schedule and the installation date are no marks at all.
SUMMARY = MarkKind("summary")
MISSING_DUMP = MarkKind("alert:missing_dump")
DRILL_OVERDUE = MarkKind("alert:drill_overdue")
AUTOCOPY = MarkKind("autocopy")
REMINDER = MarkKind("reminder")
PLUGGED = MarkKind("plugged")
HOUSEKEEPING = MarkKind("housekeeping")
STALE_EXTERNAL = MarkKind("alert:stale_external", dated=False)  # a repeat timer
UNPLUG = MarkKind("unplug", dated=False)  # a repeat timer per disk
BREACH_REMINDER = MarkKind("breach-reminder", dated=False)  # until the notice is due
DRILL_WATCHED_SINCE = MarkKind("drill:watched_since", dated=False)
KEEP_SENT_FOR = timedelta(days=90)
WATCH_EVERY = timedelta(minutes=1)
WATCHDOG_MARKS = (
    SUMMARY,
    MISSING_DUMP,
    DRILL_OVERDUE,
    AUTOCOPY,
    REMINDER,
    PLUGGED,
    HOUSEKEEPING,
    STALE_EXTERNAL,
    UNPLUG,
    BREACH_REMINDER,
    DRILL_WATCHED_SINCE,
)
REMIND_FOR = timedelta(days=3)  # overdue reminders stop after this long (the backlog stays shown)
# When the bot first ran here: nothing before it is "missed" (a first start is calm).
INSTALLED_KEY = "installed_at"


def mark_installed(state: StateStore, now: datetime) -> bool:
    """Record the first start; True when this is it."""
    if state.get(INSTALLED_KEY) is not None:
        return False
    state.set(INSTALLED_KEY, now.isoformat(), now)
    return True


@dataclass(frozen=True)
class Summary:
    at: datetime
    last_dump: DumpRecord | None
    last_copy: CopyRecord | None
    dump_copied: bool  # the last dump has a verified external copy
    server_free: int | None
    external_free: int | None
    external_problem: Problem | None  # why the disk could not be read, if it could not
    last_drill: DrillRecord | None = None
    last_passed_drill: DrillRecord | None = None
    copy_lost_on: str | None = None  # the last dump's only copy is on this disk, reported lost
    fingerprint: Fingerprint | None = None  # the evidence chain's "sidik rantai"


class WatchdogNotifier(Protocol):
    async def missing_dump(self, due: datetime, last_good: DumpRecord | None) -> None: ...

    async def stale_external(self, last_copy: CopyRecord | None, max_age: timedelta) -> None: ...

    async def daily_summary(self, summary: Summary) -> None: ...

    async def overdue(
        self, instruction: InstructionRecord, late_by: timedelta, first: bool
    ) -> None: ...

    async def database_unwritable(self, trouble: Problem) -> None: ...

    async def unplug(self, label: str, copied_at: datetime) -> None: ...

    async def plugged_too_long(self, label: str, since: datetime) -> None: ...

    async def breach_clock(self, label: str, deadline: datetime) -> None: ...

    async def database_writable(self, merged: int) -> None: ...

    async def drill_overdue(self, days: int, last_passed: DrillRecord | None) -> None: ...


def last_slot(now: datetime, at_hour: int, at_minute: int, tz: tzinfo) -> datetime:
    """The most recent time of day `at_hour:at_minute` (office time) at or before `now`."""
    local = now.astimezone(tz)
    slot = local.replace(hour=at_hour, minute=at_minute, second=0, microsecond=0)
    return slot if slot <= local else slot - timedelta(days=1)


class Watchdog:
    def __init__(
        self,
        settings: Settings,
        dumplog: DumpLog,
        copylog: CopyLog,
        soplog: SopLog,
        dumper: DumpService | None,
        copier: CopyService | None,
        clock: Clock,
        notifier: WatchdogNotifier,
        state: StateStore,
        backup_time: Callable[[], time] | None = None,
        drilllog: DrillLog | None = None,
        outbox: Outbox | None = None,
        drilling: Callable[[], bool] | None = None,
        evidence: Evidence | None = None,
        db: AsyncLog | None = None,
    ) -> None:
        self.evidence = evidence
        self.state = state
        self.marks = Marks(state)
        # Every kind of mark periodic work sets (the registry's, once registered): the daily
        # housekeeping forgets the old dated ones, whichever task set them.
        self.known_marks: Callable[[], Iterable[MarkKind]] = lambda: WATCHDOG_MARKS
        self.db = db or AsyncLog()
        self.drilllog = drilllog
        # A restore drill reading the disk right after a copy: the unplug request waits for it.
        self._drilling = drilling or (lambda: False)
        self.outbox = outbox
        self._database_down = False
        self._database_file = _sqlite_file(settings.database_url)
        self.settings, self.dumplog, self.copylog, self.soplog = settings, dumplog, copylog, soplog
        self.dumper, self.copier, self.clock, self.notifier = dumper, copier, clock, notifier
        # The schedule's current time (it follows /jadwal), BACKUP_TIME without a scheduler.
        self._backup_time = backup_time or (lambda: settings.backup_time)

    @property
    def backup_time(self) -> time:
        return self._backup_time()

    def tasks(self, every: timedelta = WATCH_EVERY) -> list[PeriodicTask]:
        """The checks as periodic work: one lane, the database first, every minute."""
        checks: list[tuple[Callable[[datetime], Awaitable[None]], tuple[MarkKind, ...]]] = [
            (self._database, ()),
            (self._custody, (UNPLUG, PLUGGED)),
            (self._breach_clocks, (BREACH_REMINDER,)),
            (self._auto_copy, (AUTOCOPY,)),
            (self._missing_dump, (MISSING_DUMP,)),
            (self._stale_external, (STALE_EXTERNAL,)),
            (self._drill_overdue, (DRILL_OVERDUE, DRILL_WATCHED_SINCE)),
            (self._housekeeping, (HOUSEKEEPING,)),
            (self._checkpoint, ()),
            (self._daily_summary, (SUMMARY,)),
            (self._reminders, (REMINDER,)),
        ]
        return [
            PeriodicTask(f"watchdog{check.__name__}", every, check, marks, lane="watchdog")
            for check, marks in checks
        ]

    async def tick(self) -> None:
        """Every check now, in order: what the registry does each minute (tests call it)."""
        now = self.clock.now()
        for task in self.tasks():
            try:
                await task.run(now)
            except Exception:  # one failed check must not stop the others
                log.exception("Watchdog check %s failed", task.name)

    # --- the bot's own database ----------------------------------------------------------------

    async def database_failed(self, detail: str) -> None:
        """Something could not be written to the SOP log: say so once per incident."""
        if self._database_down:
            return
        self._database_down = True
        log.error("The SOP log cannot be written: %s", detail)
        await self.notifier.database_unwritable(problem(Code.DATABASE_UNWRITABLE, detail=detail))

    async def _database(self, now: datetime) -> None:
        """Can the log still be written, is it still the same file? Results kept aside while it
        could not be are merged once it can."""
        vanished = self._vanished()
        if vanished is not None:
            if not self._database_down:
                self._database_down = True
                log.error("The SOP log file %s was deleted or replaced", vanished)
                await self.notifier.database_unwritable(
                    problem(Code.DATABASE_VANISHED, path=vanished)
                )
            return
        try:
            await self.db.run(self.state.set, "probe:last_write", now.isoformat(), now)
            merged = await self.db.run(self.dumper.merge_journal) if self.dumper is not None else 0
        except LogBusy as exc:  # locked by another program for now: not down, tried next minute
            log.warning("The SOP log is busy: %s", exc)
            return
        except SQLAlchemyError as exc:
            await self.database_failed(describe_database_error(exc))
            return
        if self._database_down or merged:
            self._database_down = False
            log.warning("The SOP log can be written again; %s kept results merged", merged)
            await self.notifier.database_writable(merged)

    def _vanished(self) -> str | None:
        """For a SQLite log: its path, when the file is gone or is another file than at start."""
        if self._database_file is None:
            return None
        path, identity = self._database_file
        try:
            stat = path.stat()
        except OSError:
            return str(path)
        return None if (stat.st_dev, stat.st_ino) == identity else str(path)

    # --- repeat control -----------------------------------------------------------------------

    async def _due(self, mark: Mark, now: datetime, every: timedelta | None) -> bool:
        return await self.db.run(self.marks.due, mark, now, every)

    async def _mark(self, mark: Mark, now: datetime) -> None:
        """A mark must land (or the warning repeats): kept trying while the log is busy."""
        await self.db.keep(self.marks.set, mark, now)

    # --- checks ---------------------------------------------------------------------------

    async def _auto_copy(self, now: datetime) -> None:
        copier = self.copier
        if (
            copier is None
            or not copier.configured
            or not self.settings.external_auto_copy
            or copier.busy
            or (self.dumper is not None and self.dumper.busy)
        ):
            return
        try:  # the disk is foreign input, looked at in a worker thread, never on the loop
            disk = await copier.check_off_loop(writing=False)
        except DiskError:
            return  # not plugged in: the stale-copy alert speaks when it matters
        waiting = await asyncio.to_thread(copier.pending, disk)
        if waiting is None:
            return
        # One automatic try per dump and disk per ALERT_REPEAT_MINUTES: a full or read-only
        # disk is announced once in a while, not every minute.
        key = AUTOCOPY.at(disk.identity.id, waiting.id)
        if not await self._due(key, now, timedelta(minutes=self.settings.alert_repeat_minutes)):
            return
        await self._mark(key, now)
        log.info("External disk %s present with a dump waiting: copying", disk.identity.id)
        with contextlib.suppress(JobAlreadyRunning):
            copier.launch(Trigger.AUTO)

    async def _custody(self, now: datetime) -> None:
        """Which disk is plugged in; one left in after its copy is told to come off (the air
        gap: ransomware encrypts a plugged-in disk with the server), and after a day the Kabid
        is told."""
        copier = self.copier
        if copier is None or not copier.configured or copier.disks is None:
            return
        try:
            disk = await copier.check_off_loop(writing=False)
        except DiskError:
            await self.db.run(copier.disks.seen, None, now)
            return
        await self.db.run(copier.disks.seen, disk.identity.id, now)
        record = await self.db.run(copier.disks.get, disk.identity.id)
        if copier.busy or self._drilling() or record is None or record.plugged_since is None:
            return
        newest = await self.db.run(self.copylog.newest, disk_id=disk.identity.id, intact=None)
        last = newest.finished_at if newest else None
        wait = timedelta(minutes=self.settings.external_unplug_minutes)
        if last is not None and now - last >= wait and now - record.plugged_since >= wait:
            key = UNPLUG.at(disk.identity.id)
            if await self._due(key, now, wait):
                await self._mark(key, now)
                await self.notifier.unplug(disk.identity.label, last)
        if now - record.plugged_since >= timedelta(days=1):
            key = PLUGGED.at(disk.identity.id, now.date().isoformat())
            if await self._due(key, now, None):
                await self._mark(key, now)
                await self.notifier.plugged_too_long(disk.identity.label, record.plugged_since)

    async def _breach_clocks(self, now: datetime) -> None:
        """A lost disk with unencrypted copies: UU 27/2022 asks for notice within 3x24 hours;
        the Kabid is reminded every 12 hours until then."""
        if self.copier is None or self.copier.disks is None:
            return
        for disk in await self.db.run(self.copier.disks.all):
            if disk.lost_at is None or not await self.db.run(self.state.get, f"breach:{disk.id}"):
                continue  # not lost, or no plain copies on it, or stopped by /ketemu
            deadline = disk.lost_at + BREACH_NOTICE
            if now > deadline + timedelta(hours=12):
                continue
            key = BREACH_REMINDER.at(disk.id)
            if await self._due(key, now, timedelta(hours=12)):
                await self._mark(key, now)
                await self.notifier.breach_clock(disk.label, deadline)

    async def _installed(self) -> datetime | None:
        stored = await self.db.run(self.state.get, INSTALLED_KEY)
        return datetime.fromisoformat(stored) if stored else None

    async def _missing_dump(self, now: datetime) -> None:
        tz = self.settings.tz
        slot = last_slot(now, self.backup_time.hour, self.backup_time.minute, tz)
        installed = await self._installed()
        if installed is not None and slot < installed:
            return  # the first scheduled run after installation has not come yet
        # The deadline keeps its distance from BACKUP_TIME when /jadwal moves the schedule.
        deadline = self.settings.deadline
        configured = self.settings.backup_time
        gap = datetime.combine(slot.date(), deadline) - datetime.combine(slot.date(), configured)
        gap = gap if gap > timedelta() else gap + timedelta(days=1)
        due = slot + gap
        if now < due or (self.dumper is not None and self.dumper.busy):
            return
        last_good = await self.db.run(self.dumplog.last_good)
        if last_good is not None and last_good.started_at >= slot - timedelta(hours=1):
            return
        key = MISSING_DUMP.at(slot.date().isoformat())
        if await self._due(key, now, timedelta(minutes=self.settings.alert_repeat_minutes)):
            await self._mark(key, now)
            log.warning("No good dump since %s (due %s)", slot, due)
            await self.notifier.missing_dump(due, last_good)

    async def _stale_external(self, now: datetime) -> None:
        if self.copier is None or not self.copier.configured:
            return
        if await self.db.run(self.dumplog.last_good) is None:
            return  # nothing to copy yet
        max_age = timedelta(hours=self.settings.external_max_age_hours)
        # A copy /verifikasi found damaged is no copy: the warning speaks until it is replaced.
        last = await self.db.run(self.copylog.newest)
        if last is not None and last.finished_at is not None and now - last.finished_at < max_age:
            return
        installed = await self._installed()
        ever = (
            last is not None
            or await self.db.run(self.copylog.newest, intact=None, lost=None) is not None
        )
        if not ever and installed is not None and now - installed < max_age:
            return  # a new installation has had less than the allowed age to make its first
        if self.copier.busy:
            return
        key = STALE_EXTERNAL.at()
        if await self._due(key, now, timedelta(minutes=self.settings.alert_repeat_minutes)):
            await self._mark(key, now)
            log.warning("Last verified external copy is older than %s", max_age)
            await self.notifier.stale_external(last, max_age)

    async def _drill_overdue(self, now: datetime) -> None:
        """No passed restore drill for DRILL_MAX_AGE_DAYS (counted from the first verified copy
        when none ever passed): everyone is told, once a day, until one passes."""
        days = self.settings.drill_max_age_days
        if self.drilllog is None or not days:
            return
        if await self.db.run(self.copylog.newest_intact) is None:
            return  # nothing to drill yet: the stale-copy warning speaks
        last = await self.db.run(self.drilllog.last_passed)
        since_key = DRILL_WATCHED_SINCE.at()
        if last is not None and last.finished_at is not None:
            since = last.finished_at
        else:
            stored = await self.db.run(self.marks.when, since_key)
            if stored is None:
                await self._mark(since_key, now)
                return
            since = stored
        if now - since < timedelta(days=days):
            return
        key = DRILL_OVERDUE.at(now.astimezone(self.settings.tz).date().isoformat())
        if await self._due(key, now, None):
            await self._mark(key, now)
            log.warning("No passed restore drill since %s", since)
            await self.notifier.drill_overdue(days, last)

    async def _housekeeping(self, now: datetime) -> None:
        """Once a day: forget old one-off marks and messages long delivered."""
        key = HOUSEKEEPING.at(now.astimezone(self.settings.tz).date().isoformat())
        if not await self._due(key, now, None):
            return
        await self._mark(key, now)
        marks = await self.db.run(
            self.marks.forget_dated, tuple(self.known_marks()), now - KEEP_MARKS_FOR
        )
        sent = (
            await self.db.run(self.outbox.prune, now - KEEP_SENT_FOR)
            if self.outbox is not None
            else 0
        )
        if marks or sent:
            log.info("Housekeeping: %s old marks and %s delivered messages forgotten", marks, sent)

    async def _checkpoint(self, now: datetime) -> None:
        """Sign a checkpoint of the evidence chain after each batch, and at least daily."""
        if self.evidence is not None:
            await asyncio.to_thread(self.evidence.checkpoint_if_due, now)

    async def _daily_summary(self, now: datetime) -> None:
        tz = self.settings.tz
        report = self.settings.report_time
        slot = last_slot(now, report.hour, report.minute, tz)
        key = SUMMARY.at(slot.date().isoformat())
        installed = await self._installed()
        if installed is not None and slot < installed:
            return  # the first summary is the first morning after installation
        if now - slot > timedelta(hours=12) or not await self._due(key, now, None):
            return  # a summary more than 12 hours late is no longer news
        await self._mark(key, now)
        # The summary looks at the external disk: in a worker thread, not on the loop.
        await self.notifier.daily_summary(await asyncio.to_thread(self.summary, now))

    def summary(self, now: datetime) -> Summary:
        latest = self.dumplog.latest(1)
        last_dump = latest[0] if latest else None
        # Only what still counts: a copy found damaged or on a disk reported lost is no copy.
        last_copy = self.copylog.newest()
        copied = last_dump is not None and self.copylog.newest(dump_run_id=last_dump.id) is not None
        lost_copy = (
            self.copylog.newest(dump_run_id=last_dump.id, intact=None, lost=True)
            if last_dump is not None and not copied
            else None
        )
        server_free = _free(self.settings.dumps)
        external_free: int | None = None
        problem: Problem | None = None
        if self.copier is not None and self.copier.configured:
            try:
                external_free = self.copier.check(writing=False).free_bytes
            except DiskError as error:
                problem = error.problem
        drills = self.drilllog.latest(1) if self.drilllog is not None else []
        passed = self.drilllog.last_passed() if self.drilllog is not None else None
        return Summary(
            now,
            last_dump,
            last_copy,
            copied,
            server_free,
            external_free,
            problem,
            drills[0] if drills else None,
            passed,
            lost_copy.disk_label if lost_copy else None,
            self.evidence.fingerprint() if self.evidence is not None else None,
        )

    async def _reminders(self, now: datetime) -> None:
        every = self.settings.reminder_minutes
        if not every:
            return
        # Reminders are for the days an instruction is fresh; older open ones stay in /status
        # and the reports, and the per-minute work does not grow with a backlog of years.
        since = now - REMIND_FOR
        for instruction in await self.db.run(
            self.soplog.open_instructions, ASSIGNMENTS, since=since
        ):
            waited = self.settings.office.working_time(instruction.issued_at, now)
            late_by = waited - ASSIGNMENTS[instruction.target_role].standard
            if late_by <= timedelta():
                continue
            key = REMINDER.at(instruction.id)
            first = await self.db.run(self.marks.when, key) is None
            if await self._due(key, now, timedelta(minutes=every)):
                await self._mark(key, now)
                await self.notifier.overdue(instruction, late_by, first)


def describe_database_error(exc: Exception) -> str:
    """The driver's own first line (e.g. "database or disk is full"), without SQL or values."""
    cause = getattr(exc, "orig", None) or exc
    text = str(cause).splitlines()[0] if str(cause) else ""
    return f"{type(cause).__name__}: {text}"[:200]


def _sqlite_file(url: str) -> tuple[Path, tuple[int, int]] | None:
    """A SQLite log's path and identity (device, inode) as found at start."""
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    if (
        parsed.get_backend_name() != "sqlite"
        or not parsed.database
        or parsed.database == ":memory:"
    ):
        return None
    path = Path(parsed.database).resolve()
    try:
        stat = path.stat()
    except OSError:
        return None
    return path, (stat.st_dev, stat.st_ino)


def _free(folder: Path) -> int | None:
    """Free bytes where `folder` is (or would be: its nearest existing parent)."""
    for candidate in (folder, *folder.resolve().parents):
        try:
            return shutil.disk_usage(candidate).free
        except OSError:
            continue
    return None
