"""The central witness: an honest office's chain is stored and its checkpoints cosigned; a fork,
a shorter chain and a checkpoint signed by another key are refused and shown as alarms."""

from __future__ import annotations

import hashlib
import json
import re
import threading
import time
from datetime import datetime, timedelta
from pathlib import Path

import httpx
import pytest
from centraldb import BULELENG, Central, central_database  # noqa: F401 (fixture)
from click.testing import CliRunner
from conftest import POSTGRES_URL, WITA, make_settings, open_services
from seed import seed_month
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from webfleet import serving

from bot.context import Services
from central.chain_witness import WitnessStatus, push_chain, watch, witness_round
from central.link import link_for
from core.clock import ManualClock
from core.signednote import Checkpoint, Signer, sign_checkpoint
from sopbot.cli import main
from storage.central import admin
from storage.central.webaccess import WEB, add_token, add_web_login
from storage.central.witness import alarms
from storage.chain_check import Verdict

pytestmark = pytest.mark.skipif(
    not POSTGRES_URL, reason="needs PostgreSQL: set SOPBOT_TEST_POSTGRES_URL (.ci/run starts one)"
)
NOW = datetime(2026, 11, 25, 8, 0, tzinfo=WITA)


def _office(
    tmp_path: Path, central: Central, signer: Signer, knows_witness: bool = True
) -> Services:
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
        central_witness_key=witness.verifier.vkey() if knows_witness else "",
    )
    svc = open_services(settings, ManualClock(NOW))
    seed_month(svc.soplog, svc.dumplog, svc.copylog, last_day=6)
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


def _central_leaves(central: Central) -> list[bytes]:
    """The leaf hashes the central database holds for Buleleng's chain, in order."""
    engine = admin.central_engine(central.admin_url)
    with engine.connect() as connection:
        return [
            bytes.fromhex(leaf)
            for leaf in connection.execute(
                text("SELECT leaf FROM chain_leaves WHERE office_id = :o ORDER BY seq"),
                {"o": BULELENG},
            ).scalars()
        ]


def _mth(leaves: list[bytes]) -> bytes:
    """RFC 6962 section 2.1 as written there (not our module's incremental form)."""
    if not leaves:
        return hashlib.sha256(b"").digest()
    if len(leaves) == 1:
        return leaves[0]
    k = 1
    while k * 2 < len(leaves):
        k *= 2
    return hashlib.sha256(b"\x01" + _mth(leaves[:k]) + _mth(leaves[k:])).digest()


def test_the_witness_recomputes_the_rfc_6962_tree_head_from_the_pushed_leaves(
    registered: Central, tmp_path: Path, signer: Signer
) -> None:
    svc = _office(tmp_path, registered, signer)
    _push(svc, registered)
    for n in range(3):  # more checkpoints, each extending the tree the last one kept
        svc.disks.register(f"d{n}", f"HDD-{n}", 1, NOW)
        svc.evidence.checkpoint_if_due(NOW + timedelta(minutes=n + 1))
        _push(svc, registered)
    administrator = admin.central_engine(registered.admin_url)
    leaves = _central_leaves(registered)
    with administrator.connect() as connection:
        stored = connection.execute(
            text("SELECT size, head FROM chain_checkpoints WHERE office_id = :o ORDER BY size"),
            {"o": BULELENG},
        ).all()
    assert len(stored) == 4 and stored[-1][0] == len(leaves) == svc.evidence.head().size
    for size, head in stored:
        assert bytes.fromhex(head) == _mth(leaves[:size])
    # A checkpoint signed with the office's own key over another tree head is refused
    size = len(leaves) + 1
    svc.disks.register("e", "HDD-E", 1, NOW)
    _push(svc, registered)  # the new leaf, and its honest checkpoint not yet made
    forged_leaves = [*leaves, hashlib.sha256(b"\x00lain").digest()]
    note = sign_checkpoint(signer, Checkpoint("disdukcapil-5108", size, _mth(forged_leaves)))
    with registered.engine(registered.offices[BULELENG]).begin() as connection:
        connection.execute(
            text(
                "INSERT INTO chain_checkpoints (office_id, size, head, note) "
                "VALUES (:o, :s, :h, :n)"
            ),
            {"o": BULELENG, "s": size, "h": _mth(forged_leaves).hex(), "n": note},
        )
    assert _alarms(registered) == ["fork"]
    made = svc.evidence.checkpoint_if_due(NOW + timedelta(minutes=9))
    assert made is not None and made.size == size
    _push(svc, registered)  # the honest one is stored and cosigned
    assert _round(registered, tmp_path) == (5, 0)


