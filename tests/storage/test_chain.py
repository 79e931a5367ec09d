"""The evidence chain: written with the rows it records, and every kind of tampering caught and
named by its first bad entry; checkpoints checked by an Ed25519 verifier written here from the
C2SP formats alone."""

from __future__ import annotations

import base64
import hashlib
import json
import sys
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from sqlalchemy import Engine, text

from core.signednote import Signer
from jobs.evidence import Evidence
from storage.chain_check import Found, Verdict
from storage.copies import CopyLog
from storage.database import make_engine, upgrade
from storage.disks import DiskRegistry
from storage.drills import DrillLog
from storage.dumps import DumpLog
from storage.soplog import SopLog
from tests.conftest import make_settings
from tests.seed import seed_month
from texts.evidence import chain_finding, chain_summary

NOW = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
STATE, EDITED = '"state":{', '"state":{"x":1,'  # an edit any entry's body can take


@dataclass
class Office:
    engine: Engine
    evidence: Evidence
    signer: Signer


def _office(database_url: str, tmp_path: Path, signer: Signer) -> Office:
    key = tmp_path / "office-signing-key.txt"
    key.write_text(f"# test key\n{signer.secret_string()}\n", encoding="utf-8")
    engine = make_engine(database_url)
    upgrade(engine)
    settings = make_settings(
        "http://127.0.0.1:9/bot", tmp_path, database_url=database_url, evidence_key_file=key
    )
    return Office(engine, Evidence(settings, engine), signer)


@pytest.fixture
def office(database_url: str, tmp_path: Path) -> Office:
    made = _office(database_url, tmp_path, Signer.generate("disdukcapil-5108"))
    seed_month(SopLog(made.engine), DumpLog(made.engine), CopyLog(made.engine), last_day=6)
    disks = DiskRegistry(made.engine)
    disks.register("d1", "HDD-1", 10**12, NOW - timedelta(days=20))
    disks.lost("d1", NOW - timedelta(days=2))
    drilllog = DrillLog(made.engine)
    drill = drilllog.start(
        copy_id=1,
        dump_run_id=1,
        file_name="SIAK.dmp",
        disk_label="HDD-1",
        backend="sqlite",
        level=1,
        trigger="chat",
        requested_by=222,
        started_at=NOW - timedelta(days=1),
    )
    drilllog.finish(
        drill, finished_at=NOW - timedelta(days=1), outcome="passed", restore_seconds=12.5
    )
    assert made.evidence.checkpoint_if_due(NOW) is not None
    return made


def _sql(office: Office, statement: str, **params: object) -> None:
    with office.engine.begin() as connection:
        connection.execute(text(statement), params)


def _verify(office: Office) -> tuple[Verdict, Found | None, int | None, str]:
    report = office.evidence.verify()
    first = report.first
    return (
        report.verdict,
        None if first is None else first.code,
        None if first is None else first.seq,
        chain_summary(report),
    )


def test_an_untouched_chain_is_intact_and_every_row_agrees(office: Office) -> None:
    report = office.evidence.verify()
    assert report.verdict is Verdict.INTACT, [chain_finding(f) for f in report.findings]
    # 5 dumps (one failed), 3 copies, 6 instructions issued and closed with their steps, a
    # disk registered and lost, a drill: all recorded
    assert report.size > 30 and report.rows_checked > 30
    assert report.latest is not None and report.latest.size == report.size


def test_every_evidence_write_appends_in_its_own_transaction(office: Office) -> None:
    before = office.evidence.head().size
    dumplog = DumpLog(office.engine)
    run = dumplog.start(
        run_date=date(2026, 11, 30),
        trigger="chat",
        requested_by=222,
        backend="sqlite",
        job_name="J",
        started_at=NOW,
        file_path="/d/x.dmp",
        log_path="/d/x.log",
    )
    assert office.evidence.head().size == before  # a running dump is not evidence yet
    dumplog.finish(
        run,
        finished_at=NOW,
        outcome="success",
        size_bytes=5,
        sha256="c" * 64,
        tables=[],
        errors=[],
        warnings=[],
        consistent_as_of="SCN 42",
    )
    head = office.evidence.head()
    assert head.size == before + 1
    entry = next(iter(office.evidence.chain.entries(after=before)))
    body = json.loads(entry.body)
    assert body["kind"] == "dump" and body["ref"] == f"dump:{run}"
    assert body["state"]["sha256"] == "c" * 64 and body["state"]["consistent_as_of"] == "SCN 42"
    assert office.evidence.verify().verdict is Verdict.INTACT


