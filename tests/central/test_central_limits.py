"""One login must not be able to blind or fill the central database, nor tell who else reports;
one bad record must not silence an office. On a real PostgreSQL, with a second login holding
every lock it can get in an open transaction."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from centraldb import BULELENG, DENPASAR, Central, central_database  # noqa: F401 (fixture)
from conftest import POSTGRES_URL, make_settings
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, OperationalError
from test_central import counts, link_of, office, push_until_done

import texts
from bot.checklist import Verdict, check_central
from storage.central import admin
from storage.central.push import beat, deliver
from storage.central.record import EvidenceRecord
from storage.central.view import NOT_YET, daily_grid, office_states

pytestmark = pytest.mark.skipif(
    not POSTGRES_URL, reason="needs PostgreSQL: set SOPBOT_TEST_POSTGRES_URL (.ci/run starts one)"
)


def record(seq: int, key: str, detail: dict[str, object] | None = None) -> EvidenceRecord:
    return EvidenceRecord(seq, key, "dump", datetime.now(UTC), True, None, detail or {})


def administrator(central: Central) -> Engine:
    return admin.central_engine(central.admin_url)


def test_an_office_cannot_lock_out_the_others_or_the_supervisor(central: Central) -> None:
    """`LOCK TABLE heartbeats IN ACCESS EXCLUSIVE MODE` in an open transaction once stopped
    every office's heartbeat and the supervisor's view. Now an office may take only locks that
    neither readers nor other offices' inserts wait for."""
    attacker = central.engine(central.offices[BULELENG])
    for table in ("heartbeats", "evidence", "offices"):
        for mode in ("ACCESS EXCLUSIVE", "EXCLUSIVE", "SHARE"):
            with pytest.raises(DBAPIError, match="permission denied"), attacker.begin() as c:
                c.execute(text(f"LOCK TABLE {table} IN {mode} MODE"))
    now = datetime.now(UTC)
    with attacker.connect() as holding:
        transaction = holding.begin()
        try:
            # Everything it may still hold: its own heartbeat row, an uncommitted insert.
            holding.execute(text("LOCK TABLE evidence IN ROW EXCLUSIVE MODE"))
            holding.execute(text("LOCK TABLE heartbeats, offices IN ACCESS SHARE MODE"))
            holding.execute(text("SELECT sopbot_beat('5108', 't', 0, '', 0)"))
            holding.execute(
                text(
                    "INSERT INTO evidence (office_id, key, seq, kind, happened_at, ok, detail) "
                    "VALUES ('5108', 'x/dump:1', 1, 'dump', now(), true, '{}')"
                )
            )
            # Meanwhile (every wait bounded by lock_timeout): the other office reports and
            # beats, and the supervisor reads every office.
            other = central.engine(central.offices[DENPASAR])
            assert deliver(other, DENPASAR, [record(1, "y/dump:1")]) == 1
            beat(other, DENPASAR, now, "t", 0, "")
            supervisor = central.engine(central.supervisor)
            states = {s.office_id: s for s in office_states(supervisor, now)}
            assert states[DENPASAR].seen_at is not None and states[DENPASAR].last_dump is not None
        finally:
            transaction.rollback()
    # An office cannot write a heartbeat but its own, nor change the table directly.
    for statement in (
        "UPDATE heartbeats SET queued = 0",
        "INSERT INTO heartbeats (office_id, seen_at, version, queued, note) "
        "VALUES ('5108', now(), 't', 0, '')",
        "DELETE FROM heartbeats",
    ):
        with pytest.raises(DBAPIError, match="permission denied"), attacker.begin() as c:
            c.execute(text(statement))
    with pytest.raises(DBAPIError, match="row-level security"):
        beat(attacker, DENPASAR, now, "t", 0, "")