def test_the_chain_tables_count_against_the_offices_daily_volume(
    registered: Central, tmp_path: Path, signer: Signer
) -> None:
    svc = _office(tmp_path, registered, signer)
    administrator = admin.central_engine(registered.admin_url)
    with administrator.begin() as connection:
        connection.execute(
            text("UPDATE offices SET daily_records = 10 WHERE office_id = :o"), {"o": BULELENG}
        )
    with pytest.raises(DBAPIError, match="daily quota") as refused:
        _push(svc, registered)
    assert getattr(refused.value.orig, "sqlstate", "") == "53400"
    with administrator.connect() as connection:
        held = connection.execute(
            text("SELECT count(*) FROM chain_leaves WHERE office_id = :o"), {"o": BULELENG}
        ).scalar_one()
    assert held == 0  # the statement past the bound stored nothing
    with administrator.begin() as connection:  # the bytes are bounded too
        connection.execute(
            text(
                "UPDATE offices SET daily_records = 100000, daily_bytes = 2000 WHERE office_id = :o"
            ),
            {"o": BULELENG},
        )
    with pytest.raises(DBAPIError, match="daily quota"):
        _push(svc, registered)
    with administrator.begin() as connection:
        connection.execute(
            text("UPDATE offices SET daily_bytes = 10000000 WHERE office_id = :o"),
            {"o": BULELENG},
        )
    _push(svc, registered)  # within the bound: stored, and counted
    with administrator.connect() as connection:
        records = connection.execute(
            text("SELECT records FROM office_usage WHERE office_id = :o"), {"o": BULELENG}
        ).scalar_one()
    assert records == svc.evidence.head().size + 1  # every leaf and the checkpoint
    # An office cannot fill the alarms either: at most 100 a day are kept
    with registered.engine(registered.offices[BULELENG]).begin() as connection:
        for n in range(150):
            connection.execute(text("SELECT sopbot_chain_alarm('fork', :n)"), {"n": n})
    assert len(_alarms(registered)) == 100


def test_the_witness_wakes_when_an_office_pushes_a_checkpoint(
    registered: Central, tmp_path: Path, signer: Signer
) -> None:
    """`sopbot pusat saksi --terus`: the database notifies each accepted checkpoint, so it is
    cosigned at push time, not at the next scheduled round (here an hour away)."""
    svc = _office(tmp_path, registered, signer)
    administrator = admin.central_engine(registered.admin_url)
    stopping = threading.Event()
    rounds: list[WitnessStatus] = []
    watcher = threading.Thread(
        target=watch,
        args=(administrator, _witness(tmp_path), stopping.is_set, rounds.append, 3600.0),
        daemon=True,
    )
    watcher.start()
    try:
        deadline = time.monotonic() + 30
        while not rounds and time.monotonic() < deadline:  # the first round: nothing yet
            time.sleep(0.05)
        _push(svc, registered)
        while time.monotonic() < deadline and not any(r.cosigned for r in rounds):
            time.sleep(0.05)
        assert [r.cosigned for r in rounds if r.cosigned] == [1]
    finally:
        stopping.set()
        with administrator.connect() as connection:  # wakes it to see the stop
            connection.execute(text("NOTIFY sopbot_checkpoint"))
            connection.commit()
        watcher.join(timeout=30)
    assert not watcher.is_alive()
    _push(svc, registered)
    assert svc.evidence.checkpoints.latest_witnessed() is not None


def test_a_cosignature_the_office_cannot_verify_is_not_kept_as_witnessed(
    registered: Central, tmp_path: Path, signer: Signer
) -> None:
    """Without the witness's public key (CENTRAL_WITNESS_KEY) the office cannot tell a real
    cosignature from one the central login made up: it stays "belum disaksikan"."""
    svc = _office(tmp_path, registered, signer, knows_witness=False)
    _push(svc, registered)
    assert _round(registered, tmp_path) == (1, 0)
    _push(svc, registered)
    assert svc.evidence.checkpoints.latest_witnessed() is None
    report = svc.evidence.verify()
    assert report.verdict is Verdict.INTACT and report.witnessed is None
    from texts.evidence import chain_summary

    assert "disaksikan pusat" not in chain_summary(report)
    # Checkpoints left unwitnessed do not hold back the newer ones: each still reaches the
    # witness
    for n in range(25):
        svc.disks.register(f"n{n}", f"HDD-N{n}", 1, NOW)
        svc.evidence.checkpoint_if_due(NOW + timedelta(minutes=n + 1))
    _push(svc, registered)
    with admin.central_engine(registered.admin_url).connect() as connection:
        newest = connection.execute(
            text("SELECT max(size) FROM chain_checkpoints WHERE office_id = :o"), {"o": BULELENG}
        ).scalar_one()
    assert newest == svc.evidence.head().size


