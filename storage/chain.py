"""The evidence chain: every event that is evidence, append-only and hash-linked.

Each entry has a sequence number, a time, a kind and a canonical JSON body; its leaf hash is
RFC 6962's SHA-256(0x00 ‖ body) and the chain's head after it is SHA-256(previous head ‖ leaf),
starting from 32 zero bytes. An entry is written in the same transaction as the row it records,
by the storage module that writes that row (`record_row`), so no caller can forget it. Appending
reads only the newest entry (a primary-key probe): O(1) whatever the history.

A row's entry holds a snapshot of the row's evidence fields; the newest entry for a row must
equal the row as it is, so a row edited in its own table is caught (storage/chain_check.py).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import Date, select, text
from sqlalchemy.orm import Session

from core.merkle import Tree
from storage.models import (
    AuditEvent,
    Base,
    ChainEntry,
    DumpRun,
    ExternalCopy,
    ExternalDisk,
    Instruction,
    Member,
    RestoreDrill,
    StepEvent,
    UTCDateTime,
)
from storage.states import UNDER_WAY

GENESIS = bytes(32)
# One PostgreSQL advisory lock serializes appenders (SQLite serializes writers by itself).
APPEND_LOCK = 0x50_1B_07_24


@dataclass(frozen=True)
class Subject:
    """A table whose rows are evidence: its kind in the chain and the fields that count."""

    kind: str
    model: type[Base]
    fields: tuple[str, ...]
    # Rows in this state are not evidence yet (a dump still running): not recorded.
    pending: Callable[[Mapping[str, Any]], bool] = lambda row: False


def _running(row: Mapping[str, Any]) -> bool:
    return row.get("outcome") in UNDER_WAY


SUBJECTS: tuple[Subject, ...] = (
    Subject(
        "dump",
        DumpRun,
        (
            "run_date", "trigger", "requested_by", "backend", "job_name", "started_at",
            "finished_at", "outcome", "file_path", "size_bytes", "sha256", "total_rows",
            "tables_json", "errors", "warnings", "consistent_as_of",
        ),
        _running,
    ),
    Subject(
        "copy",
        ExternalCopy,
        (
            "dump_run_id", "source_path", "dest_path", "disk_id", "disk_label", "trigger",
            "requested_by", "started_at", "finished_at", "outcome", "size_bytes", "sha256",
            "compressed", "encrypted", "error", "checked_at", "check_ok",
        ),
        _running,
    ),
    Subject(
        "drill",
        RestoreDrill,
        (
            "copy_id", "dump_run_id", "file_name", "disk_label", "backend", "level", "trigger",
            "requested_by", "started_at", "finished_at", "outcome", "restore_seconds",
            "compared", "mismatches", "proofs", "errors",
        ),
        _running,
    ),
    Subject(
        "disk", ExternalDisk, ("label", "size_bytes", "registered_at", "lost_at", "retired_at")
    ),
    Subject(
        "member",
        Member,
        ("user_id", "role", "name", "added_by", "added_at", "removed_by", "removed_at"),
    ),
    Subject(
        "instruction",
        Instruction,
        (
            "run_id", "target_role", "issued_by", "issued_at", "note", "status", "closed_by",
            "closed_at", "close_note",
        ),
    ),
    Subject(
        "step",
        StepEvent,
        (
            "run_id", "step_number", "actor_id", "actor_role", "started_at", "finished_at",
            "outcome", "note", "problem", "instruction_id",
        ),
    ),
    Subject("audit", AuditEvent, ("at", "actor_id", "action", "detail")),
)  # fmt: skip
SUBJECT_OF_MODEL = {subject.model: subject for subject in SUBJECTS}
SUBJECT_OF_KIND = {subject.kind: subject for subject in SUBJECTS}
# Kinds whose bodies the central view already receives: sent whole to the witness when they
# name nobody (no Telegram id of who asked); the others as their leaf hashes only.
PUBLIC_KINDS = frozenset({"dump", "copy", "drill", "disk", "setting"})


def _value(value: Any) -> Any:
    if isinstance(value, datetime):
        if value.tzinfo is UTC:  # as the log hands them back: no conversion needed
            return value.isoformat()
        aware = value if value.tzinfo is not None else value.replace(tzinfo=UTC)
        return aware.astimezone(UTC).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return value


def snapshot(subject: Subject, row: Mapping[str, Any]) -> dict[str, Any]:
    """The evidence fields of a row, as JSON values; the dump's per-table rows as their hash."""
    state = {name: _value(row[name]) for name in subject.fields}
    if subject.kind == "dump":
        tables = str(state.pop("tables_json") or "[]")
        state["tables_sha256"] = hashlib.sha256(tables.encode("utf-8")).hexdigest()
    return state


