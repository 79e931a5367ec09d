"""Many offices, one view: offices push their evidence into a real PostgreSQL, row-level security
keeps each office to its own rows, and the supervisor sees every office."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from functools import partial
from pathlib import Path

import pytest
from centraldb import BULELENG, DENPASAR, Central, central_database  # noqa: F401 (fixture)
from click.testing import CliRunner
from conftest import POSTGRES_URL, WITA, make_settings, open_services
from seed import seed_month
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError
from tcpproxy import CuttableProxy

from bot.context import Services
from central.link import CentralLink, link_for
from core.clock import ManualClock
from sopbot.cli import main
from storage.central import admin
from storage.central.push import beat, deliver
from storage.central.record import EvidenceRecord
from storage.central.view import NO_DRILL, NOT_ENCRYPTED, SILENT, office_states

pytestmark = pytest.mark.skipif(
    not POSTGRES_URL, reason="needs PostgreSQL: set SOPBOT_TEST_POSTGRES_URL (.ci/run starts one)"
)

# seed_month(last_day=24), the clock on 25 November: 23 dump runs (one day missing), 19 verified
# copies, 24 finished SOP days.
SEEDED_A = {"dump": 23, "copy": 19, "day": 24}
SEEDED_6_COPIES = 4  # last_day=6: copies of days 1, 2, 4 and 6 (5 failed, 3 not copied)
SEEDED_B = {"dump": 10, "copy": 7, "day": 24}  # last_day=10; the days after count, empty


def office(tmp_path: Path, office_id: str, url: str, last_day: int) -> Services:
    """An office's bot runtime with `last_day` days of November in its own SQLite log."""
    settings = make_settings(
        "http://127.0.0.1:9/bot",
        tmp_path / office_id,
        office_id=office_id,
        office_name=f"Kantor {office_id}",
        central_database_url=url,
    )
    clock = ManualClock(datetime(2026, 11, 25, 8, 0, tzinfo=WITA))
    svc = open_services(settings, clock)
    seed_month(svc.soplog, svc.dumplog, svc.copylog, last_day=last_day)
    return svc


def link_of(svc: Services) -> CentralLink:
    return link_for(svc, version="test")


def push_until_done(link: CentralLink, cycles: int = 20) -> None:
    for _ in range(cycles):
        status = link.cycle()
        assert not status.error, status.error
        if status.queued == 0 and not link.collect():
            return
    raise AssertionError("the queue did not empty")


def counts(engine: Engine, office_id: str) -> dict[str, int]:
    with engine.connect() as connection:
        rows = connection.execute(
            text("SELECT kind, count(*) FROM evidence WHERE office_id = :o GROUP BY kind"),
            {"o": office_id},
        ).all()
    return {kind: n for kind, n in rows}


