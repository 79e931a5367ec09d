"""The web view's reads of the central database: the fleet (every office this viewer may see,
with its drill level and this month's SOP days), one office's month of evidence, its drills and
its disks, and the central queue's health. Each runs on the caller's connection, inside the
viewer's transaction (storage.central.webaccess.viewing), so row-level security decides what is
seen. Every query is bounded: an index probe per office, or one office's month, or a LIMIT.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo
from enum import StrEnum
from functools import cached_property
from typing import Any

from sqlalchemy import Connection, text

from storage.central.view import (
    NO_COPY,
    NO_DUMP,
    NOT_ENCRYPTED,
    NOT_YET,
    SILENT,
    STARTS_SQL,
    OfficeState,
    office_states,
)

MAX_EVIDENCE = 400  # one office's month: about 4 records a day
MAX_DRILLS = 30
MAX_DISKS = 20
MAX_CHECKPOINTS = 10
MAX_CHAIN_ALARMS = 20
DISK_LABEL_CHARS = 40
# A disk plugged in this long is left in (the office's bot tells its Kabid after a day too):
# ransomware that reaches the server reaches it.
DISK_PLUGGED_TOO_LONG = timedelta(days=1)


class Standing(StrEnum):
    """An office's state on the fleet page, worst first."""

    UNSAFE = "tidak_aman"  # no recent verified copy, an unencrypted copy, or no recent dump
    SILENT = "diam"  # its bot has not been heard from: its evidence may be old news
    ATTENTION = "perlu_perhatian"  # backups good, but no restore proven lately
    SAFE = "aman"


STANDING_ORDER = tuple(Standing)
SERIOUS = (NO_COPY, NOT_ENCRYPTED, NO_DUMP)


def standing(state: OfficeState) -> Standing:
    if any(p in SERIOUS for p in state.problems):
        return Standing.UNSAFE
    if SILENT in state.problems:
        return Standing.SILENT
    if state.problems:
        return Standing.ATTENTION
    return Standing.SAFE


@dataclass(frozen=True)
class FleetRow:
    state: OfficeState
    drill_level: int | None  # of the last passed drill
    days_compliant: int  # SOP days this month with every required step done
    days_reported: int  # SOP days this month the office reported
    # The external disk at the last heartbeat: whether the bot watches one (None: it does not
    # say), since when the disk then plugged in had been in (None: none was), and its label.
    disk_watched: bool | None = None
    disk_plugged_since: datetime | None = None
    disk_label: str | None = None

    @cached_property
    def standing(self) -> Standing:  # asked several times per line of a page
        return standing(self.state)

    @property
    def disk_plugged(self) -> timedelta | None:
        """How long the disk had been plugged in at the last heartbeat: zero when none was, None
        when the office does not say (no heartbeat, a bot that watches no disk or is older)."""
        seen = self.state.seen_at
        if not self.disk_watched or seen is None:
            return None
        if self.disk_plugged_since is None:
            return timedelta(0)
        return max(timedelta(0), seen - self.disk_plugged_since)

    @property
    def disk_left_in(self) -> bool:
        """Plugged in for a day or more: the office's bot has told its Kabid to unplug it."""
        plugged = self.disk_plugged
        return plugged is not None and plugged >= DISK_PLUGGED_TOO_LONG

    @property
    def breaches(self) -> int:
        """SOP days this month not complete."""
        return self.days_reported - self.days_compliant


# Probes of ix_evidence_office_kind_ok_at, a few per office: the last drill's time (then its one
# row, for the level; an ORDER BY … LIMIT 1 was planned as a read of every drill, the planner
# not knowing how many rows the row-level policy keeps) and this month's SOP days (index-only).
EXTRAS_SQL = text(
    """
    SELECT o.office_id,
      (SELECT e.detail ->> 'level' FROM evidence e
        WHERE e.office_id = o.office_id AND e.kind = 'drill' AND e.ok
          AND e.happened_at = (
            SELECT max(m.happened_at) FROM evidence m
             WHERE m.office_id = o.office_id AND m.kind = 'drill' AND m.ok)
        LIMIT 1) AS drill_level,
      (SELECT count(*) FROM evidence e
        WHERE e.office_id = o.office_id AND e.kind = 'day' AND e.ok
          AND e.happened_at >= :month) AS compliant,
      (SELECT count(*) FROM evidence e
        WHERE e.office_id = o.office_id AND e.kind = 'day' AND NOT e.ok
          AND e.happened_at >= :month) AS incomplete,
      h.disk_watched, h.disk_plugged_since, h.disk_label
    FROM offices o LEFT JOIN heartbeats h ON h.office_id = o.office_id
    """
)

