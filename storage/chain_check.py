"""Verifying the evidence chain: recompute every hash, check every checkpoint's signature and
head, and check that every evidence row agrees with its newest entry.

Findings are codes with parameters (the words are in texts/evidence.py); the first one
names the first bad entry.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from enum import Enum
from typing import Any

from sqlalchemy import Engine, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

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
    sessions = sessionmaker(engine)
    checkpoints = CheckpointLog(engine).all()
    wanted_sizes = {cp.size for cp in checkpoints} | ({outside[0]} if outside else set())
    findings: list[Finding] = []
    computed: dict[int, bytes] = {0: chain.GENESIS}
    latest: dict[str, tuple[int, dict[str, Any]]] = {}
    head, expected = chain.GENESIS, 1
    for entry in _entries(engine):
        gap = entry.seq != expected
        if gap:
            findings.append(Finding(Found.MISSING, expected, {"last": entry.seq - 1}))
        expected = entry.seq + 1
        body = _body(entry.body)
        problem = _entry_problem(entry, body)
        if problem is not None:
            findings.append(Finding(problem, entry.seq))
        mine = chain.link(head, chain.leaf_hash(entry.body))
        stored = _hex32(entry.hash)
        if stored is None or (not gap and problem is None and mine != stored):
            findings.append(Finding(Found.EDITED, entry.seq))
        # Go on from the stored hash: one bad entry is one finding, and a chain rewritten
        # consistently is then judged against the signed checkpoints.
        head = mine if stored is None else stored
        if entry.seq in wanted_sizes:
            computed[entry.seq] = head
        if entry.ref and problem is None and body is not None:
            latest[entry.ref] = (entry.seq, body.get("state", {}))
    size = expected - 1
    findings.extend(_checkpoint_findings(checkpoints, computed, size, verifier, witness))
    if outside is not None:
        findings.extend(_outside_findings(outside, computed, size))
    rows_checked = 0
    for finding in _row_findings(sessions, latest):
        if isinstance(finding, int):
            rows_checked = finding
        else:
            findings.append(finding)
    findings.sort(key=_order)
    witnessed = next((cp for cp in reversed(checkpoints) if cp.witnessed_at is not None), None)
    report = ChainReport(
        Verdict.INTACT,
        size=size,
        head=head.hex(),
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


@dataclass(frozen=True)
class _Row:
    seq: int
    kind: str
    ref: str
    body: str
    hash: str


def _entries(engine: Engine, batch: int = 10_000) -> Iterator[_Row]:
    """Every entry in sequence order, as plain tuples (no ORM objects: ten years of history
    are read in a second or two)."""
    table = ChainEntry.__table__
    columns = [table.c[name] for name in ("seq", "kind", "ref", "body", "hash")]
    last = None
    while True:
        query = select(*columns).order_by(table.c.seq).limit(batch)
        if last is not None:
            query = query.where(table.c.seq > last)
        with engine.connect() as connection:
            rows = [_Row(*row) for row in connection.execute(query)]
        if not rows:
            return
        yield from rows
        last = rows[-1].seq


def _body(text: str) -> dict[str, Any] | None:
    try:
        body = json.loads(text)
    except ValueError:
        return None
    return body if isinstance(body, dict) else None


def _entry_problem(entry: _Row, body: dict[str, Any] | None) -> Found | None:
    if body is None:
        return Found.EDITED
    if body.get("seq") != entry.seq:
        return Found.REORDERED
    if (body.get("kind"), body.get("ref")) != (entry.kind, entry.ref):
        return Found.EDITED
    return None


def _checkpoint_findings(
    checkpoints: list[CheckpointRecord],
    computed: dict[int, bytes],
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
        if mine is not None and mine != parsed.head:
            yield Finding(Found.REWRITTEN, agreed + 1, {"last": parsed.size, "checkpoint": cp.id})
            continue
        agreed = max(agreed, parsed.size)


def _outside_findings(
    outside: tuple[int, str], computed: dict[int, bytes], size: int
) -> Iterator[Finding]:
    held, head = outside
    if held > size:
        yield Finding(Found.TRUNCATED, size + 1, {"last": held, "checkpoint": "pusat"})
    elif computed.get(held, b"").hex() != head:
        yield Finding(Found.REWRITTEN, 1, {"last": held, "checkpoint": "pusat"})


def _row_findings(
    sessions: sessionmaker[Session], latest: dict[str, tuple[int, dict[str, Any]]]
) -> Iterator[Finding | int]:
    seen: set[str] = set()
    checked = 0
    with sessions() as session:
        for subject in chain.SUBJECTS:
            table = subject.model.__table__
            columns = [table.c["id"], *(table.c[name] for name in subject.fields)]
            for found in session.execute(select(*columns)).mappings():
                values = dict(found)
                ref = f"{subject.kind}:{values['id']}"
                recorded = latest.get(ref)
                checked += 1
                if recorded is None:
                    if not subject.pending(values):
                        yield Finding(Found.ROW_UNRECORDED, None, {"ref": ref})
                    continue
                seen.add(ref)
                if chain.snapshot(subject, values) != recorded[1]:
                    yield Finding(Found.ROW_DIFFERS, recorded[0], {"ref": ref})
    for ref, (seq, _) in latest.items():
        if ref not in seen:
            yield Finding(Found.ROW_GONE, seq, {"ref": ref})
    yield checked
