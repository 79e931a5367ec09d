"""The office's link to the central database: collect new evidence from the office's log into
the local queue, deliver the queue oldest first, and say the office is alive.

Blocking (database calls): the bot runs `cycle()` in a worker thread every PUSH_SECONDS. Nothing
here may break the office: a central server that is down, slow or refusing is logged and retried
at the next cycle, and the queue keeps every record until the central database has it.
"""

from __future__ import annotations

import json
import logging
import re
import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import Connection, Engine
from sqlalchemy.exc import DBAPIError, SQLAlchemyError

from central import evidence
from central.chain_witness import push_chain
from core.clock import Clock
from core.settings import Settings
from jobs.evidence import Evidence
from jobs.external.lost import DISK_EVENTS, FOUND, read_event
from jobs.runtime import Runtime
from storage.audit import AuditLog
from storage.central.admin import central_engine
from storage.central.push import DiskAtBeat, beat, deliver
from storage.central.record import EvidenceRecord
from storage.central_queue import CentralQueue
from storage.copies import CopyLog, CopyRecord
from storage.disks import DiskRegistry
from storage.drills import DrillLog
from storage.dumps import DumpLog
from storage.month import build_report
from storage.soplog import SopLog
from storage.state import StateStore
from storage.states import UNDER_WAY

log = logging.getLogger(__name__)

BATCH = 200  # records per transaction
MAX_BATCHES = 10  # per cycle: a long backlog is caught up over several cycles
COLLECT_LIMIT = 500  # rows per kind per cycle
DAYS_PER_CYCLE = 62  # SOP days turned into records per cycle (a first start with years of log)
EPOCH = datetime(2000, 1, 1, tzinfo=UTC)
ORIGIN_KEY = "central:origin"
STUCK_AFTER = timedelta(days=2)  # longer than any job's timeout
WATERMARK = "central:after:"  # + kind: the last row of the office's log already queued
MAX_DETAIL_BYTES = 65536  # the central database's check (ck_evidence_small)
RETRY_SET_ASIDE = timedelta(days=1)
# Refusals of one record, whatever is tried again: a data exception (class 22: a value too long,
# a character jsonb cannot hold, …), a check (23514: too large, a kind the central database does
# not know yet) or a missing value (23502). Anything else (the link, a timeout, the daily quota,
# another office's id) is about the moment or the login, and the record waits in the queue.
NEVER_STORABLE = ("22", "23514", "23502")


@dataclass(frozen=True)
class LinkStatus:
    delivered: int = 0
    queued: int = 0
    error: str = ""  # empty when the central database answered
    set_aside: tuple[str, ...] = ()  # keys of the records set aside in this cycle