def test_the_web_office_page_shows_each_checkpoints_witness_state_and_the_alarms(
    registered: Central, tmp_path: Path, signer: Signer
) -> None:
    """The supervisor sees, per checkpoint the office pushed, what the witness made of it:
    cosigned, refused (with its alarm), or not yet witnessed."""
    svc = _office(tmp_path, registered, signer)
    _push(svc, registered)
    assert _round(registered, tmp_path) == (1, 0)
    cosigned = svc.evidence.head().size
    # A checkpoint over the honest tree head, signed by a key that is not the office's.
    svc.disks.register("f", "HDD-F", 1, NOW)
    _push(svc, registered)
    administrator = admin.central_engine(registered.admin_url)
    leaves = _central_leaves(registered)
    refused = len(leaves)
    other = Signer.generate("disdukcapil-5108")
    note = sign_checkpoint(other, Checkpoint("disdukcapil-5108", refused, _mth(leaves)))
    with registered.engine(registered.offices[BULELENG]).begin() as connection:
        connection.execute(
            text(
                "INSERT INTO chain_checkpoints (office_id, size, head, note) "
                "VALUES (:o, :s, :h, :n)"
            ),
            {"o": BULELENG, "s": refused, "h": _mth(leaves).hex(), "n": note},
        )
    assert _round(registered, tmp_path) == (0, 1)
    # An honest checkpoint the witness has not looked at yet.
    svc.disks.register("g", "HDD-G", 1, NOW)
    made = svc.evidence.checkpoint_if_due(NOW + timedelta(minutes=5))
    assert made is not None
    _push(svc, registered)

    web_url = add_web_login(administrator, "rantai").url
    token = add_token(administrator, WEB, "rantai")
    with serving(web_url, secure_cookies=False) as base:
        page = office_page(base, token, BULELENG)
    rows = {
        int(size): state
        for size, state in re.findall(
            r"<tr>\s*<td>(\d+)</td>\s*<td>[^<]*</td>\s*<td><span class=\"\w+\">([^<]+)</span>",
            page,
        )
    }
    assert rows == {
        made.size: "… belum disaksikan",
        refused: "✖ DITOLAK: tanda tangan tidak cocok dengan kunci kantor",
        cosigned: "✔ disaksikan pusat",
    }
    assert "🚨 checkpoint tidak ditandatangani kunci kantor yang terdaftar" in page
    administrator.dispose()


def test_the_web_office_page_says_when_no_checkpoint_reached_the_centre(
    registered: Central, tmp_path: Path
) -> None:
    administrator = admin.central_engine(registered.admin_url)
    link = link_for(
        open_services(
            make_settings(
                "http://127.0.0.1:9/bot",
                tmp_path / "office",
                office_id=BULELENG,
                central_database_url=registered.offices[BULELENG].url,
            ),
            ManualClock(NOW),
        ),
        version="test",
    )
    assert not link.cycle().error  # the office is heard from, but signs no checkpoints
    web_url = add_web_login(administrator, "tanpa").url
    token = add_token(administrator, WEB, "tanpa")
    with serving(web_url, secure_cookies=False) as base:
        page = office_page(base, token, BULELENG)
    assert "Belum ada checkpoint rantai bukti dari kantor ini di pusat" in page
    assert "disaksikan pusat" not in page
    administrator.dispose()


def office_page(base: str, token: str, office_id: str) -> str:
    with httpx.Client(base_url=base, timeout=10) as client:
        form = client.get("/masuk").text
        csrf = form.split('name="csrf" value="', 1)[1].split('"', 1)[0]
        assert client.post("/masuk", data={"token": token, "csrf": csrf}).status_code == 303
        answer = client.get(f"/kantor/{office_id}")
        assert answer.status_code == 200, answer.text
        return answer.text