def test_every_login_starts_with_the_servers_limits(central: Central) -> None:
    """Set on the role, so they hold whatever client connects (here: none of the bot's own
    session options)."""
    expected = {
        "statement_timeout": "30s",
        "lock_timeout": "5s",
        "idle_in_transaction_session_timeout": "1min",
        "temp_file_limit": "16MB",
    }
    plain = create_engine(central.offices[BULELENG].url)
    with plain.connect() as connection:
        shown = {name: connection.execute(text(f"SHOW {name}")).scalar() for name in expected}
    assert shown == expected
    with create_engine(central.supervisor.url).connect() as connection:
        assert connection.execute(text("SHOW statement_timeout")).scalar() == "1min"
    # At most 4 connections for an office: the fifth is refused by the server.
    held = [plain.connect() for _ in range(4)]
    try:
        with pytest.raises(OperationalError, match="too many connections"):
            plain.connect()
    finally:
        for connection in held:
            connection.close()
    plain.dispose()


def test_an_upgrade_limits_existing_logins_and_names_those_that_still_tell(
    central: Central,
) -> None:
    """A login made before these limits (with the old telling name) gets them from `sopbot
    pusat init`, and `kantor add` replaces it by an opaque one."""
    engine = administrator(central)
    with engine.begin() as connection:
        connection.execute(text("CREATE ROLE sopbot_kantor_5101 LOGIN PASSWORD 'x'"))
        connection.execute(text("GRANT sopbot_kantor TO sopbot_kantor_5101"))
        connection.execute(
            text(
                "INSERT INTO offices (office_id, name, role_name) "
                "VALUES ('5101', 'Jembrana', 'sopbot_kantor_5101')"
            )
        )
    try:
        done = admin.upgrade(engine)
        assert "sopbot_kantor_5101" in done.legacy and done.logins >= 4
        with engine.connect() as connection:
            limit, settings = connection.execute(
                text(
                    "SELECT r.rolconnlimit, s.setconfig FROM pg_roles r "
                    "JOIN pg_db_role_setting s ON s.setrole = r.oid "
                    "WHERE r.rolname = 'sopbot_kantor_5101'"
                )
            ).one()
        assert limit == 4 and "statement_timeout=30s" in settings
        login = admin.add_office(engine, "5101", "Jembrana")
        assert login.replaced == "sopbot_kantor_5101" and login.role.startswith("sopbot_k_")
        with engine.connect() as connection:
            roles = connection.execute(text("SELECT rolname FROM pg_roles")).scalars().all()
        assert "sopbot_kantor_5101" not in roles and login.role in roles
        assert "sopbot_kantor_5101" not in admin.upgrade(engine).legacy
        with central.engine(login).connect() as connection:
            assert connection.execute(text("SELECT sopbot_office_id()")).scalar() == "5101"
    finally:
        with engine.begin() as connection:
            for role in connection.execute(
                text("SELECT role_name FROM offices WHERE office_id = '5101'")
            ).scalars():
                connection.execute(text(f'DROP ROLE IF EXISTS "{role}"'))
            connection.execute(text("DELETE FROM offices WHERE office_id = '5101'"))
        engine.dispose()


def test_no_login_can_tell_who_else_reports(central: Central) -> None:
    """PostgreSQL shows every role name to every login: the names say nothing."""
    with central.engine(central.offices[BULELENG]).connect() as connection:
        names = " ".join(connection.execute(text("SELECT rolname FROM pg_roles")).scalars())
        assert DENPASAR not in names and BULELENG not in names and "bali" not in names
        assert connection.execute(text("SELECT office_id FROM offices")).scalars().all() == [
            BULELENG
        ]
        for table in ("supervisors", "office_usage"):
            with pytest.raises(DBAPIError, match="permission denied"):
                connection.execute(text(f"SELECT * FROM {table}"))
            connection.rollback()


