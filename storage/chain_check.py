"""Verifying the evidence chain: recompute every hash, check every checkpoint's signature and
head, and check that every evidence row agrees with its newest entry.

Findings are codes with parameters (the words are in texts/evidence.py); the first one
names the first bad entry.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from enum import Enum
from typing import Any

from sqlalchemy import Connection, Engine, String, cast, func, literal, select, type_coerce
from sqlalchemy.exc import SQLAlchemyError

from core.merkle import EMPTY_ROOT, Tree
from core.signednote import Checkpoint, NoteError, Verifier
from storage import chain
from storage.checkpoints import CheckpointLog, CheckpointRecord
from storage.models import ChainEntry

MAX_FINDINGS = 20


class Verdict(Enum):
    INTACT = 0
    BROKEN = 1
    CANNOT = 2


class Found(Enum):
    MISSING = "missing"  # entry #seq is not there (deleted)
    REORDERED = "reordered"  # entry #seq holds another entry's body
    EDITED = "edited"  # entry #seq does not hash to its stored hash
    TRUNCATED = "truncated"  # entries after #size are gone, though a checkpoint covered them
    REWRITTEN = "rewritten"  # the chain differs from a signed checkpoint between #first..#seq
    BAD_SIGNATURE = "bad_signature"  # a checkpoint not signed by the office key
    BAD_WITNESS = "bad_witness"  # a cosignature that the witness's key does not verify
    ROW_DIFFERS = "row_differs"  # a row edited in its own table (the chain untouched)
    ROW_UNRECORDED = "row_unrecorded"  # a row no entry records
    ROW_GONE = "row_gone"  # a row the chain records, deleted from its own table


@dataclass(frozen=True)
class Finding:
    code: Found
    seq: int | None = None  # the first bad entry, when one can be named
    params: dict[str, Any] = field(default_factory=dict)


@dataclass
class ChainReport:
    verdict: Verdict
    size: int = 0
    head: str = ""
    checkpoints: int = 0
    latest: CheckpointRecord | None = None
    witnessed: CheckpointRecord | None = None
    findings: list[Finding] = field(default_factory=list)
    cannot: str = ""  # why it could not be checked: no_key | database
    rows_checked: int = 0

    @property
    def first(self) -> Finding | None:
        return self.findings[0] if self.findings else None


def verify(
    engine: Engine,
    verifier: Verifier | None,
    witness: Verifier | None = None,
    outside: tuple[int, str] | None = None,
) -> ChainReport:
    """`outside`: the size and head of the newest checkpoint a witness holds (the central
    database), which deleting the office's own checkpoints cannot remove."""
    try:
        return _verify(engine, verifier, witness, outside)
    except SQLAlchemyError:
        return ChainReport(Verdict.CANNOT, cannot="database")


def _verify(
    engine: Engine,
    verifier: Verifier | None,
    witness: Verifier | None,
    outside: tuple[int, str] | None,
) -> ChainReport:
    checkpoints = CheckpointLog(engine).all()  # the chain only grows: all are within the walk
    wanted_sizes = {cp.size for cp in checkpoints} | ({outside[0]} if outside else set())
    with _snapshot(engine) as connection:
        walk = _walk(connection, wanted_sizes)
        findings = walk.findings
        findings.extend(
            _checkpoint_findings(checkpoints, walk.computed, walk.size, verifier, witness)
        )
        if outside is not None:
            findings.extend(_outside_findings(outside, walk.computed, walk.size))
        rows_checked = 0
        for finding in _row_findings(connection):
            if isinstance(finding, int):
                rows_checked = finding
            else:
                findings.append(finding)
    findings.sort(key=_order)
    witnessed = next((cp for cp in reversed(checkpoints) if cp.witnessed_at is not None), None)
    report = ChainReport(
        Verdict.INTACT,
        size=walk.size,
        head=walk.head.hex(),
        checkpoints=len(checkpoints),
        latest=checkpoints[-1] if checkpoints else None,
        witnessed=witnessed,
        findings=findings[:MAX_FINDINGS],
        rows_checked=rows_checked,
    )
    if findings:
        report.verdict = Verdict.BROKEN
    elif checkpoints and verifier is None:
        report.verdict, report.cannot = Verdict.CANNOT, "no_key"
    return report


@contextmanager
def _snapshot(engine: Engine) -> Iterator[Connection]:
    """One consistent view of the chain and the tables for the whole check: a row changed
    (with its entry) while the check runs is then never taken for a row edited behind the
    chain's back."""
    if engine.dialect.name == "postgresql":
        with (
            engine.connect().execution_options(isolation_level="REPEATABLE READ") as connection,
            connection.begin(),
        ):
            yield connection
        return
    with engine.connect() as connection:
        # pysqlite begins a transaction only before a write: a deferred BEGIN gives the
        # reads one snapshot (WAL mode: writers go on meanwhile).
        connection.exec_driver_sql("BEGIN")
        try:
            yield connection
        finally:
            connection.rollback()