def test_two_offices_push_and_the_supervisor_sees_both(central: Central, tmp_path: Path) -> None:
    a = office(tmp_path, BULELENG, central.offices[BULELENG].url, 24)
    b = office(tmp_path, DENPASAR, central.offices[DENPASAR].url, 10)
    push_until_done(link_of(a))
    push_until_done(link_of(b))

    supervisor = central.engine(central.supervisor)
    assert counts(supervisor, BULELENG) == SEEDED_A
    assert counts(supervisor, DENPASAR) == SEEDED_B
    with supervisor.connect() as connection:
        days = {
            local(key): detail
            for key, detail in connection.execute(
                text("SELECT key, detail FROM evidence WHERE office_id = :o AND kind = 'day'"),
                {"o": BULELENG},
            )
        }
    # Evidence only: the day's steps and lateness (the ADB was late on the 2nd, not the 3rd),
    # no name or Telegram id.
    late, on_time = days["day:2026-11-02"], days["day:2026-11-03"]
    assert late["late_steps"] and not on_time["late_steps"]
    assert late["steps_done"] < late["steps_required"] and late["dump"] == "success"
    assert "222" not in str(days) and "Made" not in str(days)

    states = {s.office_id: s for s in office_states(supervisor, a.clock.now())}
    assert set(states) == {BULELENG, DENPASAR}
    buleleng = states[BULELENG]
    assert buleleng.last_dump == datetime(2026, 11, 24, 1, 34, tzinfo=WITA)
    # The newest copy, dated by its data: the dump of the 24th (finished 01:34), copied at 08:03.
    assert buleleng.last_copy == datetime(2026, 11, 24, 1, 34, tzinfo=WITA)
    assert buleleng.seen_at is not None  # the server's clock: see the test of clocks
    assert abs(buleleng.seen_at - datetime.now(UTC)) < timedelta(minutes=1)
    # Copies not encrypted and no drill ever: the supervisor is told, not shown a ✅.
    assert NOT_ENCRYPTED in buleleng.problems and NO_DRILL in buleleng.problems
    assert SILENT not in buleleng.problems
    # Denpasar stopped on the 10th: worst first.
    assert office_states(supervisor, a.clock.now())[0].office_id == DENPASAR

    # The newest copy is re-read and found damaged: the supervisor stops counting it.
    a.copylog.record_checks("d1", {"24.dmp": False}, a.clock.now())
    push_until_done(link_of(a))
    states = {s.office_id: s for s in office_states(supervisor, a.clock.now())}
    assert states[BULELENG].last_copy == datetime(2026, 11, 23, 1, 33, tzinfo=WITA)
    assert counts(supervisor, BULELENG)["check"] == 1


def test_an_office_that_loses_its_link_keeps_working_and_catches_up_exactly_once(
    central: Central, tmp_path: Path
) -> None:
    pg = make_url(central.admin_url)
    proxy = CuttableProxy(pg.host or "127.0.0.1", pg.port or 5432)
    try:
        through_proxy = (
            make_url(central.offices[BULELENG].url)
            .set(port=proxy.port)
            .render_as_string(hide_password=False)
        )
        a = office(tmp_path, BULELENG, through_proxy, 24)
        link = link_of(a)
        proxy.cut()
        down = link.cycle()
        assert down.error and down.delivered == 0
        assert link.down_since is not None
        # Password and URL never in the reason.
        assert central.offices[BULELENG].password not in down.error
        assert f"{central.offices[BULELENG].role}:" not in down.error
        assert a.central_queue.waiting()[0] == sum(SEEDED_A.values())

        # A new day's dump while the link is down is queued too.
        a.clock.advance(timedelta(days=1))
        seed_next_dump(a)
        assert link.cycle().error

        proxy.restore()
        # The central database stores a batch but the answer is lost: sent again, stored once.
        original = a.central_queue.mark_sent
        lost = {"once": True}

        def answer_lost(seqs: list[int], at: datetime) -> None:
            if lost.pop("once", False):
                raise ConnectionResetError("answer lost")
            original(seqs, at)

        a.central_queue.mark_sent = answer_lost  # type: ignore[method-assign]
        with pytest.raises(ConnectionResetError):
            link.cycle()
        push_until_done(link)
        assert link.down_since is None
    finally:
        proxy.close()

    supervisor = central.engine(central.supervisor)
    expected = {**SEEDED_A, "dump": SEEDED_A["dump"] + 1, "day": SEEDED_A["day"] + 1}
    assert counts(supervisor, BULELENG) == expected
    with supervisor.connect() as connection:
        keys = (
            connection.execute(
                text("SELECT key FROM evidence WHERE office_id = :o ORDER BY seq"), {"o": BULELENG}
            )
            .scalars()
            .all()
        )
    assert len(keys) == len(set(keys)) == sum(expected.values())
    keys = [local(key) for key in keys]
    with supervisor.connect() as connection:
        newest = connection.execute(
            text("SELECT detail FROM evidence WHERE office_id = :o AND key LIKE '%/dump:24'"),
            {"o": BULELENG},
        ).scalar_one()
    assert newest["consistent_as_of"] == "SCN 987654321" and newest["file"] == "next.dmp"
    # In order: the office's queue order is kept (dumps before the copies of the same batch).
    assert keys.index("dump:1") < keys.index("copy:1")