@dataclass
class CentralLink:
    settings: Settings
    queue: CentralQueue
    dumplog: DumpLog
    copylog: CopyLog
    drilllog: DrillLog
    soplog: SopLog
    state: StateStore
    clock: Clock
    version: str = "?"
    audit: AuditLog | None = None  # disks lost and found are read from the audit trail
    disks: DiskRegistry | None = None
    _engine: Engine | None = field(default=None, repr=False)
    _last_beat: datetime | None = None
    _down_since: datetime | None = None
    _origin: str | None = None
    _newly_set_aside: list[str] = field(default_factory=list, repr=False)
    evidence: Evidence | None = None  # the evidence chain, pushed to the central witness
    _chain_trouble: bool = False

    @property
    def engine(self) -> Engine:
        if self._engine is None:
            self._engine = central_engine(self.settings.central_database_url.get_secret_value())
        return self._engine

    # --- collecting ---------------------------------------------------------------------------

    @property
    def origin(self) -> str:
        """This installation's mark in every key, made once and kept in the office's database."""
        if self._origin is None:
            found = self.state.get(ORIGIN_KEY)
            if found is None:
                found = uuid.uuid4().hex[:12]
                self.state.set(ORIGIN_KEY, found, self.clock.now())
            self._origin = found
        return self._origin

    def collect(self) -> int:
        """Queue evidence the office's log has finished since the last time. Returns how many
        records were queued (the queue ignores a key it has, so reading a row twice is harmless).

        A row still running is passed over and its kind's watermark stays before it, so it is
        read again until it has its verdict; one left running for days (a process killed before
        the next start could mark it) no longer holds the watermark."""
        now = self.clock.now()
        queued = 0
        sources = (
            ("dump", self.dumplog.after, evidence.from_dump),
            ("copy", self.copylog.after, self._copy_record),
            ("drill", self.drilllog.after, evidence.from_drill),
        )
        for kind, rows_after, to_record in sources:
            after = int(self.state.get(WATERMARK + kind) or 0)
            mark = after
            waiting = False
            for row in rows_after(after, COLLECT_LIMIT):
                if row.outcome in UNDER_WAY or row.finished_at is None:
                    stuck = now - row.started_at > STUCK_AFTER
                    waiting = waiting or not stuck
                else:
                    queued += self.queue.add(to_record(row, self.origin), now)  # type: ignore[arg-type]
                if not waiting:
                    mark = row.id
            if mark != after:
                self.state.set(WATERMARK + kind, str(mark), now)
        return (
            queued + self._collect_damage(now) + self._collect_disks(now) + self._collect_days(now)
        )

    def _copy_record(self, copy: CopyRecord, origin: str) -> EvidenceRecord:
        dump = self.dumplog.get(copy.dump_run_id) if copy.dump_run_id else None
        return evidence.from_copy(copy, origin, dump.finished_at if dump else None)

    def _collect_damage(self, now: datetime) -> int:
        """Copies found damaged since the last time, by (check time, id). A position in the
        future (the clock was set back since) is moved back to a day before now."""
        at_text, _, id_text = (self.state.get(WATERMARK + "check") or "").partition("|")
        at, after_id = (datetime.fromisoformat(at_text), int(id_text)) if at_text else (EPOCH, 0)
        if at > now:
            at, after_id = now - timedelta(days=1), 0
        found = self.copylog.damaged_after(at, after_id)
        queued = sum(self.queue.add(evidence.from_damage(c, self.origin), now) for c in found)
        if found:
            last = found[-1]
            assert last.checked_at is not None
            self.state.set(WATERMARK + "check", f"{last.checked_at.isoformat()}|{last.id}", now)
        return queued

    def _collect_disks(self, now: datetime) -> int:
        """Disks reported lost or found since the last time (from the audit trail), in order."""
        if self.audit is None or self.disks is None:
            return 0
        after = int(self.state.get(WATERMARK + "disk") or 0)
        events = self.audit.after(after, DISK_EVENTS, COLLECT_LIMIT)
        queued = 0
        for event_id, at, action, detail in events:
            disk = read_event(detail, self.disks)
            if disk is not None:
                record = evidence.from_disk_event(
                    event_id, at, disk[0], disk[1], action == FOUND, self.origin
                )
                queued += self.queue.add(record, now)
        if events:
            self.state.set(WATERMARK + "disk", str(events[-1][0]), now)
        return queued

    def _collect_days(self, now: datetime) -> int:
        """Each SOP day once it is over (yesterday and before), from the first day on record."""
        tz = self.settings.tz
        today = now.astimezone(tz).date()
        done = self.state.get(WATERMARK + "day")
        first = date.fromisoformat(done) + timedelta(days=1) if done else self._first_day()
        if first is None or first >= today:
            return 0
        last = min(today - timedelta(days=1), first + timedelta(days=DAYS_PER_CYCLE - 1))
        queued = 0
        month = first.replace(day=1)
        while month <= last:
            report = build_report(
                month,
                last,
                self.soplog,
                self.dumplog,
                self.copylog,
                self.settings.office,
                self.drilllog,
            )
            for row in report.days:
                if first <= row.day <= last and row.dump != "no_data":
                    queued += self.queue.add(evidence.from_day(row, tz, self.origin), now)
            month = (month + timedelta(days=32)).replace(day=1)
        self.state.set(WATERMARK + "day", last.isoformat(), now)
        return queued

    def _first_day(self) -> date | None:
        firsts = [d for d in (self.soplog.first_run_date(), self.dumplog.first_run_date()) if d]
        return min(firsts) if firsts else None

    # --- delivering ---------------------------------------------------------------------------

    def deliver_pending(self, connection: Connection) -> int:
        """Send the queue oldest first, in order, a batch per transaction. A batch the central
        database stored but whose answer was lost is sent again and stored nothing twice. A
        record it will never store is set aside (kept, marked, reported), not left in the way
        of everything after it."""
        delivered = 0
        for _ in range(MAX_BATCHES):
            batch: list[EvidenceRecord] = self.queue.pending(BATCH)
            if not batch:
                break
            delivered += self._deliver(connection, [r for r in batch if self._storable(r)])
        return delivered

    def _deliver(self, connection: Connection, batch: list[EvidenceRecord]) -> int:
        try:
            deliver(connection, self.settings.office_id, batch)
        except DBAPIError as error:
            if not never_storable(error) or len(batch) == 1:
                if never_storable(error):
                    self._set_aside(batch[0], describe(error))
                    return 0
                raise
            # Which record is it? Each alone, in order; the others go on.
            return sum(self._deliver(connection, [record]) for record in batch)
        self.queue.mark_sent([r.seq for r in batch], self.clock.now())
        return len(batch)

    def _storable(self, record: EvidenceRecord) -> bool:
        """The central database's own size check, made here first: a record over it is set
        aside without a round trip."""
        size = len(json.dumps(record.detail, ensure_ascii=False).encode("utf-8"))
        if size <= MAX_DETAIL_BYTES:
            return True
        self._set_aside(record, f"record too large for the central database ({size} bytes)")
        return False

    def _set_aside(self, record: EvidenceRecord, reason: str) -> None:
        log.error("Central database will not store %s (%s): set aside", record.key, reason)
        self.queue.set_aside(record.seq, reason, self.clock.now())
        self._newly_set_aside.append(record.key)

    def retry_set_aside(self, connection: Connection, now: datetime) -> int:
        """Records set aside a day ago or more are tried again, one by one (the central database
        may have been upgraded to take them); one refused again waits another day."""
        delivered = 0
        for record in self.queue.set_aside_before(now - RETRY_SET_ASIDE):
            try:
                deliver(connection, self.settings.office_id, [record])
            except DBAPIError as error:
                if not never_storable(error):
                    raise
                self.queue.set_aside(record.seq, describe(error), now)
                continue
            self.queue.mark_sent([record.seq], now)
            delivered += 1
        return delivered

    def _beat_due(self, now: datetime) -> bool:
        every = timedelta(minutes=self.settings.central_heartbeat_minutes)
        return self._last_beat is None or now - self._last_beat >= every

    def cycle(self) -> LinkStatus:
        """Collect, deliver, beat, over one connection, opened only when there is something to
        send or a heartbeat is due. The heartbeat does not depend on the delivery: an office
        whose evidence cannot be stored is still seen alive, with the reason in its heartbeat.
        Never raises for the central side: the error is returned and logged (once per outage),
        the records stay queued."""
        self.collect()
        self._newly_set_aside = []
        queued, _ = self.queue.waiting()
        now = self.clock.now()
        if not queued and not self._beat_due(now):
            return LinkStatus(0, 0)
        delivered, reason = 0, ""
        try:
            with self.engine.connect() as connection:
                try:
                    delivered = self.deliver_pending(connection)
                    delivered += self.retry_set_aside(connection, now)
                except SQLAlchemyError as error:
                    reason = describe(error)
                    connection.invalidate()  # whatever state it is in, the beat gets a fresh one
                if self._beat_due(now):
                    self._beat(connection if not reason else None, now, reason)
                    if not reason:
                        self._push_chain(connection, now)
        except (SQLAlchemyError, ImportError) as error:
            reason = reason or describe(error)
        queued, _ = self.queue.waiting()
        aside = tuple(self._newly_set_aside)
        if reason:
            if self._down_since is None:
                self._down_since = now
                log.warning(
                    "Central database unreachable or refusing (%s); %d queued", reason, queued
                )
            return LinkStatus(delivered, queued, reason, aside)
        if self._down_since is not None:
            log.info("Central database answers again; delivered %d", delivered)
            self._down_since = None
        return LinkStatus(delivered, queued, "", aside)

    def _beat(self, connection: Connection | None, now: datetime, reason: str) -> None:
        queued, _ = self.queue.waiting()
        aside = len(self.queue.kept_aside())
        office = self.settings.office_id
        disk = self._disk_at(now)
        if connection is None:
            with self.engine.connect() as fresh:
                beat(fresh, office, now, self.version, queued, reason, aside, disk)
        else:
            beat(connection, office, now, self.version, queued, reason, aside, disk)
        self._last_beat = now

    def _disk_at(self, now: datetime) -> DiskAtBeat | None:
        """The external disk as the watchdog last saw it (it looks every minute): which one is
        plugged in and since when. None when the bot watches no disk."""
        if self.disks is None or self.settings.external_disk_path is None:
            return None
        plugged = [d for d in self.disks.all() if d.plugged_since is not None]
        if not plugged:
            return DiskAtBeat(None, None, now)
        disk = min(plugged, key=lambda d: d.plugged_since or now)
        return DiskAtBeat(disk.plugged_since, disk.label, now)

    def _push_chain(self, connection: Connection, now: datetime) -> None:
        """The chain to the witness, at each heartbeat. Its trouble (a central database not yet
        upgraded) never stops the evidence records; it is logged once until it works."""
        if self.evidence is None:
            return
        try:
            push_chain(connection, self.settings.office_id, self.evidence, now)
        except SQLAlchemyError as error:
            if not self._chain_trouble:
                log.warning("Evidence chain not pushed to the witness: %s", describe(error))
            self._chain_trouble = True
            return
        self._chain_trouble = False

    @property
    def down_since(self) -> datetime | None:
        return self._down_since


