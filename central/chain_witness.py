"""The evidence chain and its central witness.

The office (`push_chain`, each link cycle, with its own login): its leaf hashes after what the
central database holds (whole entries for kinds without personal data), then its signed
checkpoints, then it keeps any cosignature the witness has added. The database itself refuses a
fork, a gap or a shorter chain and records the alarm (c0004 migration).

The witness (`witness_round`, `sopbot pusat saksi`, with the administrator's login and the
witness's own Ed25519 key, which no office holds): checks each new checkpoint's signature
against the key registered for its office and cosigns it (C2SP tlog-cosignature), or refuses it
with an alarm for the supervisor. PostgreSQL cannot check an Ed25519 signature itself (no
extension is assumed), so this runs in the witness's process: `watch` (`saksi --terus`) wakes
on the database's notification of each accepted checkpoint, i.e. at push time.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from itertools import islice

from sqlalchemy import Connection, Engine

from core.signednote import Checkpoint, NoteError, Signer, Verifier, add_signature
from jobs.evidence import Evidence
from storage.central import witness as central
from storage.chain import PUBLIC_KINDS, Entry, leaf_hash

log = logging.getLogger(__name__)

PUSH_BATCH = 2000  # leaves per cycle: ten years of history reach the witness in a few hours


@dataclass(frozen=True)
class PushStatus:
    leaves: int
    checkpoints: int
    witnessed: int


def push_chain(
    connection: Connection, office_id: str, evidence: Evidence, now: datetime
) -> PushStatus:
    """Push what the central witness does not have yet; keep what it has cosigned."""
    with connection.begin():
        held = central.stored_size(connection, office_id)
    leaves = [
        central.Leaf(
            entry.seq,
            leaf_hash(entry.body).hex(),
            entry.body if _names_nobody(entry) else None,
        )
        for entry in islice(evidence.chain.entries(after=held), PUSH_BATCH)
    ]
    with connection.begin():
        central.push_leaves(connection, office_id, leaves)
    pushed_to = held + len(leaves)
    waiting = [cp for cp in evidence.checkpoints.unwitnessed() if 0 < cp.size <= pushed_to]
    with connection.begin():
        for cp in waiting:
            central.push_checkpoint(connection, office_id, cp.size, cp.head, cp.note)
    with connection.begin():
        found = central.cosigned(connection, office_id, [cp.size for cp in waiting])
    witnessed = 0
    witness = _witness_key(evidence)
    for cp in waiting:
        match = next((p for p in found if (p.size, p.head) == (cp.size, cp.head)), None)
        if match is None:
            continue
        cosigned = add_signature(cp.note, match.cosignature)
        # Kept as witnessed only when the witness's key (CENTRAL_WITNESS_KEY) verifies it: what
        # the central database says is not evidence; unverified, it stays "belum disaksikan".
        if witness is None or witness.cosigned_at(cosigned) is None:
            log.warning("Cosignature of checkpoint %s not verified: not kept", cp.size)
            continue
        evidence.checkpoints.witnessed(cp.id, cosigned, now)
        witnessed += 1
    return PushStatus(len(leaves), len(waiting), witnessed)


def _witness_key(evidence: Evidence) -> Verifier | None:
    try:
        return evidence.witness()
    except NoteError:
        return None


def _names_nobody(entry: Entry) -> bool:
    """Sent whole only when it holds no Telegram id: a dump, copy or drill someone asked for
    from the chat carries theirs, and goes as its hash like instructions and steps."""
    if entry.kind not in PUBLIC_KINDS:
        return False
    return entry.data().get("state", {}).get("requested_by") is None


@dataclass(frozen=True)
class WitnessStatus:
    cosigned: int
    refused: int


def witness_round(connection: Connection, signer: Signer, now: datetime) -> WitnessStatus:
    """Cosign every new checkpoint whose signature is its office's registered key."""
    cosigned = refused = 0
    with connection.begin():
        for pushed, vkey in central.unwitnessed(connection):
            if vkey is None:
                continue  # no key registered yet: it waits (`sopbot pusat kantor add … --kunci`)
            if _genuine(pushed, vkey):
                line = signer.cosign(Checkpoint.parse(pushed.note).body(), int(now.timestamp()))
                central.record_cosignature(connection, pushed.office_id, pushed.size, line, now)
                cosigned += 1
            else:
                log.warning("Checkpoint %s of office %s refused", pushed.size, pushed.office_id)
                central.refuse(connection, pushed.office_id, pushed.size, now)
                refused += 1
    return WitnessStatus(cosigned, refused)


CHANNEL = "sopbot_checkpoint"  # notified by the database for every checkpoint it accepts


def watch(
    engine: Engine,
    signer: Signer,
    stop: Callable[[], bool],
    on_round: Callable[[WitnessStatus], None] = lambda status: None,
    fallback_seconds: float = 60.0,
) -> None:
    """Witness at push time: a round at once for each checkpoint the database accepts (it
    notifies CHANNEL from the trigger an office cannot skip), and one at least every
    `fallback_seconds` (a notification is lost while this process is down)."""
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as listening:
        raw = listening.connection.driver_connection
        if raw is None or not hasattr(raw, "notifies"):
            raise RuntimeError("the witness needs the psycopg driver to listen")
        raw.execute(f"LISTEN {CHANNEL}")
        with engine.connect() as working:
            while not stop():
                on_round(witness_round(working, signer, datetime.now(UTC)))
                for _ in raw.notifies(timeout=fallback_seconds, stop_after=1):
                    pass


def _genuine(pushed: central.Pushed, vkey: str) -> bool:
    try:
        verifier = Verifier.parse(vkey)
        checkpoint = Checkpoint.parse(pushed.note)
    except NoteError:
        return False
    return (
        verifier.verifies(pushed.note)
        and checkpoint.origin == verifier.name
        and (checkpoint.size, checkpoint.head_hex) == (pushed.size, pushed.head)
    )