def local(key: str) -> str:
    """A key without its installation's mark: "3f2a…/dump:1" -> "dump:1"."""
    origin, _, rest = key.partition("/")
    assert len(origin) == 12, key
    return rest


def seed_next_dump(svc: Services) -> None:
    now = svc.clock.now()
    run_id = svc.dumplog.start(
        run_date=now.astimezone(WITA).date(),
        trigger="schedule",
        requested_by=None,
        backend="sqlite",
        job_name="JNEXT",
        started_at=now,
        file_path="/d/next.dmp",
        log_path="/d/next.log",
    )
    svc.dumplog.finish(
        run_id,
        finished_at=now + timedelta(minutes=5),
        outcome="success",
        size_bytes=1024,
        sha256="c" * 64,
        tables=[("SIAK.BIODATA_WNI", 5)],
        errors=[],
        warnings=[],
        consistent_as_of="SCN 987654321",
    )


def test_an_office_cannot_read_or_change_another_offices_rows(central: Central) -> None:
    now = datetime.now(UTC)
    buleleng = central.engine(central.offices[BULELENG])
    denpasar = central.engine(central.offices[DENPASAR])
    record = EvidenceRecord(1, "dump:1", "dump", now, True, None, {"outcome": "success"})
    assert deliver(buleleng, BULELENG, [record]) == 1
    assert deliver(buleleng, BULELENG, [record]) == 0  # the same key again: stored once
    deliver(denpasar, DENPASAR, [record])
    beat(buleleng, BULELENG, now, "t", 0, "")
    beat(denpasar, DENPASAR, now, "t", 0, "")

    with buleleng.connect() as connection:
        seen = connection.execute(text("SELECT DISTINCT office_id FROM evidence")).scalars()
        assert list(seen) == [BULELENG]
        assert connection.execute(text("SELECT office_id FROM heartbeats")).scalars().all() == [
            BULELENG
        ]
        assert connection.execute(text("SELECT office_id FROM offices")).scalars().all() == [
            BULELENG
        ]
    # Writing as Denpasar: refused by the policy, whatever the row says.
    with pytest.raises(DBAPIError, match="row-level security"):
        deliver(buleleng, DENPASAR, [record])
    # Changing or removing evidence: refused, also its own (evidence is never rewritten).
    for statement in (
        "UPDATE evidence SET ok = false",
        "DELETE FROM evidence",
        "UPDATE heartbeats SET office_id = '5171'",
    ):
        with pytest.raises(DBAPIError), buleleng.begin() as connection:
            connection.execute(text(statement))
    # Nothing of an office's can run with the administrator's rights: it cannot create objects.
    for statement in (
        "CREATE TABLE public.mine (x int)",
        "CREATE FUNCTION public.format(text, text, text) RETURNS text LANGUAGE sql "
        "AS $$ SELECT 'x' $$",
    ):
        with pytest.raises(DBAPIError, match="permission denied"), buleleng.begin() as connection:
            connection.execute(text(statement))
    # The server holds a SCRAM verifier, never the password itself.
    root = create_engine(central.admin_url)
    with root.connect() as connection:
        stored = connection.execute(
            text("SELECT rolpassword FROM pg_authid WHERE rolname = :r"),
            {"r": central.offices[BULELENG].role},
        ).scalar_one()
    root.dispose()
    assert stored.startswith("SCRAM-SHA-256$")
    assert central.offices[BULELENG].password not in stored
    assert central.offices[BULELENG].password not in repr(central.offices[BULELENG])
    # The supervisor reads everyone and writes nothing.
    supervisor = central.engine(central.supervisor)
    assert {s.office_id for s in office_states(supervisor, now)} == {BULELENG, DENPASAR}
    with pytest.raises(DBAPIError, match="permission denied"):
        deliver(supervisor, BULELENG, [EvidenceRecord(2, "dump:2", "dump", now, True, None, {})])
    with supervisor.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM evidence")).scalar() == 2


def test_an_office_id_that_is_not_the_logins_is_refused_and_kept(
    central: Central, tmp_path: Path
) -> None:
    wrong = office(tmp_path, DENPASAR, central.offices[BULELENG].url, 3)
    status = link_of(wrong).cycle()
    assert "OFFICE_ID" in status.error
    assert wrong.central_queue.waiting()[0] == status.queued > 0


