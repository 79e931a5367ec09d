"""The office's side of the central database: deliver queued evidence and a heartbeat.

Runs with the office's own login; row-level security refuses a row with another office's id.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime

from sqlalchemy import Connection, Engine
from sqlalchemy.dialects.postgresql import insert

from storage.central.record import EvidenceRecord
from storage.central.schema import Evidence, Heartbeat


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
    bind: Engine | Connection, office_id: str, at: datetime, version: str, queued: int, note: str
) -> None:
    """The office is alive, with how much it still has to send."""
    statement = insert(Heartbeat).values(
        office_id=office_id, seen_at=at, version=version[:32], queued=queued, note=note[:500]
    )
    statement = statement.on_conflict_do_update(
        index_elements=["office_id"],
        set_={
            "seen_at": statement.excluded.seen_at,  # the server's clock (a trigger sets it)
            "version": statement.excluded.version,
            "queued": statement.excluded.queued,
            "note": statement.excluded.note,
        },
    )
    with _transaction(bind) as connection:
        connection.execute(statement)