# The month's offices x days grid: one row per office with the month's days (as offsets from its
# first day) of each good dump and copy, from an index-only scan per office (no row of the
# history is read, and 514 rows, not 30,000, reach Python); then the copies later found damaged,
# looked up by their key (a handful).
GRID_SQL = text(
    """
    SELECT o.office_id, g.copies, g.dumps FROM offices o CROSS JOIN LATERAL (
      SELECT array_agg(s.d) FILTER (WHERE s.kind = 'copy') AS copies,
             array_agg(DISTINCT s.d) FILTER (WHERE s.kind = 'dump') AS dumps
      FROM (
        SELECT (e.happened_at AT TIME ZONE :tz)::date - CAST(:first AS date) AS d, e.kind
        FROM evidence e
        WHERE e.office_id = o.office_id AND e.kind IN ('dump', 'copy') AND e.ok
          AND e.happened_at >= :since AND e.happened_at < :until
      ) s
    ) g
    WHERE g.copies IS NOT NULL OR g.dumps IS NOT NULL
    """
)
DAMAGED_SQL = text(
    """
    SELECT c.office_id, (c.happened_at AT TIME ZONE :tz)::date - CAST(:first AS date) AS d
    FROM evidence x JOIN evidence c ON c.office_id = x.office_id AND c.key = x.detail ->> 'copy'
    WHERE x.kind = 'check' AND NOT x.ok AND c.kind = 'copy' AND c.ok
      AND c.happened_at >= :since AND c.happened_at < :until
    """
)


# When each office began (as the CLI's chart reads it, STARTS_SQL), asked only of the offices
# with no day or dump record before the month (one index probe each): the others began earlier,
# and a year of 514 offices need not be probed four times each for it.
NEW_STARTS_SQL = text(
    "SELECT s.* FROM ("  # noqa: S608 (constants only)
    + STARTS_SQL.text
    + """) s WHERE NOT EXISTS (
      SELECT 1 FROM evidence e
       WHERE e.office_id = s.office_id AND e.kind IN ('day', 'dump') AND e.happened_at < :since)
    """
)


def month_grid(
    connection: Connection, first: date, last: date, tz: tzinfo
) -> dict[str, dict[date, str]]:
    """Office -> day -> "copy" (a verified copy still intact), "dump" (a good dump, no copy),
    NOT_YET (before the office began: its first day or dump record, else the day it was added),
    or absent (nothing good): the same cells as the CLI's chart."""
    since = datetime.combine(first, time(), tz)
    until = datetime.combine(last + timedelta(days=1), time(), tz)
    values = {"tz": str(tz), "first": first, "since": since, "until": until}
    damaged: dict[str, Counter[int]] = {}
    for row in connection.execute(DAMAGED_SQL, values):
        damaged.setdefault(row.office_id, Counter())[int(row.d)] += 1
    grid: dict[str, dict[date, str]] = {}
    for start in connection.execute(NEW_STARTS_SQL, values):
        began = (start.first_seen or start.created_at).astimezone(tz).date()
        before = (min(began, last + timedelta(days=1)) - first).days
        if before > 0:
            grid[start.office_id] = {first + timedelta(days=n): NOT_YET for n in range(before)}
    day = [first + timedelta(days=n) for n in range((last - first).days + 1)]
    for row in connection.execute(GRID_SQL, values):
        days = grid.setdefault(row.office_id, {})  # evidence wins over "not yet"
        for offset in row.dumps or ():
            days[day[offset]] = "dump"
        lost = damaged.get(row.office_id)
        if lost is None:  # the usual case: no copy of the month found damaged
            for offset in row.copies or ():
                days[day[offset]] = "copy"
            continue
        copies = Counter(row.copies or ())
        copies.subtract(lost)
        for offset, n in copies.items():
            if n > 0:
                days[day[offset]] = "copy"
    return grid


