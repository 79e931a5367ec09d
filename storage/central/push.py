"""The office's side of the central database: deliver queued evidence and a heartbeat.

Runs with the office's own login; row-level security refuses a row with another office's id.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Connection, Engine, text
from sqlalchemy.dialects.postgresql import insert

from storage.central.record import EvidenceRecord
from storage.central.schema import Evidence


@contextmanager
def _transaction(bind: Engine | Connection) -> Iterator[Connection]:
    """One transaction on a new connection (an engine) or on the caller's connection (a link
    cycle delivers and beats over one connection)."""
    if isinstance(bind, Engine):
        with bind.begin() as connection:
            yield connection
    else:
        with bind.begin():
            yield bind


def deliver(bind: Engine | Connection, office_id: str, records: Sequence[EvidenceRecord]) -> int:
    """Store `records` in one transaction; a record already there (same key) is left as it is,
    so a delivery repeated after a lost answer stores nothing twice. Returns how many were new."""
    if not records:
        return 0
    rows = [
        {
            "office_id": office_id,
            "key": r.key,
            "seq": r.seq,
            "kind": r.kind,
            "happened_at": r.happened_at,
            "ok": r.ok,
            "encrypted": r.encrypted,
            "detail": r.detail,
        }
        for r in records
    ]
    statement = (
        insert(Evidence)
        .values(rows)
        .on_conflict_do_nothing(index_elements=["office_id", "key"])
        .returning(Evidence.key)  # only the rows really inserted
    )
    with _transaction(bind) as connection:
        return len(connection.execute(statement).all())


def beat(
    bind: Engine | Connection,
    office_id: str,
    at: datetime,
    version: str,
    queued: int,
    note: str,
    set_aside: int = 0,
    disk: DiskAtBeat | None = None,
) -> None:
    """The office is alive, with how much it still has to send and how many records it keeps
    aside. Through sopbot_beat(): the server takes the office from the login (refusing an
    `office_id` that is not the login's) and the time from its own clock (`at` is the caller's
    and is not sent); an office holds no UPDATE on the table, so it cannot lock every office's
    heartbeat. `disk` says how long the external disk has been plugged in (None: the bot watches
    no disk); a central database older than c0007 is not told."""
    del at
    values: dict[str, object] = {
        "office": office_id,
        "version": version[:32],
        "queued": max(0, min(queued, 2**31 - 1)),
        "note": note[:500],
        "set_aside": max(0, min(set_aside, 2**31 - 1)),
    }
    with _transaction(bind) as connection:
        functions = connection.execute(HAS_BEAT).one()
        if functions.with_disk:
            values["plugged"] = disk.plugged_seconds() if disk is not None else None
            values["label"] = disk.label[:32] if disk is not None and disk.label else None
            connection.execute(BEAT_WITH_DISK, values)
        elif functions.beat:
            connection.execute(BEAT, values)
        else:  # a central database not upgraded yet (c0001): offices there still update the row
            connection.execute(LEGACY_BEAT, values)


BEAT = text("SELECT sopbot_beat(:office, :version, :queued, :note, :set_aside)")
BEAT_WITH_DISK = text(
    "SELECT sopbot_beat(:office, :version, :queued, :note, :set_aside, :plugged, :label)"
)
HAS_BEAT = text(
    "SELECT to_regprocedure('public.sopbot_beat(text, text, integer, text, integer)') "
    "IS NOT NULL AS beat, to_regprocedure("
    "'public.sopbot_beat(text, text, integer, text, integer, integer, text)') "
    "IS NOT NULL AS with_disk"
)
# Longer than this is a clock or a bug (the central function refuses it too).
MAX_PLUGGED = timedelta(days=10 * 366)


@dataclass(frozen=True)
class DiskAtBeat:
    """The office's external disk at a heartbeat: since when the one plugged in has been in,
    on the office's clock (None: none is), and the time of looking on the same clock. Only the
    difference is sent: the central server dates it by its own clock."""

    plugged_since: datetime | None
    label: str | None
    now: datetime

    def plugged_seconds(self) -> int:
        """Seconds plugged in, or -1 when no disk is plugged in."""
        if self.plugged_since is None:
            return -1
        return int(
            min(max(self.now - self.plugged_since, timedelta(0)), MAX_PLUGGED).total_seconds()
        )


LEGACY_BEAT = text(
    "INSERT INTO heartbeats (office_id, seen_at, version, queued, note) "
    "VALUES (:office, now(), :version, :queued, :note) ON CONFLICT (office_id) DO UPDATE "
    "SET seen_at = excluded.seen_at, version = excluded.version, queued = excluded.queued, "
    "note = excluded.note"
)