def test_the_supervisors_command_line(central: Central, tmp_path: Path) -> None:
    now = datetime.now(UTC)
    safe = central.engine(central.offices[BULELENG])
    deliver(
        safe,
        BULELENG,
        [
            EvidenceRecord(1, "dump:1", "dump", now - timedelta(hours=5), True, None, {}),
            EvidenceRecord(2, "copy:1", "copy", now - timedelta(hours=4), True, True, {}),
            EvidenceRecord(3, "drill:1", "drill", now - timedelta(days=2), True, None, {}),
        ],
    )
    beat(safe, BULELENG, now, "t", 0, "")
    runner = CliRunner()
    env = {"CENTRAL_DATABASE_URL": central.supervisor.url}
    csv_file, png = tmp_path / "kantor.csv", tmp_path / "kantor.png"
    result = runner.invoke(
        main, ["pusat", "--csv", str(csv_file), "--chart", str(png), "--days", "7"], env=env
    )
    assert result.exit_code == 1, result.output  # Denpasar never reported: unsafe
    lines = result.output.splitlines()
    assert "2 kantor, 1 tidak aman" in lines[0]
    assert lines[1].startswith("❌ 5171") and "bot belum pernah melapor" in lines[2]
    assert lines[3].startswith("✅ 5108") and "🔒" in lines[3]
    table = csv_file.read_text(encoding="utf-8-sig").splitlines()
    assert table[0].startswith("kode;kantor;aman") and table[2].startswith("5108;")
    assert png.read_bytes().startswith(b"\x89PNG")

    # Only the safe office visible (its own login): exit 0.
    result = runner.invoke(
        main, ["pusat"], env={"CENTRAL_DATABASE_URL": central.offices[BULELENG].url}
    )
    assert result.exit_code == 0, result.output
    assert "1 kantor, 0 tidak aman" in result.output
    assert "hanya kantor ini yang terlihat" in result.output


def test_init_and_office_logins_from_the_command_line(central: Central) -> None:
    runner = CliRunner()
    env = {"CENTRAL_DATABASE_URL": central.admin_url}
    again = runner.invoke(main, ["pusat", "init"], env=env)
    assert again.exit_code == 0 and f"skema {admin.HEAD_REVISION}" in again.output  # idempotent
    made = runner.invoke(
        main,
        ["pusat", "kantor", "add", "5101", "Disdukcapil Jembrana", "--host", "pusat.bali"],
        env=env,
    )
    assert made.exit_code == 0, made.output
    assert "OFFICE_ID=5101" in made.output
    url_line = next(line for line in made.output.splitlines() if line.startswith("CENTRAL_"))
    # The login's name says nothing of the office (every login sees every role name).
    assert "@pusat.bali:" in url_line and "5101" not in url_line.split("@")[0]
    assert "://sopbot_k_" in url_line
    # A login that exists already on the server gets a new password, and says so.
    again = runner.invoke(main, ["pusat", "kantor", "add", BULELENG, "Buleleng"], env=env)
    assert again.exit_code == 0 and "sudah ada di server ini" in again.output
    moved = runner.invoke(
        main, ["pusat", "pengawas", "add", "jawa", "--host", "pusat:5432"], env=env
    )
    assert moved.exit_code == 2 and "--port" in moved.output
    bad = runner.invoke(main, ["pusat", "kantor", "add", "51x", "Salah"], env=env)
    assert bad.exit_code == 2 and "regional code" in bad.output