def never_storable(error: DBAPIError) -> bool:
    state = str(getattr(error.orig, "sqlstate", "") or "")
    return bool(state) and state.startswith(NEVER_STORABLE)


def describe(error: SQLAlchemyError | ImportError) -> str:
    """One English line without the URL or the password: the driver's first line only."""
    if isinstance(error, ImportError):
        return 'no PostgreSQL driver: pip install ".[postgres]" in the sopbot folder'

    original = error.orig if isinstance(error, DBAPIError) else None
    lines = str(original or error).splitlines()
    text = lines[0] if lines else type(error).__name__
    if "row-level security" in text:
        return "the central database refused a row of another office: OFFICE_ID is not the login's"
    if "daily quota" in text:
        return "the central database's daily quota for this office is used up: the rest waits"
    return re.sub(r"://[^@\s]*@", "://***@", text)[:300]


def link_for(runtime: Runtime, version: str = "?") -> CentralLink:
    """The link of this bot's (or CLI's) runtime."""
    return CentralLink(
        runtime.settings,
        runtime.central_queue,
        runtime.dumplog,
        runtime.copylog,
        runtime.drilllog,
        runtime.soplog,
        runtime.state,
        runtime.clock,
        version=version,
        audit=runtime.audit,
        disks=runtime.disks,
        evidence=runtime.evidence,
    )