def test_an_edited_entry_is_named(office: Office) -> None:
    _sql(
        office,
        "UPDATE evidence_chain SET body = REPLACE(body, :old, :new) WHERE seq = 4",
        old=STATE,
        new=EDITED,
    )
    verdict, code, seq, words = _verify(office)
    assert (verdict, code, seq) == (Verdict.BROKEN, Found.EDITED, 4)
    assert "entri #4 diubah" in words


def test_a_deleted_entry_is_named(office: Office) -> None:
    _sql(office, "DELETE FROM evidence_chain WHERE seq = 7")
    verdict, code, seq, words = _verify(office)
    assert (verdict, code, seq) == (Verdict.BROKEN, Found.MISSING, 7)
    assert "entri #7 hilang" in words


def test_reordered_entries_are_named(office: Office) -> None:
    _sql(office, "UPDATE evidence_chain SET seq = -3 WHERE seq = 3")
    _sql(office, "UPDATE evidence_chain SET seq = 3 WHERE seq = 4")
    _sql(office, "UPDATE evidence_chain SET seq = 4 WHERE seq = -3")
    verdict, code, seq, words = _verify(office)
    assert (verdict, code, seq) == (Verdict.BROKEN, Found.REORDERED, 3)
    assert "entri #3 tidak pada urutannya" in words


def test_newest_entries_deleted_after_a_checkpoint_are_named(office: Office) -> None:
    size = office.evidence.head().size
    _sql(office, "DELETE FROM evidence_chain WHERE seq > :keep", keep=size - 3)
    verdict, code, seq, words = _verify(office)
    assert (verdict, code, seq) == (Verdict.BROKEN, Found.TRUNCATED, size - 2)
    assert f"entri #{size - 2} sampai #{size} hilang" in words


def test_a_chain_rewritten_consistently_disagrees_with_its_signed_checkpoint(
    office: Office,
) -> None:
    """Whoever edits entry 5 and recomputes every later hash (no key needed for that) still
    cannot match the signed checkpoint."""
    from storage import chain

    entries = list(office.evidence.chain.entries())
    previous = bytes.fromhex(entries[3].hash)
    for entry in entries[4:]:
        body = entry.body.replace(STATE, EDITED) if entry.seq == 5 else entry.body
        previous = chain.link(previous, chain.leaf_hash(body))
        _sql(
            office,
            "UPDATE evidence_chain SET body = :body, hash = :hash WHERE seq = :seq",
            body=body,
            hash=previous.hex(),
            seq=entry.seq,
        )
    report = office.evidence.verify()
    assert report.verdict is Verdict.BROKEN
    rewritten = next(f for f in report.findings if f.code is Found.REWRITTEN)
    assert rewritten.params["last"] == len(entries)
    assert "berbeda dari checkpoint" in chain_finding(rewritten)
    # and the entry no longer agrees with the row it records: entry 5 is named first
    assert report.first is not None and report.first.seq == 5


def test_a_checkpoint_not_signed_by_the_office_key_is_named(office: Office) -> None:
    from core.signednote import Checkpoint, sign_checkpoint
    from storage.checkpoints import CheckpointLog

    head = office.evidence.head()
    forger = Signer.generate("disdukcapil-5108")  # same name, another key
    note = sign_checkpoint(forger, Checkpoint("disdukcapil-5108", head.size, head.hash))
    forged = CheckpointLog(office.engine).add(NOW, head.size, head.hash.hex(), note)
    verdict, code, _, words = _verify(office)
    assert (verdict, code) == (Verdict.BROKEN, Found.BAD_SIGNATURE)
    assert f"checkpoint #{forged.id}" in words and "tidak ditandatangani kunci kantor" in words


