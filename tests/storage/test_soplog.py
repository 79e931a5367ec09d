"""The SOP log on a real database file: migrations, instructions, step events."""

from __future__ import annotations

import threading
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from core.sop import Role
from storage.database import make_engine, upgrade
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