def test_sopbot_check_says_whether_the_login_is_this_offices(
    central: Central, tmp_path: Path
) -> None:
    from bot.checklist import Verdict, check_central

    login = central.offices[BULELENG].url
    base_url = "http://127.0.0.1:9/bot"
    base = {"office_name": "Kantor", "central_database_url": login}
    right = make_settings("http://127.0.0.1:9/bot", tmp_path, office_id=BULELENG, **base)
    wrong = make_settings("http://127.0.0.1:9/bot", tmp_path, office_id=DENPASAR, **base)
    assert check_central(right).verdict is Verdict.OK
    refused = check_central(wrong)
    assert refused.verdict is Verdict.FAIL and "bukan OFFICE_ID 5171" in refused.detail
    unreachable = make_url(login).set(port=9).render_as_string(hide_password=False)
    down = check_central(
        make_settings(
            "http://127.0.0.1:9/bot",
            tmp_path,
            office_id=BULELENG,
            office_name="K",
            central_database_url=unreachable,
        )
    )
    assert down.verdict is Verdict.WARN and central.offices[BULELENG].password not in down.detail
    # An office's login with OFFICE_ID empty reports nothing: said, with the id to set.
    silent = check_central(make_settings(base_url, tmp_path, central_database_url=login))
    assert silent.verdict is Verdict.WARN and "OFFICE_ID=5108" in silent.detail
    # A supervisor's login is right for a bot that only watches, wrong with an OFFICE_ID.
    supervisor = central.supervisor.url
    watching = check_central(make_settings(base_url, tmp_path, central_database_url=supervisor))
    assert watching.verdict is Verdict.OK and "pengawas" in watching.detail
    posing = check_central(
        make_settings(base_url, tmp_path, office_id=BULELENG, central_database_url=supervisor)
    )
    assert posing.verdict is Verdict.FAIL and "hapus OFFICE_ID" in posing.detail


def test_an_office_clock_cannot_make_evidence_look_fresh(central: Central) -> None:
    """An office PC a year ahead (by mistake or not) would look safe for a year: the server's
    clock stamps what arrives."""
    now = datetime.now(UTC)
    ahead = now + timedelta(days=365)
    buleleng = central.engine(central.offices[BULELENG])
    deliver(buleleng, BULELENG, [EvidenceRecord(1, "x/dump:1", "dump", ahead, True, None, {})])
    beat(buleleng, BULELENG, ahead, "t", 0, "")
    with buleleng.connect() as connection:
        happened, received = connection.execute(
            text("SELECT happened_at, received_at FROM evidence")
        ).one()
        seen = connection.execute(text("SELECT seen_at FROM heartbeats")).scalar_one()
    assert happened <= datetime.now(UTC) + timedelta(minutes=5)
    assert abs(received - now) < timedelta(minutes=1) and abs(seen - now) < timedelta(minutes=1)
    # Not a kind the central database knows, or too large: refused.
    for bad in (
        EvidenceRecord(2, "x/other:1", "other", now, True, None, {}),
        EvidenceRecord(3, "x/dump:3", "dump", now, True, None, {"blob": "x" * 70_000}),
    ):
        with pytest.raises(DBAPIError, match="check constraint"):
            deliver(buleleng, BULELENG, [bad])


def test_a_dump_left_running_holds_back_nothing_after_it(central: Central, tmp_path: Path) -> None:
    a = office(tmp_path, BULELENG, central.offices[BULELENG].url, 2)
    now = a.clock.now()
    # A dump still running now (its verdict comes later), and one killed days ago that no
    # start has marked yet: later dumps are reported all the same.
    a.dumplog.start(
        run_date=now.date(),
        trigger="cli",
        requested_by=None,
        backend="sqlite",
        job_name="OLD",
        started_at=now - timedelta(days=3),
        file_path="/d/o",
        log_path="/d/o.log",
    )
    running = a.dumplog.start(
        run_date=now.date(),
        trigger="schedule",
        requested_by=None,
        backend="sqlite",
        job_name="NOW",
        started_at=now,
        file_path="/d/n",
        log_path="/d/n.log",
    )
    seed_next_dump(a)
    link = link_of(a)
    push_until_done(link)
    supervisor = central.engine(central.supervisor)
    assert counts(supervisor, BULELENG)["dump"] == 2 + 1  # the two seeded days and the newest
    a.dumplog.finish(
        running,
        finished_at=now + timedelta(minutes=3),
        outcome="success",
        size_bytes=1,
        sha256="d" * 64,
        tables=[],
        errors=[],
        warnings=[],
    )
    push_until_done(link)
    assert counts(supervisor, BULELENG)["dump"] == 4  # its verdict came, it was reported


