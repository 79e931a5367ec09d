"""The central witness: an honest office's chain is stored and its checkpoints cosigned; a fork,
a shorter chain and a checkpoint signed by another key are refused and shown as alarms."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from centraldb import BULELENG, Central, central_database  # noqa: F401 (fixture)
from click.testing import CliRunner
from conftest import POSTGRES_URL, WITA, make_settings, open_services
from seed import seed_month
from sqlalchemy import text

from bot.context import Services
from core.clock import ManualClock
from core.signednote import Checkpoint, Signer, sign_checkpoint
from jobs.central.chain_witness import push_chain, witness_round
from sopbot.cli import main
from storage.central import admin
from storage.central.witness import alarms
from storage.chain_check import Verdict

pytestmark = pytest.mark.skipif(
    not POSTGRES_URL, reason="needs PostgreSQL: set SOPBOT_TEST_POSTGRES_URL (.ci/run starts one)"
)
NOW = datetime(2026, 11, 25, 8, 0, tzinfo=WITA)


def _office(tmp_path: Path, central: Central, signer: Signer) -> Services:
    key = tmp_path / "office-signing-key.txt"
    key.write_text(signer.secret_string() + "\n", encoding="utf-8")
    witness = Signer.generate("sopbot-saksi-pusat")
    (tmp_path / "witness.txt").write_text(witness.secret_string() + "\n", encoding="utf-8")
    settings = make_settings(
        "http://127.0.0.1:9/bot",
        tmp_path / "office",
        office_id=BULELENG,
        central_database_url=central.offices[BULELENG].url,
        evidence_key_file=key,
        central_witness_key=witness.verifier.vkey(),
    )
    svc = open_services(settings, ManualClock(NOW))
    seed_month(svc.log, svc.dumplog, svc.copylog, last_day=6)
    svc.evidence.checkpoint_if_due(NOW)
    return svc


def _witness(tmp_path: Path) -> Signer:
    return Signer.parse((tmp_path / "witness.txt").read_text(encoding="utf-8"))


def _round(central: Central, tmp_path: Path) -> tuple[int, int]:
    engine = admin.central_engine(central.admin_url)
    with engine.connect() as connection:
        done = witness_round(connection, _witness(tmp_path), NOW)
    return done.cosigned, done.refused


def _push(svc: Services, central: Central, at: datetime = NOW) -> None:
    engine = central.engine(central.offices[BULELENG])
    with engine.connect() as connection:
        push_chain(connection, BULELENG, svc.evidence, at)


def _alarms(central: Central) -> list[str]:
    engine = admin.central_engine(central.admin_url)
    with engine.connect() as connection, connection.begin():
        return [alarm.reason for alarm in alarms(connection)]


@pytest.fixture
def signer() -> Signer:
    return Signer.generate("disdukcapil-5108")


@pytest.fixture
def registered(central: Central, signer: Signer) -> Central:
    admin.register_key(admin.central_engine(central.admin_url), BULELENG, signer.verifier.vkey())
    return central


def test_an_honest_chain_is_stored_and_its_checkpoint_cosigned(
    registered: Central, tmp_path: Path, signer: Signer
) -> None:
    svc = _office(tmp_path, registered, signer)
    asked = svc.dumplog.start(  # a dump the ADB asked for from the chat: it carries their id
        run_date=NOW.date(),
        trigger="chat",
        requested_by=222,
        backend="sqlite",
        job_name="J",
        started_at=NOW,
        file_path="/d/a.dmp",
        log_path="/d/a.log",
    )
    svc.dumplog.finish(
        asked,
        finished_at=NOW,
        outcome="success",
        size_bytes=1,
        sha256="c" * 64,
        tables=[],
        errors=[],
        warnings=[],
    )
    svc.evidence.checkpoint_if_due(NOW + timedelta(minutes=1))
    _push(svc, registered)
    assert _round(registered, tmp_path) == (2, 0)
    _push(svc, registered)  # the office fetches the cosignature and keeps it
    kept = svc.evidence.checkpoints.latest_witnessed()
    assert kept is not None and _witness(tmp_path).verifier.cosigned_at(kept.witnessed_note)
    report = svc.evidence.verify()
    assert report.verdict is Verdict.INTACT and report.witnessed is not None
    # The central database computed the same head from the leaf hashes alone
    engine = admin.central_engine(registered.admin_url)
    with engine.connect() as connection:
        head, bodies = connection.execute(
            text(
                "SELECT (SELECT head FROM chain_leaves WHERE office_id = :o ORDER BY seq DESC "
                "LIMIT 1), count(body) FROM chain_leaves WHERE office_id = :o"
            ),
            {"o": BULELENG},
        ).one()
    assert head == svc.evidence.head().hash.hex()
    assert 0 < bodies < svc.evidence.head().size  # whole entries only for kinds without names
    with engine.connect() as connection:
        stored = connection.execute(
            text("SELECT body FROM chain_leaves WHERE body IS NOT NULL")
        ).scalars()
        for body in stored:  # never a Telegram id: no instruction, step, or chat-asked dump
            entry = json.loads(body)
            assert entry["kind"] in {"dump", "copy", "drill", "disk", "setting"}
            assert entry["state"].get("requested_by") is None
    assert _alarms(registered) == []


def test_newest_entries_deleted_with_the_offices_own_checkpoints_are_caught_by_the_witness(
    registered: Central, tmp_path: Path, signer: Signer
) -> None:
    svc = _office(tmp_path, registered, signer)
    _push(svc, registered)
    assert _round(registered, tmp_path) == (1, 0)
    size = svc.evidence.head().size
    with svc.evidence.engine.begin() as connection:  # covering the tracks in the office
        connection.execute(text("DELETE FROM evidence_chain WHERE seq > :k"), {"k": size - 2})
        connection.execute(text("DELETE FROM chain_checkpoints"))
    report = svc.evidence.verify()
    assert report.verdict is Verdict.BROKEN and report.first is not None
    assert report.first.seq == size - 1
    from texts.evidence import chain_finding

    assert "disaksikan pusat" in chain_finding(report.first)


def test_the_office_cannot_change_or_delete_what_the_witness_holds(
    registered: Central, tmp_path: Path, signer: Signer
) -> None:
    svc = _office(tmp_path, registered, signer)
    _push(svc, registered)
    engine = registered.engine(registered.offices[BULELENG])
    for statement in (
        "UPDATE chain_leaves SET leaf = repeat('0', 64)",
        "DELETE FROM chain_checkpoints",
    ):
        with pytest.raises(Exception, match="permission denied"), engine.begin() as connection:
            connection.execute(text(statement))


def test_a_forked_chain_is_refused_with_an_alarm(
    registered: Central, tmp_path: Path, signer: Signer
) -> None:
    svc = _office(tmp_path, registered, signer)
    _push(svc, registered)
    size = svc.evidence.head().size
    # The office's newest entries are rewritten (deleted, then others written in their place)
    with svc.evidence.engine.begin() as connection:
        connection.execute(text("DELETE FROM evidence_chain WHERE seq > :k"), {"k": size - 3})
        connection.execute(text("DELETE FROM chain_checkpoints"))
    svc.disks.register("x", "HDD-LAIN", 1, NOW)
    svc.disks.register("y", "HDD-LAIN-2", 1, NOW)
    svc.disks.register("z", "HDD-LAIN-3", 1, NOW)
    svc.disks.register("w", "HDD-LAIN-4", 1, NOW)
    svc.evidence.checkpoint_if_due(NOW + timedelta(minutes=1))
    engine = registered.engine(registered.offices[BULELENG])
    with engine.connect() as connection:
        push_chain(connection, BULELENG, svc.evidence, NOW)
        connection.execute(text("SELECT 1"))
    assert "fork" in _alarms(registered)
    # Only the honest checkpoint pushed before is there to cosign: the forked one was refused
    assert _round(registered, tmp_path) == (1, 0)
    with admin.central_engine(registered.admin_url).connect() as connection:
        sizes = connection.execute(text("SELECT size FROM chain_checkpoints")).scalars().all()
    assert sizes == [size]


def test_a_shorter_chain_is_refused_with_an_alarm(
    registered: Central, tmp_path: Path, signer: Signer
) -> None:
    svc = _office(tmp_path, registered, signer)
    _push(svc, registered)
    size = svc.evidence.head().size
    engine = registered.engine(registered.offices[BULELENG])
    head = svc.evidence.chain.hash_at(size - 5)
    assert head is not None
    note = sign_checkpoint(signer, Checkpoint("disdukcapil-5108", size - 5, head))
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO chain_checkpoints (office_id, size, head, note) "
                "VALUES (:o, :s, :h, :n)"
            ),
            {"o": BULELENG, "s": size - 5, "h": head.hex(), "n": note},
        )
    assert _alarms(registered) == ["shorter"]


def test_a_checkpoint_signed_by_another_key_is_refused(registered: Central, tmp_path: Path) -> None:
    svc = _office(tmp_path, registered, Signer.generate("disdukcapil-5108"))  # not registered
    _push(svc, registered)
    assert _round(registered, tmp_path) == (0, 1)
    assert _alarms(registered) == ["bad_signature"]
    result = CliRunner().invoke(
        main,
        ["pusat", "saksi", "--kunci", str(tmp_path / "witness.txt")],
        env={"CENTRAL_DATABASE_URL": registered.admin_url},
    )
    assert result.exit_code == 1 and "tidak ditandatangani kunci kantor" in result.output


def test_kantor_add_registers_the_key(central: Central, signer: Signer) -> None:
    result = CliRunner().invoke(
        main,
        ["pusat", "kantor", "add", "5171", "Kota Denpasar", "--kunci", signer.verifier.vkey()],
        env={"CENTRAL_DATABASE_URL": central.admin_url},
    )
    assert result.exit_code == 0, result.output
    with admin.central_engine(central.admin_url).connect() as connection:
        stored = connection.execute(
            text("SELECT vkey FROM office_keys WHERE office_id = '5171'")
        ).scalar()
    assert stored == signer.verifier.vkey()
