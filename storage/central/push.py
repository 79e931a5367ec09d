"""The office's side of the central database: deliver queued evidence and a heartbeat.

Runs with the office's own login; row-level security refuses a row with another office's id.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime

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
) -> None:
    """The office is alive, with how much it still has to send and how many records it keeps
    aside. Through sopbot_beat(): the server takes the office from the login (refusing an
    `office_id` that is not the login's) and the time from its own clock (`at` is the caller's
    and is not sent); an office holds no UPDATE on the table, so it cannot lock every office's
    heartbeat."""
    del at
    values: dict[str, object] = {
        "office": office_id,
        "version": version[:32],
        "queued": max(0, min(queued, 2**31 - 1)),
        "note": note[:500],
        "set_aside": max(0, min(set_aside, 2**31 - 1)),
    }
    with _transaction(bind) as connection:
        if connection.scalar(HAS_BEAT):
            connection.execute(BEAT, values)
        else:  # a central database not upgraded yet (c0001): offices there still update the row
            connection.execute(LEGACY_BEAT, values)


BEAT = text("SELECT sopbot_beat(:office, :version, :queued, :note, :set_aside)")
HAS_BEAT = text(
    "SELECT to_regprocedure('public.sopbot_beat(text, text, integer, text, integer)') IS NOT NULL"
)
LEGACY_BEAT = text(
    "INSERT INTO heartbeats (office_id, seen_at, version, queued, note) "
    "VALUES (:office, now(), :version, :queued, :note) ON CONFLICT (office_id) DO UPDATE "
    "SET seen_at = excluded.seen_at, version = excluded.version, queued = excluded.queued, "
    "note = excluded.note"
)