def test_many_copies_found_damaged_at_once_are_all_reported(
    central: Central, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    a = office(tmp_path, BULELENG, central.offices[BULELENG].url, 6)
    link = link_of(a)
    push_until_done(link)
    # One /verifikasi finds every copy gone, all at the same moment; a cycle reads two at most.
    names = {f"{day}.dmp": False for day in range(1, 7)}
    a.copylog.record_checks("d1", names, a.clock.now())
    monkeypatch.setattr(a.copylog, "damaged_after", partial(a.copylog.damaged_after, limit=2))
    push_until_done(link)
    supervisor = central.engine(central.supervisor)
    assert counts(supervisor, BULELENG)["check"] == SEEDED_6_COPIES
    assert office_states(supervisor, a.clock.now())[0].last_copy is None  # none left to count


def test_a_reinstalled_office_is_not_taken_for_what_was_stored(
    central: Central, tmp_path: Path
) -> None:
    """A new PC or a fresh database starts its ids from 1 again: its dump 1 is new evidence."""
    first = office(tmp_path / "old", BULELENG, central.offices[BULELENG].url, 2)
    push_until_done(link_of(first))
    again = office(tmp_path / "new", BULELENG, central.offices[BULELENG].url, 3)
    push_until_done(link_of(again))
    supervisor = central.engine(central.supervisor)
    assert counts(supervisor, BULELENG)["dump"] == 2 + 3


def test_a_lost_disk_stops_counting_at_the_central_view_until_found(
    central: Central, tmp_path: Path
) -> None:
    from jobs.external.lost import FOUND, LOST, event_detail
    from storage.central.view import NO_COPY, daily_grid

    a = office(tmp_path, BULELENG, central.offices[BULELENG].url, 24)
    link = link_of(a)
    push_until_done(link)
    supervisor = central.engine(central.supervisor)
    newest = datetime(2026, 11, 24, 1, 34, tzinfo=WITA)
    [state] = [s for s in office_states(supervisor, a.clock.now()) if s.office_id == BULELENG]
    assert state.last_copy == newest
    # An older copy reported before copies named their disk's id: matched by the label.
    legacy = EvidenceRecord(
        999_999, "legacy/copy:1", "copy", newest - timedelta(days=1), True, True,
        {"disk": "HDD", "file": "old.dmp"},
    )  # fmt: skip
    deliver(central.engine(central.offices[BULELENG]), BULELENG, [legacy])
    # /hilang, confirmed: the same records the chat writes.
    now = a.clock.now()
    a.disks.register("d1", "HDD", None, now)
    a.disks.lost("d1", now)
    disk = a.disks.get("d1")
    assert disk is not None
    a.audit.record(now, 111, LOST, event_detail(disk))
    push_until_done(link)
    assert counts(supervisor, BULELENG)["disk"] == 1
    [state] = [s for s in office_states(supervisor, now) if s.office_id == BULELENG]
    assert state.last_copy is None and NO_COPY in state.problems  # nothing left to count
    grid = daily_grid(supervisor, date(2026, 11, 20), date(2026, 11, 24), WITA)
    assert "copy" not in grid.get(BULELENG, {}).values()  # the chart stops counting it too
    # Found and verified in full (/ketemu): its copies count again.
    a.clock.advance(timedelta(hours=2))
    a.disks.found("d1", a.clock.now())
    a.audit.record(a.clock.now(), 111, FOUND, event_detail(disk, "ditemukan"))
    push_until_done(link)
    assert counts(supervisor, BULELENG)["disk"] == 2
    [state] = [s for s in office_states(supervisor, a.clock.now()) if s.office_id == BULELENG]
    assert state.last_copy == newest
    with supervisor.connect() as connection:
        details = connection.execute(
            text("SELECT detail FROM evidence WHERE office_id = :o AND kind = 'disk'"),
            {"o": BULELENG},
        ).scalars()
        assert all("ditemukan" not in str(d) for d in details)  # a person's words stay home