@pytest.mark.parametrize(
    ("table", "column", "value", "ref"),
    [
        ("dump_runs", "sha256", "f" * 64, "dump #1"),
        ("dump_runs", "outcome", "success", "dump #"),  # the failed dump made good
        ("external_copies", "disk_label", "HDD-LAIN", "salinan eksternal #1"),
        ("restore_drills", "outcome", "passed", "uji pulih #1"),
    ],
)
def test_a_row_edited_in_its_own_table_is_caught(
    office: Office, table: str, column: str, value: str, ref: str
) -> None:
    where = "outcome = 'failed'" if (table, column) == ("dump_runs", "outcome") else "id = 1"
    if table == "restore_drills":
        _sql(office, "UPDATE restore_drills SET outcome = 'failed' WHERE id = 1")
    else:
        _sql(office, f"UPDATE {table} SET {column} = :value WHERE {where}", value=value)
    verdict, code, seq, words = _verify(office)
    assert (verdict, code) == (Verdict.BROKEN, Found.ROW_DIFFERS)
    assert seq is not None and ref in words and f"entri #{seq}" in words


def test_evidence_written_while_the_check_runs_is_not_taken_for_tampering(
    office: Office,
) -> None:
    """The bot goes on writing while `/cek` runs: a row and its entry written after the check
    read the chain must not look like a row slipped in behind the chain's back."""
    from sqlalchemy import event

    from storage.audit import AuditLog

    written: list[bool] = []

    def write_meanwhile(_conn: object, _cursor: object, statement: str, *_args: object) -> None:
        if "FROM audit_events" in statement and not written:
            written.append(True)  # once, when the check reads the audit table
            AuditLog(office.engine).record(NOW, 111, "jadwal", "diubah saat pemeriksaan")

    event.listen(office.engine, "before_cursor_execute", write_meanwhile)
    try:
        report = office.evidence.verify()
    finally:
        event.remove(office.engine, "before_cursor_execute", write_meanwhile)
    assert written, "the check never read the audit table"
    assert report.verdict is Verdict.INTACT, [chain_finding(f) for f in report.findings]
    assert office.evidence.verify().verdict is Verdict.INTACT  # and it is recorded


def test_a_row_slipped_into_its_table_is_caught(office: Office) -> None:
    _sql(
        office,
        "INSERT INTO external_disks (id, label, registered_at) VALUES ('x', 'HDD-X', :at)",
        at=NOW.replace(tzinfo=None),
    )
    verdict, code, _, words = _verify(office)
    assert (verdict, code) == (Verdict.BROKEN, Found.ROW_UNRECORDED)
    assert "hard disk #x tidak tercatat" in words


def test_without_the_key_signed_checkpoints_cannot_be_checked(
    office: Office, database_url: str, tmp_path: Path
) -> None:
    settings = make_settings("http://127.0.0.1:9/bot", tmp_path, database_url=database_url)
    report = Evidence(settings, office.engine).verify()
    assert report.verdict is Verdict.CANNOT and report.cannot == "no_key"


def _leaf(body: bytes) -> bytes:
    return hashlib.sha256(b"\x00" + body).digest()


def _mth(leaves: list[bytes]) -> bytes:
    """RFC 6962 section 2.1, as written there: MTH({}) = SHA-256(), MTH({d0}) = the leaf hash,
    MTH(D[n]) = SHA-256(0x01 || MTH(D[0:k]) || MTH(D[k:n])), k the largest power of two < n."""
    if not leaves:
        return hashlib.sha256(b"").digest()
    if len(leaves) == 1:
        return leaves[0]
    k = 1
    while k * 2 < len(leaves):
        k *= 2
    return hashlib.sha256(b"\x01" + _mth(leaves[:k]) + _mth(leaves[k:])).digest()