@dataclass
class _Walk:
    size: int = 0
    head: bytes = chain.GENESIS
    # per wanted size: the chain's head and the RFC 6962 tree head there
    computed: dict[int, tuple[bytes, bytes]] = field(default_factory=dict)
    findings: list[Finding] = field(default_factory=list)


def _walk(connection: Connection, wanted_sizes: set[int]) -> _Walk:
    """Every entry once, in sequence order, streamed: O(log n) memory besides one batch."""
    walk = _Walk(computed={0: (chain.GENESIS, EMPTY_ROOT)})
    findings = walk.findings
    tree = Tree()
    head, expected = chain.GENESIS, 1
    sha256 = hashlib.sha256
    for seq, kind, ref, body, stored_hex in _entries(connection):
        gap = seq != expected
        if gap:
            findings.append(Finding(Found.MISSING, expected, {"last": seq - 1}))
        expected = seq + 1
        problem = _entry_problem(seq, kind, ref, body)
        if problem is not None:
            findings.append(Finding(problem, seq))
        leaf = sha256(b"\x00" + body.encode("utf-8")).digest()
        mine = sha256(head + leaf).digest()
        if mine.hex() != stored_hex:  # hex as stored: lower case, 64 digits
            stored = _hex32(stored_hex)
            if stored is None or (not gap and problem is None and mine != stored):
                findings.append(Finding(Found.EDITED, seq))
            # Go on from the stored hash: one bad entry is one finding, and a chain rewritten
            # consistently is then judged against the signed checkpoints.
            mine = mine if stored is None else stored
        head = mine
        tree.append(leaf)
        if seq in wanted_sizes and not gap:
            walk.computed[seq] = (head, tree.root())
    walk.size, walk.head = expected - 1, head
    return walk


def _order(finding: Finding) -> tuple[bool, int]:
    """Findings by the entry they name; a rewrite by the end of the range it lies in."""
    if finding.code is Found.REWRITTEN:
        return False, int(finding.params["last"])
    return finding.seq is None, finding.seq or 0


def _hex32(value: str) -> bytes | None:
    try:
        raw = bytes.fromhex(value)
    except ValueError:
        return None
    return raw if len(raw) == 32 else None


def _entries(connection: Connection, batch: int = 5000) -> Iterator[tuple[int, str, str, str, str]]:
    """Every entry in sequence order, as plain tuples streamed in batches (no ORM objects, a
    server-side cursor on PostgreSQL)."""
    table = ChainEntry.__table__
    columns = [table.c[name] for name in ("seq", "kind", "ref", "body", "hash")]
    result = connection.execution_options(yield_per=batch).execute(
        select(*columns).order_by(table.c.seq)
    )
    for rows in result.partitions():
        yield from rows


# A canonical body's fields before its state (keys sorted, no spaces): read without decoding
# the whole JSON; any other body is decoded and judged the slow way.
_PREFIX = re.compile(
    r'\{"at":"[^"\\]*",(?:"before_chain":true,)?"kind":"([^"\\]*)","ref":"([^"\\]*)",'
    r'"seq":(\d{1,18}),"state":\{'
)


_json_text = json.encoder.encode_basestring


def _body(text: str) -> dict[str, Any] | None:
    try:
        body = json.loads(text)
    except ValueError:
        return None
    return body if isinstance(body, dict) else None


def _entry_problem(seq: int, kind: str, ref: str, text: str) -> Found | None:
    # The common case, without decoding: the body's fields before its state are these.
    start = text.find('",', 7) + 2
    if text.startswith('"before_chain":true,', start):
        start += 20
    expected = f'"kind":{_json_text(kind)},"ref":{_json_text(ref)},"seq":{seq},"state":{{'
    if text.startswith('{"at":"') and text.startswith(expected, start) and text.endswith("}}"):
        return None
    found = _PREFIX.match(text)
    if found is not None and text.endswith("}}"):
        fields: tuple[Any, Any, Any] = (found.group(1), found.group(2), int(found.group(3)))
    else:
        body = _body(text)
        if body is None:
            return Found.EDITED
        fields = (body.get("kind"), body.get("ref"), body.get("seq"))
    if fields[2] != seq:
        return Found.REORDERED
    if fields[:2] != (kind, ref):
        return Found.EDITED
    return None


