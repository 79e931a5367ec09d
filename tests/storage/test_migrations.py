"""Migrations: they build exactly the models' schema, and every older database upgrades without
losing a row or its meaning."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import text

from core.problems import Code
from core.sop import Role
from storage.copies import CopyLog
from storage.database import make_engine, schema_is_current, upgrade
from storage.dumps import DumpLog
from storage.models import Base
from storage.soplog import SopLog
from texts.problems import say

WITA = ZoneInfo("Asia/Makassar")
DAY = date(2026, 11, 25)
T0 = datetime(2026, 11, 25, 8, 0, tzinfo=WITA)


@pytest.fixture
def db_url(database_url: str) -> str:
    return database_url


@pytest.fixture
def soplog(db_url: str) -> SopLog:
    engine = make_engine(db_url)
    upgrade(engine)
    return SopLog(engine)


def test_migrations_build_exactly_the_models_schema(db_url: str) -> None:
    engine = make_engine(db_url)
    upgrade(engine)
    assert schema_is_current(engine)
    with engine.connect() as connection:
        diff = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    assert diff == []


def test_upgrading_again_keeps_every_row(db_url: str, soplog: SopLog) -> None:
    soplog.issue_instruction(run_date=DAY, target=Role.ADB, issued_by=1, note="x", at=T0)
    upgrade(make_engine(db_url))
    assert len(SopLog(make_engine(db_url)).open_instructions([Role.ADB])) == 1


def test_upgrading_a_first_version_database_keeps_its_log(db_url: str) -> None:
    from sqlalchemy import inspect, text

    engine = make_engine(db_url)
    upgrade(engine, "0001")  # a database from the first release
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO sop_runs (id, run_date, created_at) VALUES (1, '2026-01-05', "
                "'2026-01-05 00:00:00')"
            )
        )
        connection.execute(
            text(
                "INSERT INTO instructions (id, run_id, target_role, issued_by, issued_at, note, "
                "status, close_note) VALUES (1, 1, 'adb', 111, '2026-01-05 00:00:00', 'lama', "
                "'open', '')"
            )
        )
        connection.execute(
            text(
                "INSERT INTO step_events (run_id, step_number, actor_id, actor_role, finished_at, "
                "outcome, note, instruction_id) VALUES (1, 1, 111, 'kabid', "
                "'2026-01-05 00:00:00', 'done', 'lama', 1)"
            )
        )
    upgrade(engine)
    assert schema_is_current(engine)
    assert {"dump_runs", "external_copies", "outbox"} <= set(inspect(engine).get_table_names())
    soplog = SopLog(engine)
    old = soplog.day_status(date(2026, 1, 5))
    assert [e.note for e in old.events] == ["lama"]
    assert [i.note for i in soplog.open_instructions([Role.ADB])] == ["lama"]


def test_head_revision_constant_matches_the_migrations_folder() -> None:
    from storage.database import HEAD_REVISION, script_heads

    assert script_heads() == {HEAD_REVISION}


def test_english_problems_written_before_codes_stay_readable(db_url: str) -> None:
    engine = make_engine(db_url)
    upgrade(engine, "0005")  # the last release that stored English sentences
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO dump_runs (id, run_date, trigger, backend, job_name, started_at, "
                "outcome, file_path, log_path, sha256, tables_json, errors, warnings, "
                "late_seconds) VALUES (1, '2026-11-20', 'schedule', 'expdp', 'J', "
                "'2026-11-20 01:00:00', 'failed', '/d/a.dmp', '/d/a.log', '', '[]', "
                ":errors, '', 0)"
            ),
            {"errors": "ORA-39002: invalid operation\ndump did not finish within 240 minutes"},
        )
        connection.execute(
            text(
                "INSERT INTO external_copies (id, dump_run_id, source_path, dest_path, disk_id, "
                "disk_label, trigger, started_at, outcome, sha256, compressed, error) VALUES "
                "(1, 1, '/d/a.dmp', '', '', '', 'chat', '2026-11-20 09:00:00', 'failed', '', "
                ":false, 'writing a.dmp failed: No space left on device')"
            ),
            {"false": False},
        )
    upgrade(engine)
    [run] = DumpLog(engine).latest(1)
    assert [e.code for e in run.errors] == [Code.LEGACY, Code.LEGACY]
    assert [say(e) for e in run.errors] == [
        "ORA-39002: invalid operation",
        "dump did not finish within 240 minutes",
    ]
    assert run.warnings == []
    [copy] = CopyLog(engine).latest(1)
    assert copy.error is not None
    assert say(copy.error) == "writing a.dmp failed: No space left on device"