def _level(value: object) -> int | None:
    try:
        return int(str(value)) if value is not None else None
    except ValueError:
        return None


def fleet(connection: Connection, now: datetime, month_start: datetime) -> list[FleetRow]:
    """Every office this viewer may see, worst first (the supervisor's order)."""
    states = office_states(connection, now)
    extras = {
        row.office_id: row for row in connection.execute(EXTRAS_SQL, {"month": month_start}).all()
    }
    rows = []
    for state in states:
        extra = extras.get(state.office_id)
        rows.append(
            FleetRow(
                state,
                _level(extra.drill_level) if extra else None,
                int(extra.compliant) if extra else 0,
                int(extra.compliant + extra.incomplete) if extra else 0,
                extra.disk_watched if extra else None,
                extra.disk_plugged_since if extra else None,
                extra.disk_label if extra else None,
            )
        )
    order = {s: n for n, s in enumerate(STANDING_ORDER)}
    return sorted(rows, key=lambda r: order[r.standing])  # stable: worst first within each


@dataclass(frozen=True)
class EvidenceLine:
    kind: str
    at: datetime
    ok: bool
    encrypted: bool | None
    facts: dict[str, Any]  # a chosen few fields of the record's detail, never free text


# What the office page shows of each kind: numbers, verdicts, codes and disk labels only.
SHOWN = {
    "dump": ("outcome", "size_bytes", "total_rows", "backend"),
    "copy": ("outcome", "disk", "size_bytes", "compressed"),
    "drill": ("outcome", "level", "restore_seconds", "disk", "mismatches"),
    "day": ("steps_done", "steps_required", "late_steps"),
    "check": ("disk",),
    "disk": ("disk",),
}


def _facts(kind: str, detail: dict[str, Any]) -> dict[str, Any]:
    facts = {}
    for name in SHOWN.get(kind, ()):
        value = detail.get(name)
        if isinstance(value, list):
            value = len(value)  # late steps: how many
        elif isinstance(value, str):
            value = value[:DISK_LABEL_CHARS]
        elif not isinstance(value, int | float | bool) and value is not None:
            continue
        facts[name] = value
    return facts


def month_evidence(
    connection: Connection, office_id: str, since: datetime, until: datetime
) -> list[EvidenceLine]:
    rows = connection.execute(
        text(
            "SELECT kind, happened_at, ok, encrypted, detail FROM evidence "
            "WHERE office_id = :o AND happened_at >= :since AND happened_at < :until "
            "ORDER BY happened_at DESC LIMIT :n"
        ),
        {"o": office_id, "since": since, "until": until, "n": MAX_EVIDENCE},
    ).all()
    return [
        EvidenceLine(r.kind, r.happened_at, r.ok, r.encrypted, _facts(r.kind, r.detail))
        for r in rows
    ]


def drills(connection: Connection, office_id: str) -> list[EvidenceLine]:
    rows = connection.execute(
        text(
            "SELECT kind, happened_at, ok, encrypted, detail FROM evidence "
            "WHERE office_id = :o AND kind = 'drill' ORDER BY happened_at DESC LIMIT :n"
        ),
        {"o": office_id, "n": MAX_DRILLS},
    ).all()
    return [
        EvidenceLine(r.kind, r.happened_at, r.ok, r.encrypted, _facts(r.kind, r.detail))
        for r in rows
    ]


@dataclass(frozen=True)
class DiskLine:
    label: str
    last_copy: datetime | None  # the newest verified copy on it (dated by its data)
    copies: int  # verified copies on it, ever
    encrypted: bool | None  # its newest verified copy
    damaged: int  # copies on it later found damaged or gone


