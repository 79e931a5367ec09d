"""The office's link to the central database: collect new evidence from the office's log into
the local queue, deliver the queue oldest first, and say the office is alive.

Blocking (database calls): the bot runs `cycle()` in a worker thread every PUSH_SECONDS. Nothing
here may break the office: a central server that is down, slow or refusing is logged and retried
at the next cycle, and the queue keeps every record until the central database has it.
"""

from __future__ import annotations

import logging
import re
import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import Connection, Engine
from sqlalchemy.exc import DBAPIError, SQLAlchemyError

from core.clock import Clock
from core.settings import Settings
from jobs.central import evidence
from jobs.central.chain_witness import push_chain
from jobs.evidence import Evidence
from jobs.report import build_report
from jobs.runtime import Runtime
from storage.central.admin import central_engine
from storage.central.push import beat, deliver
from storage.central.record import EvidenceRecord
from storage.central_queue import CentralQueue
from storage.copies import CopyLog, CopyRecord
from storage.drills import DrillLog
from storage.dumps import DumpLog
from storage.soplog import SopLog
from storage.state import StateStore

log = logging.getLogger(__name__)

BATCH = 200  # records per transaction
MAX_BATCHES = 10  # per cycle: a long backlog is caught up over several cycles
COLLECT_LIMIT = 500  # rows per kind per cycle
DAYS_PER_CYCLE = 62  # SOP days turned into records per cycle (a first start with years of log)
EPOCH = datetime(2000, 1, 1, tzinfo=UTC)
ORIGIN_KEY = "central:origin"
STUCK_AFTER = timedelta(days=2)  # longer than any job's timeout
WATERMARK = "central:after:"  # + kind: the last row of the office's log already queued


@dataclass(frozen=True)
class LinkStatus:
    delivered: int = 0
    queued: int = 0
    error: str = ""  # empty when the central database answered


@dataclass
class CentralLink:
    settings: Settings
    queue: CentralQueue
    dumps: DumpLog
    copies: CopyLog
    drills: DrillLog
    soplog: SopLog
    state: StateStore
    clock: Clock
    version: str = "?"
    _engine: Engine | None = field(default=None, repr=False)
    _last_beat: datetime | None = None
    _down_since: datetime | None = None
    _origin: str | None = None
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
            ("dump", self.dumps.after, evidence.from_dump),
            ("copy", self.copies.after, self._copy_record),
            ("drill", self.drills.after, evidence.from_drill),
        )
        for kind, rows_after, to_record in sources:
            after = int(self.state.get(WATERMARK + kind) or 0)
            mark = after
            waiting = False
            for row in rows_after(after, COLLECT_LIMIT):
                if row.outcome == "running" or row.finished_at is None:
                    stuck = now - row.started_at > STUCK_AFTER
                    waiting = waiting or not stuck
                else:
                    queued += self.queue.add(to_record(row, self.origin), now)  # type: ignore[arg-type]
                if not waiting:
                    mark = row.id
            if mark != after:
                self.state.set(WATERMARK + kind, str(mark), now)
        return queued + self._collect_damage(now) + self._collect_days(now)

    def _copy_record(self, copy: CopyRecord, origin: str) -> EvidenceRecord:
        dump = self.dumps.get(copy.dump_run_id) if copy.dump_run_id else None
        return evidence.from_copy(copy, origin, dump.finished_at if dump else None)

    def _collect_damage(self, now: datetime) -> int:
        """Copies found damaged since the last time, by (check time, id). A position in the
        future (the clock was set back since) is moved back to a day before now."""
        at_text, _, id_text = (self.state.get(WATERMARK + "check") or "").partition("|")
        at, after_id = (datetime.fromisoformat(at_text), int(id_text)) if at_text else (EPOCH, 0)
        if at > now:
            at, after_id = now - timedelta(days=1), 0
        found = self.copies.damaged_after(at, after_id)
        queued = sum(self.queue.add(evidence.from_damage(c, self.origin), now) for c in found)
        if found:
            last = found[-1]
            assert last.checked_at is not None
            self.state.set(WATERMARK + "check", f"{last.checked_at.isoformat()}|{last.id}", now)
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
                month, last, self.soplog, self.dumps, self.copies, self.settings.office, self.drills
            )
            for row in report.days:
                if first <= row.day <= last and row.dump != "no_data":
                    queued += self.queue.add(evidence.from_day(row, tz, self.origin), now)
            month = (month + timedelta(days=32)).replace(day=1)
        self.state.set(WATERMARK + "day", last.isoformat(), now)
        return queued

    def _first_day(self) -> date | None:
        firsts = [d for d in (self.soplog.first_run_date(), self.dumps.first_run_date()) if d]
        return min(firsts) if firsts else None

    # --- delivering ---------------------------------------------------------------------------

    def deliver_pending(self, connection: Connection) -> int:
        """Send the queue oldest first, in order, a batch per transaction. A batch the central
        database stored but whose answer was lost is sent again and stored nothing twice."""
        delivered = 0
        for _ in range(MAX_BATCHES):
            batch: list[EvidenceRecord] = self.queue.pending(BATCH)
            if not batch:
                break
            deliver(connection, self.settings.office_id, batch)
            self.queue.mark_sent([r.seq for r in batch], self.clock.now())
            delivered += len(batch)
        return delivered

    def _beat_due(self, now: datetime) -> bool:
        every = timedelta(minutes=self.settings.central_heartbeat_minutes)
        return self._last_beat is None or now - self._last_beat >= every

    def cycle(self) -> LinkStatus:
        """Collect, deliver, beat, over one connection, opened only when there is something to
        send or a heartbeat is due. Never raises for the central side: the error is returned and
        logged (once per outage), the records stay queued."""
        self.collect()
        queued, _ = self.queue.waiting()
        now = self.clock.now()
        if not queued and not self._beat_due(now):
            return LinkStatus(0, 0)
        delivered = 0
        try:
            with self.engine.connect() as connection:
                delivered = self.deliver_pending(connection)
                queued, _ = self.queue.waiting()
                if self._beat_due(now):
                    beat(connection, self.settings.office_id, now, self.version, queued, "")
                    self._last_beat = now
                    self._push_chain(connection, now)
        except (SQLAlchemyError, ImportError) as error:
            queued, _ = self.queue.waiting()
            reason = describe(error)
            if self._down_since is None:
                self._down_since = now
                log.warning(
                    "Central database unreachable or refusing (%s); %d queued", reason, queued
                )
            return LinkStatus(delivered, queued, reason)
        if self._down_since is not None:
            log.info("Central database answers again; delivered %d", delivered)
            self._down_since = None
        return LinkStatus(delivered, queued)

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


def describe(error: SQLAlchemyError | ImportError) -> str:
    """One English line without the URL or the password: the driver's first line only."""
    if isinstance(error, ImportError):
        return 'no PostgreSQL driver: pip install ".[postgres]" in the sopbot folder'

    original = error.orig if isinstance(error, DBAPIError) else None
    lines = str(original or error).splitlines()
    text = lines[0] if lines else type(error).__name__
    if "row-level security" in text:
        return "the central database refused a row of another office: OFFICE_ID is not the login's"
    return re.sub(r"://[^@\s]*@", "://***@", text)[:300]


def link_for(runtime: Runtime, version: str = "?") -> CentralLink:
    """The link of this bot's (or CLI's) runtime."""
    return CentralLink(
        runtime.settings,
        runtime.central_queue,
        runtime.dumplog,
        runtime.copylog,
        runtime.drilllog,
        runtime.log,
        runtime.state,
        runtime.clock,
        version=version,
        evidence=runtime.evidence,
    )