def time_columns(subject: Subject) -> frozenset[str]:
    """The subject's fields holding a time or a date."""
    return frozenset(
        name
        for name in subject.fields
        if isinstance(subject.model.__table__.c[name].type, (UTCDateTime, Date))
    )


def _raw_time(value: Any) -> Any:
    """A time or date as read without its column type, as `_value` writes it: SQLite's text
    ("2026-11-01 01:00:00.000000", naive UTC, as SQLAlchemy stores it) is rewritten without
    building a datetime; anything else goes through `_value`."""
    if isinstance(value, str):
        if len(value) == 10:
            return value  # a date
        fraction = value[19:26]
        if fraction == ".000000":
            fraction = ""
        return f"{value[:10]}T{value[11:19]}{fraction}+00:00"
    if isinstance(value, datetime) and value.tzinfo is None:
        return value.replace(tzinfo=UTC).isoformat()
    return _value(value)


def snapshotter(subject: Subject) -> Callable[[Sequence[Any]], dict[str, Any]]:
    """A quick `snapshot` for many rows read with `subject.fields` in order, the times and
    dates read untyped (see `time_columns`). Its result is the canonical one for rows as the
    log writes them; for anything else it may differ, so a row whose quick snapshot differs
    from its entry must be judged again with `snapshot`."""
    times = time_columns(subject)
    converters = [_raw_time if name in times else None for name in subject.fields]
    names = subject.fields
    tables = names.index("tables_json") if subject.kind == "dump" else -1

    def convert(values: Sequence[Any]) -> dict[str, Any]:
        state = {
            name: (value if convert is None or value is None else convert(value))
            for name, value, convert in zip(names, values, converters, strict=True)
        }
        if tables >= 0:
            encoded = str(state.pop("tables_json") or "[]").encode("utf-8")
            state["tables_sha256"] = hashlib.sha256(encoded).hexdigest()
        return state

    return convert


def orm_row(model_row: Base, subject: Subject) -> dict[str, Any]:
    return {name: getattr(model_row, name) for name in subject.fields}


_CANONICAL = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def canonical(body: Mapping[str, Any]) -> str:
    return _CANONICAL.encode(body)


def leaf_hash(body: str) -> bytes:
    return hashlib.sha256(b"\x00" + body.encode("utf-8")).digest()


def link(previous: bytes, leaf: bytes) -> bytes:
    return hashlib.sha256(previous + leaf).digest()


@dataclass(frozen=True)
class Entry:
    seq: int
    at: datetime
    kind: str
    ref: str
    body: str
    hash: str

    def data(self) -> dict[str, Any]:
        loaded = json.loads(self.body)
        assert isinstance(loaded, dict)
        return loaded


def _entry(row: ChainEntry) -> Entry:
    return Entry(row.seq, row.at, row.kind, row.ref, row.body, row.hash)


def _lock(session: Session) -> None:
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": APPEND_LOCK})


def append(
    session: Session,
    *,
    at: datetime,
    kind: str,
    ref: str = "",
    state: Mapping[str, Any] | None = None,
    before_chain: bool = False,
) -> Entry:
    """Append one entry in `session`'s transaction (committed, or rolled back, with it)."""
    session.flush()  # the recorded row is written first: SQLite then holds the write lock
    _lock(session)
    last = session.execute(
        select(ChainEntry.seq, ChainEntry.hash).order_by(ChainEntry.seq.desc()).limit(1)
    ).first()
    seq = 1 if last is None else last.seq + 1
    previous = GENESIS if last is None else bytes.fromhex(last.hash)
    body: dict[str, Any] = {"seq": seq, "at": _value(at), "kind": kind, "ref": ref}
    body["state"] = dict(state or {})
    if before_chain:
        body["before_chain"] = True
    encoded = canonical(body)
    head = link(previous, leaf_hash(encoded)).hex()
    row = ChainEntry(seq=seq, at=at, kind=kind, ref=ref, body=encoded, hash=head)
    session.add(row)
    session.flush()
    return _entry(row)