def disks(connection: Connection, office_id: str) -> list[DiskLine]:
    """Each disk the office copied to: its newest intact copy (a copy found damaged later no
    longer counts, as in the fleet's view), how many, and how many were found damaged."""
    rows = connection.execute(
        text(
            """
            WITH damaged AS (
              SELECT detail ->> 'copy' AS key FROM evidence
               WHERE office_id = :o AND kind = 'check' AND NOT ok AND detail ? 'copy'
            ), copies AS (
              SELECT left(detail ->> 'disk', :chars) AS label, happened_at, encrypted,
                     kind = 'copy' AND ok AND key NOT IN (SELECT key FROM damaged) AS intact,
                     kind = 'check' AND NOT ok AS found_damaged
              FROM evidence
              WHERE office_id = :o AND kind IN ('copy', 'check') AND detail ? 'disk'
            )
            SELECT label,
              max(happened_at) FILTER (WHERE intact) AS last_copy,
              count(*) FILTER (WHERE intact) AS copies,
              (array_agg(encrypted ORDER BY happened_at DESC) FILTER (WHERE intact))[1]
                AS encrypted,
              count(*) FILTER (WHERE found_damaged) AS damaged
            FROM copies GROUP BY label ORDER BY last_copy DESC NULLS LAST LIMIT :n
            """
        ),
        {"o": office_id, "chars": DISK_LABEL_CHARS, "n": MAX_DISKS},
    ).all()
    return [
        DiskLine(r.label or "?", r.last_copy, int(r.copies), r.encrypted, int(r.damaged))
        for r in rows
    ]


class Witnessed(StrEnum):
    """What the central witness made of a checkpoint (`sopbot pusat saksi`)."""

    COSIGNED = "disaksikan"  # its signature checked against the office's key, and cosigned
    REFUSED = "ditolak"  # a signature the office's registered key does not verify
    WAITING = "belum"  # not yet looked at by the witness


@dataclass(frozen=True)
class CheckpointLine:
    size: int  # entries in the office's chain at this checkpoint
    received_at: datetime
    witnessed: Witnessed
    witnessed_at: datetime | None


@dataclass(frozen=True)
class ChainAlarmLine:
    at: datetime
    reason: str  # fork | gap | shorter | bad_signature (storage.central.witness)
    seq: int | None


def chain(
    connection: Connection, office_id: str
) -> tuple[list[CheckpointLine], list[ChainAlarmLine]]:
    """The office's newest checkpoints as the witness holds them, and its chain's alarms."""
    checkpoints = connection.execute(
        text(
            "SELECT size, received_at, cosignature, witnessed_at FROM chain_checkpoints "
            "WHERE office_id = :o ORDER BY size DESC LIMIT :n"
        ),
        {"o": office_id, "n": MAX_CHECKPOINTS},
    ).all()
    alarms = connection.execute(
        text(
            "SELECT at, reason, seq FROM chain_alarms WHERE office_id = :o "
            "ORDER BY at DESC LIMIT :n"
        ),
        {"o": office_id, "n": MAX_CHAIN_ALARMS},
    ).all()
    return (
        [
            CheckpointLine(int(r.size), r.received_at, _witnessed(r), r.witnessed_at)
            for r in checkpoints
        ],
        [ChainAlarmLine(r.at, r.reason, r.seq) for r in alarms],
    )


def _witnessed(row: Any) -> Witnessed:
    # storage.central.witness: a refusal is recorded as the cosignature "-".
    if row.witnessed_at is None:
        return Witnessed.WAITING
    return Witnessed.REFUSED if row.cosignature == "-" else Witnessed.COSIGNED


@dataclass(frozen=True)
class QueueHealth:
    offices: int
    queued: int  # records waiting at the offices, by their last heartbeats
    last_evidence: datetime | None  # the newest evidence stored (in the last two days)


def queue_health(connection: Connection, rows: list[FleetRow], now: datetime) -> QueueHealth:
    last = connection.scalar(
        text("SELECT max(happened_at) FROM evidence WHERE happened_at > :since"),
        {"since": now - timedelta(days=2)},
    )
    return QueueHealth(len(rows), sum(r.state.queued or 0 for r in rows), last)


def month_bounds(today: date) -> tuple[date, date]:
    first = today.replace(day=1)
    return first, today