def _checkpoint_findings(
    checkpoints: list[CheckpointRecord],
    computed: dict[int, tuple[bytes, bytes]],
    size: int,
    verifier: Verifier | None,
    witness: Verifier | None,
) -> Iterator[Finding]:
    agreed = 0  # the largest size a valid checkpoint confirmed
    for cp in sorted(checkpoints, key=lambda c: c.size):
        try:
            parsed = Checkpoint.parse(cp.note)
        except NoteError:
            yield Finding(Found.BAD_SIGNATURE, None, {"checkpoint": cp.id, "size": cp.size})
            continue
        if verifier is not None and (
            not verifier.verifies(cp.note)
            or parsed.origin != verifier.name
            or (parsed.size, parsed.head_hex) != (cp.size, cp.head)
        ):
            yield Finding(Found.BAD_SIGNATURE, None, {"checkpoint": cp.id, "size": cp.size})
            continue
        if (
            cp.witnessed_note
            and witness is not None
            and witness.cosigned_at(cp.witnessed_note) is None
        ):
            yield Finding(Found.BAD_WITNESS, None, {"checkpoint": cp.id, "size": cp.size})
        if parsed.size > size:
            yield Finding(Found.TRUNCATED, size + 1, {"last": parsed.size, "checkpoint": cp.id})
            continue
        mine = computed.get(parsed.size)
        # The tree head; a checkpoint signed before tree heads carries the chain's head.
        if mine is not None and parsed.head not in mine:
            yield Finding(Found.REWRITTEN, agreed + 1, {"last": parsed.size, "checkpoint": cp.id})
            continue
        agreed = max(agreed, parsed.size)


def _outside_findings(
    outside: tuple[int, str], computed: dict[int, tuple[bytes, bytes]], size: int
) -> Iterator[Finding]:
    held, head = outside
    if held > size:
        yield Finding(Found.TRUNCATED, size + 1, {"last": held, "checkpoint": "pusat"})
    elif head not in {mine.hex() for mine in computed.get(held, ())}:
        yield Finding(Found.REWRITTEN, 1, {"last": held, "checkpoint": "pusat"})


def _row_findings(connection: Connection) -> Iterator[Finding | int]:
    """Every evidence row against its newest entry, joined in the database and streamed: the
    entry's body must end with the row's snapshot as its state (canonical JSON puts "state"
    last). Only a row that differs is decoded and compared as values."""
    entries = ChainEntry.__table__
    checked = 0
    for subject in chain.SUBJECTS:
        table = subject.model.__table__
        prefix = f"{subject.kind}:"
        latest = (
            select(entries.c.ref, func.max(entries.c.seq).label("seq"))
            .where(entries.c.kind == subject.kind)
            .group_by(entries.c.ref)
            .cte(f"latest_{subject.kind}")
        )
        ref = literal(prefix, String) + cast(table.c["id"], String)
        times = chain.time_columns(subject)
        quick = [  # times read as stored: no datetime built per value
            type_coerce(table.c[name], String) if name in times else table.c[name]
            for name in subject.fields
        ]
        query = select(table.c["id"], *quick, latest.c.seq, entries.c.body).select_from(
            table.outerjoin(latest, latest.c.ref == ref).outerjoin(
                entries, entries.c.seq == latest.c.seq
            )
        )
        snapshot = chain.snapshotter(subject)
        recorded_rows = 0
        result = connection.execution_options(yield_per=2000).execute(query)
        for rows in result.partitions():
            for row in rows:
                checked += 1
                ident, *values, seq, body = row
                if seq is None or body is None:
                    if not subject.pending(dict(zip(subject.fields, values, strict=True))):
                        yield Finding(Found.ROW_UNRECORDED, None, {"ref": f"{prefix}{ident}"})
                    continue
                recorded_rows += 1
                if body.endswith(f'"state":{chain.canonical(snapshot(values))}}}'):
                    continue
                # Not the same text: the row read again with its types, compared as values.
                typed = connection.execute(
                    select(*(table.c[name] for name in subject.fields)).where(
                        table.c["id"] == ident
                    )
                ).first()
                state = None if typed is None else chain.snapshot(subject, dict(typed._mapping))
                decoded = _body(body)
                if decoded is None or decoded.get("state") != state:
                    yield Finding(Found.ROW_DIFFERS, seq, {"ref": f"{prefix}{ident}"})
        recorded = connection.execute(select(func.count()).select_from(latest)).scalar_one()
        if recorded != recorded_rows:  # an entry whose row is gone: found the slow way
            yield from _gone(connection, subject, latest)
    yield checked


def _gone(connection: Connection, subject: chain.Subject, latest: Any) -> Iterator[Finding]:
    table = subject.model.__table__
    prefix = f"{subject.kind}:"
    present = {f"{prefix}{ident}" for ident in connection.execute(select(table.c["id"])).scalars()}
    for ref, seq in connection.execute(select(latest.c.ref, latest.c.seq).order_by(latest.c.seq)):
        if ref not in present:
            yield Finding(Found.ROW_GONE, seq, {"ref": ref})