def test_one_login_cannot_fill_the_central_database(central: Central, tmp_path: Path) -> None:
    """One office inserted 75 MB in 4.6 s. Now each has a daily bound; past it nothing more is
    stored that day, the records wait at the office, and its heartbeat still arrives."""
    engine = administrator(central)
    with engine.begin() as connection:
        connection.execute(
            text("UPDATE offices SET daily_bytes = 200000 WHERE office_id = :o"), {"o": BULELENG}
        )
    buleleng = central.engine(central.offices[BULELENG])
    blob = {"blob": "x" * 60_000}
    stored = 0
    with pytest.raises(DBAPIError, match="daily quota") as refused:
        for n in range(20):
            stored += deliver(buleleng, BULELENG, [record(n, f"x/dump:{n}", blob)])
    assert getattr(refused.value.orig, "sqlstate", "") == "53400"
    assert stored == 3 and counts(central.engine(central.supervisor), BULELENG) == {"dump": 3}
    # Another office is not held back.
    denpasar = central.engine(central.offices[DENPASAR])
    assert deliver(denpasar, DENPASAR, [record(1, "y/dump:1", blob)]) == 1

    with engine.begin() as connection:  # used up whatever the office sends next
        connection.execute(
            text("UPDATE offices SET daily_bytes = 1000 WHERE office_id = :o"), {"o": BULELENG}
        )
    a = office(tmp_path, BULELENG, central.offices[BULELENG].url, 24)
    status = link_of(a).cycle()
    assert "quota" in status.error and status.queued > 0
    assert not status.set_aside  # nothing is wrong with the records: they wait
    with central.engine(central.supervisor).connect() as connection:
        queued, note = connection.execute(
            text("SELECT queued, note FROM heartbeats WHERE office_id = :o"), {"o": BULELENG}
        ).one()
    assert queued == status.queued and "quota" in note


def test_a_record_that_can_never_be_stored_is_set_aside_and_the_office_goes_on(
    central: Central, tmp_path: Path
) -> None:
    """A 70,000-character disk label once made a record fail the size check on every cycle,
    and the heartbeat after it in the same block never went: the office went silent for good."""
    a = office(tmp_path, BULELENG, central.offices[BULELENG].url, 3)
    now = a.clock.now()
    too_large = record(0, "z/copy:900", {"disk": "L" * 70_000})
    no_jsonb = record(0, "z/copy:901", {"disk": "a\u0000b"})  # jsonb cannot hold U+0000
    a.central_queue.add(too_large, now)
    a.central_queue.add(no_jsonb, now)
    link = link_of(a)
    first = link.cycle()
    assert not first.error, first.error
    assert set(first.set_aside) == {"z/copy:900", "z/copy:901"}
    push_until_done(link)

    supervisor = central.engine(central.supervisor)
    assert counts(supervisor, BULELENG) == {"dump": 3, "copy": 2, "day": 24}
    kept = {r.key: r for r in a.central_queue.kept_aside()}
    assert set(kept) == {"z/copy:900", "z/copy:901"}
    assert "too large" in kept["z/copy:900"].reason
    assert "Unicode" in kept["z/copy:901"].reason or "\\u0000" in kept["z/copy:901"].reason
    state = next(s for s in office_states(supervisor, now) if s.office_id == BULELENG)
    assert state.seen_at is not None and state.set_aside == 2
    assert "2 catatan ditolak pusat" in texts.office_line(state, now, UTC)

    # A day later they are tried again, alone; refused again, they stay aside, quietly.
    a.clock.advance(timedelta(days=1, minutes=1))
    again = link.cycle()
    assert not again.error and not again.set_aside
    assert len(a.central_queue.kept_aside()) == 2


def test_sopbot_check_fails_on_a_login_the_server_refuses(central: Central, tmp_path: Path) -> None:
    login = central.offices[BULELENG]
    wrong = make_url(login.url).set(password="Salah-Sekali-12345").render_as_string(False)
    settings = make_settings(
        "http://127.0.0.1:9/bot",
        tmp_path,
        office_id=BULELENG,
        office_name="K",
        central_database_url=wrong,
    )
    try:
        create_engine(wrong).connect().close()
        pytest.skip("this PostgreSQL trusts every login (pg_hba.conf): .ci/postgres.sh does not")
    except OperationalError:
        pass
    checked = check_central(settings)
    assert checked.verdict is Verdict.FAIL, checked
    assert "ditolak" in checked.detail and "Salah-Sekali" not in checked.detail
    # A database that is not there is the same: the server answered.
    elsewhere = make_url(login.url).set(database="tidak_ada").render_as_string(False)
    missing = check_central(
        make_settings(
            "http://127.0.0.1:9/bot",
            tmp_path,
            office_id=BULELENG,
            office_name="K",
            central_database_url=elsewhere,
        )
    )
    assert missing.verdict is Verdict.FAIL


