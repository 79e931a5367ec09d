"""The SOP log on a real database file: migrations, instructions, step events."""

from __future__ import annotations

import threading
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from core.sop import Role
from storage.database import make_engine, schema_is_current, upgrade
from storage.models import Base
from storage.soplog import CloseError, SopLog

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


def test_times_come_back_aware_and_equal(soplog: SopLog) -> None:
    issued = soplog.issue_instruction(run_date=DAY, target=Role.KASI, issued_by=1, note="", at=T0)
    again = soplog.instruction(issued.id)
    assert again is not None and again.issued_at == T0 and again.issued_at.tzinfo is not None


def test_closing_records_the_report_step_with_its_duration(soplog: SopLog) -> None:
    issued = soplog.issue_instruction(run_date=DAY, target=Role.ADB, issued_by=1, note="", at=T0)
    closed = soplog.close_instruction(
        instruction_id=issued.id,
        closed_by=2,
        roles=[Role.ADB],
        note="ok",
        at=T0 + timedelta(minutes=16),
    )
    assert closed.status == "done" and closed.duration == timedelta(minutes=16)
    day = soplog.day_status(DAY)
    report = day.events_for(9)[0]
    assert report.actor_id == 2 and report.duration == timedelta(minutes=16)
    assert day.events_for(8)[0].outcome == "confirmed"
    assert not day.events_for(2)  # schedule steps are configuration, not daily events


def test_a_step_a_job_recorded_is_not_confirmed_again(soplog: SopLog) -> None:
    issued = soplog.issue_instruction(run_date=DAY, target=Role.ADB, issued_by=1, note="", at=T0)
    soplog.record_step(
        run_date=DAY,
        step_number=8,
        actor_id=None,
        actor_role="adb",
        started_at=T0,
        finished_at=T0 + timedelta(minutes=3),
    )
    soplog.close_instruction(
        instruction_id=issued.id,
        closed_by=2,
        roles=[Role.ADB],
        note="",
        at=T0 + timedelta(minutes=5),
    )
    events = soplog.day_status(DAY).events_for(8)
    assert [(e.actor_id, e.outcome) for e in events] == [(None, "done")]


def test_two_people_closing_at_once_close_it_exactly_once(soplog: SopLog) -> None:
    issued = soplog.issue_instruction(run_date=DAY, target=Role.KASI, issued_by=1, note="", at=T0)
    outcomes: list[str] = []
    barrier = threading.Barrier(4)

    def close(user: int) -> None:
        barrier.wait(timeout=10)
        try:
            soplog.close_instruction(
                instruction_id=issued.id, closed_by=user, roles=[Role.KASI], note="", at=T0
            )
            outcomes.append("closed")
        except CloseError as error:
            outcomes.append(error.reason)

    threads = [threading.Thread(target=close, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(outcomes) == ["already_closed"] * 3 + ["closed"]
    assert len(soplog.day_status(DAY).events_for(11)) == 1


def test_instruction_step_duration_runs_from_the_previous_step(soplog: SopLog) -> None:
    first = soplog.issue_instruction(run_date=DAY, target=Role.ADB, issued_by=1, note="", at=T0)
    soplog.close_instruction(
        instruction_id=first.id,
        closed_by=2,
        roles=[Role.ADB],
        note="",
        at=T0 + timedelta(minutes=10),
    )
    soplog.issue_instruction(
        run_date=DAY, target=Role.KASI, issued_by=1, note="", at=T0 + timedelta(minutes=18)
    )
    step10 = soplog.day_status(DAY).events_for(10)[0]
    assert step10.duration == timedelta(minutes=8)
    assert soplog.day_status(DAY).events_for(1)[0].duration is None


def test_days_status_covers_days_without_runs(soplog: SopLog) -> None:
    soplog.issue_instruction(run_date=DAY, target=Role.ADB, issued_by=1, note="", at=T0)
    days = soplog.days_status([DAY, DAY - timedelta(days=1)])
    assert [len(d.events) for d in days] == [1, 0]
    assert not days[1].complete


def test_record_step_rejects_a_step_the_sop_does_not_have(soplog: SopLog) -> None:
    with pytest.raises(ValueError, match="no step 12"):
        soplog.record_step(
            run_date=DAY, step_number=12, actor_id=None, actor_role="adb", finished_at=T0
        )


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
