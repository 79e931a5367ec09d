"""The central witness's tables: what an office pushes (leaf hashes and signed checkpoints,
insert-only, checked by the database's triggers) and what the witness reads and adds (its
cosignature, an alarm for a bad signature). See the c0004 migration for the rules."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, text


@dataclass(frozen=True)
class Leaf:
    seq: int
    leaf: str  # hex
    body: str | None  # the entry, for kinds without personal data


@dataclass(frozen=True)
class Pushed:
    office_id: str
    size: int
    head: str
    note: str
    cosignature: str


@dataclass(frozen=True)
class Alarm:
    office_id: str
    at: datetime
    reason: str  # fork | gap | shorter | bad_signature
    seq: int | None


# --- the office's side (its own login; row-level security keeps it to its own rows) ----------


def stored_size(connection: Connection, office_id: str) -> int:
    found = connection.execute(
        text("SELECT max(seq) FROM chain_leaves WHERE office_id = :o"), {"o": office_id}
    ).scalar()
    return int(found or 0)


def push_leaves(connection: Connection, office_id: str, leaves: Sequence[Leaf]) -> None:
    if leaves:
        connection.execute(
            text(
                "INSERT INTO chain_leaves (office_id, seq, leaf, body, head) "
                "VALUES (:o, :seq, :leaf, :body, '')"
            ),
            [{"o": office_id, "seq": x.seq, "leaf": x.leaf, "body": x.body} for x in leaves],
        )


def push_checkpoint(
    connection: Connection, office_id: str, size: int, head: str, note: str
) -> None:
    connection.execute(
        text(
            "INSERT INTO chain_checkpoints (office_id, size, head, note) "
            "VALUES (:o, :size, :head, :note)"
        ),
        {"o": office_id, "size": size, "head": head, "note": note},
    )


def cosigned(connection: Connection, office_id: str, sizes: Sequence[int]) -> list[Pushed]:
    if not sizes:
        return []
    rows = connection.execute(
        text(
            "SELECT office_id, size, head, note, cosignature FROM chain_checkpoints "
            "WHERE office_id = :o AND size = ANY(:sizes) AND witnessed_at IS NOT NULL "
            "AND cosignature <> '-'"
        ),
        {"o": office_id, "sizes": list(sizes)},
    )
    return [Pushed(*row) for row in rows]


def newest_witnessed(connection: Connection, office_id: str) -> tuple[int, str] | None:
    row = connection.execute(
        text(
            "SELECT size, head FROM chain_checkpoints WHERE office_id = :o "
            "AND witnessed_at IS NOT NULL AND cosignature <> '-' ORDER BY size DESC LIMIT 1"
        ),
        {"o": office_id},
    ).first()
    return None if row is None else (int(row[0]), str(row[1]))


# --- the witness's side (the administrator's connection) -------------------------------------


def unwitnessed(connection: Connection, limit: int = 500) -> list[tuple[Pushed, str | None]]:
    """Checkpoints not yet cosigned, with their office's registered key (None: none)."""
    rows = connection.execute(
        text(
            "SELECT c.office_id, c.size, c.head, c.note, c.cosignature, k.vkey "
            "FROM chain_checkpoints c LEFT JOIN office_keys k USING (office_id) "
            "WHERE c.witnessed_at IS NULL ORDER BY c.received_at LIMIT :n"
        ),
        {"n": limit},
    )
    return [(Pushed(*row[:5]), row[5]) for row in rows]


def record_cosignature(
    connection: Connection, office_id: str, size: int, line: str, at: datetime
) -> None:
    connection.execute(
        text(
            "UPDATE chain_checkpoints SET cosignature = :line, witnessed_at = :at "
            "WHERE office_id = :o AND size = :size AND witnessed_at IS NULL"
        ),
        {"line": line, "at": at, "o": office_id, "size": size},
    )


def refuse(connection: Connection, office_id: str, size: int, at: datetime) -> None:
    """A checkpoint whose signature is not the office's key: marked refused, and an alarm."""
    record_cosignature(connection, office_id, size, "-", at)
    connection.execute(
        text(
            "INSERT INTO chain_alarms (office_id, reason, seq, at) "
            "VALUES (:o, 'bad_signature', :size, :at)"
        ),
        {"o": office_id, "size": size, "at": at},
    )


def alarms(connection: Connection, since: datetime | None = None) -> list[Alarm]:
    rows = connection.execute(
        text(
            "SELECT office_id, at, reason, seq FROM chain_alarms "
            "WHERE (CAST(:since AS timestamptz) IS NULL OR at >= :since) ORDER BY at"
        ),
        {"since": since},
    )
    return [Alarm(*row) for row in rows]


def register_key(connection: Connection, office_id: str, vkey: str) -> None:
    connection.execute(
        text(
            "INSERT INTO office_keys (office_id, vkey) VALUES (:o, :k) "
            "ON CONFLICT (office_id) DO UPDATE SET vkey = excluded.vkey, registered_at = now()"
        ),
        {"o": office_id, "k": vkey},
    )