def test_the_chart_shows_days_before_an_office_began_as_no_data(central: Central) -> None:
    now = datetime.now(UTC)
    buleleng = central.engine(central.offices[BULELENG])
    deliver(
        buleleng,
        BULELENG,
        [
            EvidenceRecord(1, "x/day:1", "day", now - timedelta(days=3), False, None, {}),
            EvidenceRecord(2, "x/dump:1", "dump", now - timedelta(days=2), True, None, {}),
        ],
    )
    last = now.astimezone(UTC).date()
    first = last - timedelta(days=6)
    grid = daily_grid(central.engine(central.supervisor), first, last, UTC)
    began = last - timedelta(days=3)
    assert [d for d, v in grid[BULELENG].items() if v == NOT_YET] == [
        first + timedelta(days=n) for n in range((began - first).days)
    ]
    assert grid[BULELENG][last - timedelta(days=2)] == "dump"
    assert began not in grid[BULELENG]  # it had begun: nothing good that day
    # Denpasar never reported: from the day it was added, nothing good; before, no data.
    assert set(grid[DENPASAR].values()) == {NOT_YET} and last not in grid[DENPASAR]


def test_an_office_of_this_version_reports_before_and_after_the_central_upgrade() -> None:
    """Offices are upgraded first: against the older schema the heartbeat falls back to the row
    update; after `sopbot pusat init` the same (old-named) login beats through sopbot_beat()."""
    from alembic import command
    from alembic.config import Config

    name = f"sopbot_central_{uuid.uuid4().hex[:10]}"
    root = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    with root.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False)
    engine = admin.central_engine(url)
    role = f"sopbot_kantor_{uuid.uuid4().int % 900000 + 100000}"  # as the older version named it
    office_id = role.rsplit("_", 1)[1]
    try:
        config = Config()
        config.set_main_option("script_location", str(admin.MIGRATIONS_DIR))
        config.attributes["engine"] = engine
        command.upgrade(config, "c0001")
        with engine.begin() as connection:
            connection.execute(text(f"CREATE ROLE {role} LOGIN PASSWORD 'Lama-Sekali-123456'"))
            connection.execute(text(f"GRANT sopbot_kantor TO {role}"))
            connection.execute(
                text("INSERT INTO offices (office_id, name, role_name) VALUES (:o, 'Lama', :r)"),
                {"o": office_id, "r": role},
            )
        login = make_url(url).set(username=role, password="Lama-Sekali-123456")
        office_engine = admin.central_engine(login.render_as_string(hide_password=False))
        now = datetime.now(UTC)
        deliver(office_engine, office_id, [record(1, "o/dump:1")])
        beat(office_engine, office_id, now, "t", 3, "")
        admin.upgrade(engine)  # sopbot pusat init
        beat(office_engine, office_id, now, "t", 1, "", set_aside=2)
        with engine.connect() as connection:
            row = connection.execute(
                text("SELECT queued, set_aside FROM heartbeats WHERE office_id = :o"),
                {"o": office_id},
            ).one()
        assert tuple(row) == (1, 2)
        with pytest.raises(DBAPIError, match="permission denied"), office_engine.begin() as c:
            c.execute(text("LOCK TABLE heartbeats IN ACCESS EXCLUSIVE MODE"))
        office_engine.dispose()
    finally:
        engine.dispose()
        with root.connect() as connection:
            connection.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
            connection.execute(text(f"DROP ROLE IF EXISTS {role}"))
        root.dispose()
