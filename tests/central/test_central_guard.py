"""A login that switches its own timeouts off is still ended from outside: the administrator's
guard ends every session that ran past its role's limits, and nothing else."""

from __future__ import annotations

import threading
import time
from datetime import timedelta

import pytest
from centraldb import BULELENG, DENPASAR, Central, central_database  # noqa: F401 (fixture)
from conftest import POSTGRES_URL
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from storage.central import admin
from storage.central.guard import DEFAULT_BOUNDS, Bounds, EndedSession, end_overrunning_sessions
from storage.central.schema import OFFICE_GROUP, SUPERVISOR_GROUP

pytestmark = pytest.mark.skipif(
    not POSTGRES_URL, reason="needs PostgreSQL: set SOPBOT_TEST_POSTGRES_URL (.ci/run starts one)"
)

TIGHT = {
    OFFICE_GROUP: Bounds(timedelta(seconds=1), timedelta(seconds=1)),
    SUPERVISOR_GROUP: Bounds(timedelta(seconds=1), timedelta(seconds=1)),
}


def test_the_default_bounds_are_the_logins_own_limits_plus_a_grace() -> None:
    office = DEFAULT_BOUNDS[OFFICE_GROUP]
    assert office.statement == timedelta(seconds=30 + 30)
    assert office.idle_in_transaction == timedelta(seconds=60 + 30)
    assert DEFAULT_BOUNDS[SUPERVISOR_GROUP].statement == timedelta(seconds=60 + 30)


def test_sessions_that_switched_their_timeouts_off_are_ended(central: Central) -> None:
    sleeper = central.engine(central.offices[BULELENG])
    holder = central.engine(central.offices[DENPASAR])
    honest = central.engine(central.supervisor)
    outcome: dict[str, BaseException | None] = {}

    def sleep_for_ever() -> None:
        try:
            with sleeper.connect() as connection:
                connection.execute(text("SET statement_timeout = 0"))
                connection.execute(text("SELECT pg_sleep(120)"))
            outcome["sleeper"] = None
        except BaseException as error:
            outcome["sleeper"] = error

    thread = threading.Thread(target=sleep_for_ever, daemon=True)
    thread.start()
    holding = holder.connect()
    holding.execute(text("SET idle_in_transaction_session_timeout = 0"))
    holding.execute(text("SELECT count(*) FROM heartbeats"))  # a transaction, left open
    idle = honest.connect()  # connected, no transaction: within every limit
    idle.execute(text("SELECT 1"))
    idle.commit()
    try:
        administrator = admin.central_engine(central.admin_url)
        deadline = time.monotonic() + 30
        ended: list[EndedSession] = []
        while time.monotonic() < deadline and len({e.role for e in ended}) < 2:
            time.sleep(0.5)
            ended += end_overrunning_sessions(administrator, TIGHT)
        roles = {e.role: e for e in ended}
        assert set(roles) == {central.offices[BULELENG].role, central.offices[DENPASAR].role}
        assert roles[central.offices[BULELENG].role].state == "active"
        assert roles[central.offices[DENPASAR].role].state.startswith("idle in transaction")
        assert all(e.overrun > timedelta(seconds=1) for e in ended)
        thread.join(timeout=30)
        assert not thread.is_alive()
        assert isinstance(outcome["sleeper"], DBAPIError)
        with pytest.raises(DBAPIError):
            holding.execute(text("SELECT 1"))
        # The honest session is untouched, and a second pass ends nothing.
        assert idle.execute(text("SELECT 1")).scalar() == 1
        idle.commit()
        assert end_overrunning_sessions(administrator, TIGHT) == []
        administrator.dispose()
    finally:
        holding.close()
        idle.close()
        for engine in (sleeper, holder, honest):
            engine.dispose()


def test_the_guard_from_the_command_line(central: Central) -> None:
    from click.testing import CliRunner

    from sopbot.cli import main

    runner = CliRunner()
    result = runner.invoke(main, ["pusat", "penjaga", "--database-url", central.admin_url])
    assert result.exit_code == 0, result.output
    assert "tidak ada sesi yang melewati batas" in result.output
    result = runner.invoke(
        main, ["pusat", "penjaga", "--database-url", "postgresql+psycopg://x@127.0.0.1:1/none"]
    )
    assert result.exit_code == 2, result.output
    assert "Database pusat tidak dapat dipakai" in result.output