def test_the_checkpoint_verifies_with_a_standalone_c2sp_ed25519_check(office: Office) -> None:
    """Written from the C2SP signed-note and tlog-checkpoint texts, not from our module."""
    checkpoint = office.evidence.checkpoints.latest()
    assert checkpoint is not None
    note = checkpoint.note
    body, signatures = note.split("\n\n", 1)
    body += "\n"
    origin, size, root = body.split("\n")[:3]
    assert origin == "disdukcapil-5108"
    # The root hash, recomputed here from the stored bodies as RFC 6962 defines it.
    rows = list(office.evidence.chain.entries())
    assert int(size) == len(rows)
    assert base64.b64decode(root) == _mth([_leaf(row.body.encode()) for row in rows])
    public = office.signer.private.public_key().public_bytes_raw()
    key_id = hashlib.sha256(origin.encode() + b"\n\x01" + public).digest()[:4]
    verified = False
    for line in signatures.strip("\n").split("\n"):
        dash, name, blob64 = line.split(" ")
        blob = base64.b64decode(blob64)
        if dash == "\u2014" and name == origin and blob[:4] == key_id:
            Ed25519PublicKey.from_public_bytes(public).verify(blob[4:], body.encode())
            verified = True
    assert verified


def test_tree_heads_kept_incrementally_match_rfc_6962_at_every_size(office: Office) -> None:
    """Each checkpoint extends the frontier the previous one kept: for every size from 0 to
    40 the tree head equals the one computed from all the leaves, and a checkpoint made after
    more entries reads only those."""
    from core.merkle import Tree

    leaves = [_leaf(row.body.encode()) for row in office.evidence.chain.entries()]
    tree = Tree()
    assert tree.root() == _mth([])
    for n, leaf in enumerate(leaves[:40], start=1):
        tree.append(leaf)
        assert tree.root() == _mth(leaves[:n]), n
        assert len(tree.frontier) == bin(n).count("1")  # O(log n) state
        assert Tree.restore(n, tree.state()).root() == tree.root()
    first = office.evidence.checkpoints.latest()
    assert first is not None and first.tree
    for n in range(3):
        office.evidence.chain.record_setting(NOW, {"drill_level": n + 2})
        made = office.evidence.checkpoint_if_due(NOW + timedelta(minutes=n + 1))
        assert made is not None
        leaves = [_leaf(row.body.encode()) for row in office.evidence.chain.entries()]
        assert bytes.fromhex(made.head) == _mth(leaves) and made.size == len(leaves)
    assert office.evidence.verify().verdict is Verdict.INTACT


def test_a_checkpoint_is_signed_when_the_chain_grew_or_a_day_passed(office: Office) -> None:
    assert office.evidence.checkpoint_if_due(NOW + timedelta(minutes=1)) is None
    assert office.evidence.checkpoint_if_due(NOW + timedelta(days=1)) is not None
    SopLog(office.engine).record_step(
        run_date=date(2026, 12, 1),
        step_number=9,
        actor_id=222,
        actor_role="adb",
        finished_at=NOW + timedelta(days=1, minutes=5),
    )
    made = office.evidence.checkpoint_if_due(NOW + timedelta(days=1, minutes=6))
    assert made is not None and made.size == office.evidence.head().size


def test_the_migration_folds_earlier_history_in_as_recorded_before_the_chain(
    database_url: str,
) -> None:
    engine = make_engine(database_url)
    upgrade(engine, "0013")
    _old_history(engine)
    upgrade(engine)
    from sqlalchemy.orm import sessionmaker

    from storage.chain import Chain
    from storage.chain_check import verify

    entries = list(Chain(sessionmaker(engine)).entries())
    kinds = {entry.kind for entry in entries}
    assert {"dump", "copy", "instruction", "step"} <= kinds
    assert all(json.loads(entry.body)["before_chain"] is True for entry in entries)
    assert verify(engine, None).verdict is Verdict.INTACT