def record_row(session: Session, row: Base, at: datetime) -> Entry | None:
    """Record a row of an evidence table as it now is (after its change in this session)."""
    subject = SUBJECT_OF_MODEL[type(row)]
    session.flush()
    values = orm_row(row, subject)
    if subject.pending(values):
        return None
    ident = getattr(row, "id")  # noqa: B009 - every evidence table has an `id`
    return append(
        session,
        at=at,
        kind=subject.kind,
        ref=f"{subject.kind}:{ident}",
        state=snapshot(subject, values),
    )


def record_rows(session: Session, rows: Iterable[Base], at: datetime) -> None:
    for row in rows:
        record_row(session, row, at)


def record_by_id(session: Session, model: type[Base], ident: Any, at: datetime) -> Entry | None:
    """Record a row changed by an UPDATE statement: read back as the database now holds it."""
    session.flush()
    row = session.get(model, ident, populate_existing=True)
    return None if row is None else record_row(session, row, at)


@dataclass(frozen=True)
class Head:
    size: int
    hash: bytes
    at: datetime | None


class Chain:
    """Reading the chain (appending is done inside the writers' own transactions)."""

    def __init__(self, sessions: Callable[[], Session]) -> None:
        self._sessions = sessions

    def head(self) -> Head:
        with self._sessions() as session:
            last = session.execute(
                select(ChainEntry.seq, ChainEntry.hash, ChainEntry.at)
                .order_by(ChainEntry.seq.desc())
                .limit(1)
            ).first()
            if last is None:
                return Head(0, GENESIS, None)
            return Head(last.seq, bytes.fromhex(last.hash), last.at)

    def last_of_kind(self, kind: str) -> Entry | None:
        with self._sessions() as session:
            row = session.scalars(
                select(ChainEntry).where(ChainEntry.kind == kind).order_by(ChainEntry.seq.desc())
            ).first()
            return None if row is None else _entry(row)

    def record_setting(self, at: datetime, values: Mapping[str, Any]) -> Entry | None:
        """Record the settings that change what counts (encryption, backend) when they differ
        from the last recorded."""
        last = self.last_of_kind("setting")
        if last is not None and last.data().get("state") == dict(values):
            return None
        with self._sessions() as session, session.begin():
            return append(session, at=at, kind="setting", ref="", state=values)

    def hash_at(self, size: int) -> bytes | None:
        """The chain's head after entry `size` as stored (None: no such entry)."""
        if size == 0:
            return GENESIS
        with self._sessions() as session:
            found = session.scalar(select(ChainEntry.hash).where(ChainEntry.seq == size))
            return None if found is None else bytes.fromhex(found)

    def entries(
        self, after: int = 0, batch: int = 5000, upto: int | None = None
    ) -> Iterator[Entry]:
        """Every entry after `after` (up to `upto`), in sequence order, read in batches of
        plain rows."""
        table = ChainEntry.__table__
        columns = [table.c[name] for name in ("seq", "at", "kind", "ref", "body", "hash")]
        last = after
        while True:
            query = select(*columns).where(table.c.seq > last).order_by(table.c.seq).limit(batch)
            if upto is not None:
                query = query.where(table.c.seq <= upto)
            with self._sessions() as session:
                rows = [Entry(*row) for row in session.execute(query)]
            if not rows:
                return
            yield from rows
            last = rows[-1].seq

    def tree(self, size: int, start: Tree | None = None) -> Tree:
        """The Merkle tree of the first `size` entries, extended from `start` (a frontier kept
        with an earlier checkpoint): only the entries after it are read."""
        tree = Tree(start.size, list(start.frontier)) if start is not None else Tree()
        for entry in self.entries(after=tree.size, upto=size):
            if entry.seq != tree.size + 1:
                raise ChainGap(tree.size + 1)
            tree.append(leaf_hash(entry.body))
        if tree.size != size:
            raise ChainGap(tree.size + 1)
        return tree


class ChainGap(Exception):
    """An entry is missing where the tree needs it (the verification names it)."""