def test_the_migration_folds_history_with_its_own_frozen_definitions(
    database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Migration 0018 must hash the same history whatever later revisions change in the live
    definitions: with storage.chain unimportable and its subjects changed, it still folds the
    history in as it was defined then."""
    import storage
    from storage import chain

    engine = make_engine(database_url)
    upgrade(engine, "0013")
    _old_history(engine)
    changed = tuple(
        chain.Subject(s.kind, s.model, (*s.fields, "late_seconds"), s.pending)
        if s.kind == "dump"
        else s
        for s in chain.SUBJECTS[1:]
    )
    monkeypatch.setattr(chain, "SUBJECTS", changed)
    monkeypatch.setitem(sys.modules, "storage.chain", None)  # any import of it now fails
    monkeypatch.delattr(storage, "chain")
    upgrade(engine)
    monkeypatch.undo()
    with engine.connect() as connection:
        bodies = [
            json.loads(body)
            for body in connection.execute(text("SELECT body FROM evidence_chain ORDER BY seq"))
            .scalars()
            .all()
        ]
    assert [b["ref"] for b in bodies] == ["dump:1", "copy:1", "instruction:1", "step:1"]
    dump = bodies[0]["state"]
    assert "late_seconds" not in dump and dump["sha256"] == "a" * 64
    assert dump["tables_sha256"] == hashlib.sha256(b"[]").hexdigest()
    assert dump["started_at"] == "2026-11-01T01:00:00+00:00"
    assert bodies[1]["state"]["encrypted"] is False
    from storage.chain_check import verify

    assert verify(engine, None).verdict is Verdict.INTACT  # the live check agrees with it


def _old_history(engine: Engine) -> None:
    at = "2026-11-01 01:00:00"
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO dump_runs (id, run_date, trigger, backend, job_name, started_at, "
                "finished_at, outcome, file_path, log_path, sha256, tables_json, errors, "
                "warnings, late_seconds, consistent_as_of, size_bytes) VALUES (1, '2026-11-01', "
                "'schedule', 'sqlite', 'J', :at, :at, 'success', '/d/a.dmp', '/d/a.log', "
                ":sha, '[]', '[]', '[]', 0, '', 10)"
            ),
            {"at": at, "sha": "a" * 64},
        )
        connection.execute(
            text(
                "INSERT INTO external_copies (id, dump_run_id, source_path, dest_path, disk_id, "
                "disk_label, trigger, started_at, finished_at, outcome, sha256, compressed, "
                "encrypted, error) VALUES (1, 1, '/d/a.dmp', '/e/a.dmp', 'd', 'HDD', 'auto', "
                ":at, :at, 'verified', :sha, false, false, '[]')"
            ),
            {"at": at, "sha": "a" * 64},
        )
        connection.execute(
            text("INSERT INTO sop_runs (id, run_date, created_at) VALUES (1, '2026-11-01', :at)"),
            {"at": at},
        )
        connection.execute(
            text(
                "INSERT INTO instructions (id, run_id, target_role, issued_by, issued_at, note, "
                "status, close_note) VALUES (1, 1, 'adb', 111, :at, '', 'open', '')"
            ),
            {"at": at},
        )
        connection.execute(
            text(
                "INSERT INTO step_events (id, run_id, step_number, actor_id, actor_role, "
                "finished_at, outcome, note, problem, instruction_id) VALUES "
                "(1, 1, 1, 111, 'kabid', :at, 'done', '', '', 1)"
            ),
            {"at": at},
        )


def test_a_malformed_witness_key_is_refused_by_name(tmp_path: Path) -> None:
    from core.settings import SettingsError, load_settings

    env = tmp_path / ".env"
    env.write_text("TELEGRAM_BOT_TOKEN=1:x\nCENTRAL_WITNESS_KEY=bukan-kunci\n", encoding="utf-8")
    with pytest.raises(SettingsError, match="CENTRAL_WITNESS_KEY"):
        load_settings(env)
