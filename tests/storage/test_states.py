"""Recorded states: the strings the columns have always stored, and what a value this version
does not know reads as (UNKNOWN: shown as unknown, never good, never evidence, never settled,
never written)."""

from __future__ import annotations

import logging
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Engine, text

from core.problems import Code, problem
from core.sop import Role
from storage.copies import CopyLog
from storage.database import make_engine, upgrade
from storage.drills import DrillLog
from storage.dumps import DumpLog
from storage.outbox import Outbox
from storage.soplog import SopLog
from storage.states import (
    CopyOutcome,
    DrillOutcome,
    DumpOutcome,
    InstructionStatus,
    OutboxStatus,
    RecordedState,
    StepOutcome,
    Trigger,
)

WITA = ZoneInfo("Asia/Makassar")
DAY = date(2026, 11, 25)
T0 = datetime(2026, 11, 25, 8, 0, tzinfo=WITA)

# What the log's rows hold, as written by every version so far (and "unknown", only ever read).
STORED: dict[type[RecordedState], set[str]] = {
    Trigger: {"schedule", "chat", "instruction", "auto", "cli", "copy", "selftest", "unknown"},
    DumpOutcome: {
        "running",
        "success",
        "warning",
        "failed",
        "incomplete",
        "interrupted",
        "unknown",
    },
    CopyOutcome: {"running", "verified", "failed", "disk_problem", "interrupted", "unknown"},
    DrillOutcome: {"running", "passed", "failed", "untestable", "interrupted", "unknown"},
    StepOutcome: {"done", "confirmed", "warning", "failed", "unverified", "unknown"},
    InstructionStatus: {"open", "done", "unverified", "unknown"},
    OutboxStatus: {"pending", "sent", "undeliverable", "failed", "unknown"},
}


def test_every_state_is_the_string_the_log_has_always_stored() -> None:
    for states, words in STORED.items():
        assert {state.value for state in states} == words, states.__name__
        for state in states:
            assert state == state.value and f"{state}" == state.value  # in SQL, JSON and CSV


def test_a_word_this_version_does_not_know_reads_as_unknown_and_is_never_written(
    caplog: pytest.LogCaptureFixture,
) -> None:
    with caplog.at_level(logging.WARNING, logger="storage.states"):
        for states in STORED:
            unknown = states("unknown")
            assert states.read("archived-by-v9") is unknown
            assert states.read("archived-by-v9") is unknown  # logged once, below
            for state in states:
                assert states.read(state.value) is state
            with pytest.raises(ValueError):
                unknown.stored()
            with pytest.raises(ValueError):
                states.write(unknown)
            with pytest.raises(ValueError):  # a string from unchecked code: checked at run time
                states.write("archived-by-v9")  # type: ignore[arg-type]
    logged = [r.getMessage() for r in caplog.records if "archived-by-v9" in r.getMessage()]
    assert len(logged) == len(STORED)


@pytest.fixture
def engine(database_url: str) -> Engine:
    engine = make_engine(database_url)
    upgrade(engine)
    return engine


def _set(engine: Engine, table: str, column: str, value: str, row_id: int) -> None:
    """What a newer version (or a hand in the database) left in a row."""
    with engine.begin() as connection:
        connection.execute(
            text(f"UPDATE {table} SET {column} = :value WHERE id = :id"),
            {"value": value, "id": row_id},
        )


def _stored(engine: Engine, table: str, column: str, row_id: int) -> str:
    with engine.connect() as connection:
        return str(
            connection.execute(
                text(f"SELECT {column} FROM {table} WHERE id = :id"),
                {"id": row_id},
            ).scalar_one()
        )


def test_runs_with_states_this_version_does_not_know_are_shown_never_counted_nor_settled(
    engine: Engine,
) -> None:
    dumps, copies, drills = DumpLog(engine), CopyLog(engine), DrillLog(engine)
    later = T0 + timedelta(hours=1)
    dump_id = dumps.start(
        run_date=DAY, trigger=Trigger.SCHEDULE, requested_by=None, backend="sqlite",
        job_name="SOPBOT_1", started_at=T0, file_path="/d/a.dmp", log_path="/d/a.log",
    )  # fmt: skip
    dumps.finish(
        dump_id, finished_at=T0, outcome=DumpOutcome.SUCCESS, size_bytes=10, sha256="a" * 64,
        tables=[("T", 1)], errors=[], warnings=[],
    )  # fmt: skip
    copy_id = copies.start(
        dump_run_id=dump_id, source_path="/d/a.dmp", trigger=Trigger.AUTO, requested_by=None,
        started_at=T0,
    )  # fmt: skip
    copies.finish(
        copy_id, finished_at=T0, outcome=CopyOutcome.VERIFIED, dest_path="/e/a.dmp",
        disk_id="disk-1", disk_label="HDD-1", size_bytes=10, sha256="a" * 64,
    )  # fmt: skip
    drill_id = drills.start(
        copy_id=copy_id, dump_run_id=dump_id, file_name="a.dmp", disk_label="HDD-1",
        backend="sqlite", level=1, trigger=Trigger.COPY, requested_by=None, started_at=T0,
    )  # fmt: skip
    assert dumps.last_good() is not None and copies.evidence(dump_id) is not None

    _set(engine, "dump_runs", "outcome", "archived", dump_id)
    _set(engine, "dump_runs", "trigger", "pipeline", dump_id)
    _set(engine, "external_copies", "outcome", "mirrored", copy_id)
    _set(engine, "restore_drills", "outcome", "queued", drill_id)

    dump = dumps.latest(1)[0]
    assert dump.outcome is DumpOutcome.UNKNOWN and dump.trigger is Trigger.UNKNOWN
    assert dumps.last_good() is None  # never a good dump
    copy = copies.latest(1)[0]
    assert copy.outcome is CopyOutcome.UNKNOWN and copy.trigger is Trigger.AUTO
    assert copies.evidence(dump_id) is None and copies.newest() is None  # never evidence
    drill = drills.latest(1)[0]
    assert drill.outcome is DrillOutcome.UNKNOWN
    assert not drill.passed and not drill.untestable and drills.last_passed() is None

    # Not running: a restart marks none of them interrupted, and each keeps its own word.
    reason = problem(Code.INTERRUPTED)
    assert dumps.mark_interrupted(later, reason) == []
    assert copies.mark_interrupted(later, reason) == []
    assert drills.mark_interrupted(later, reason) == 0
    assert _stored(engine, "dump_runs", "outcome", dump_id) == "archived"
    assert _stored(engine, "dump_runs", "trigger", dump_id) == "pipeline"
    assert _stored(engine, "external_copies", "outcome", copy_id) == "mirrored"
    assert _stored(engine, "restore_drills", "outcome", drill_id) == "queued"


def test_steps_instructions_and_messages_in_unknown_states_count_for_nothing(
    engine: Engine,
) -> None:
    soplog, outbox = SopLog(engine), Outbox(engine)
    soplog.record_step(
        run_date=DAY, step_number=8, actor_id=None, actor_role=Role.ADB.value, finished_at=T0
    )
    assert soplog.day_status(DAY).is_done(8)
    issued = soplog.issue_instruction(run_date=DAY, target=Role.KASI, issued_by=1, note="", at=T0)
    message = outbox.add(chat_id=5, text="halo", reply_markup="", ref="", at=T0)

    with engine.begin() as connection:
        connection.execute(text("UPDATE step_events SET outcome = 'delegated'"))
    _set(engine, "instructions", "status", "withdrawn", issued.id)
    _set(engine, "outbox", "status", "queued-elsewhere", message)

    day = soplog.day_status(DAY)
    assert {event.outcome for event in day.events_for(8)} == {StepOutcome.UNKNOWN}
    assert not day.is_done(8) and 8 not in day.done_steps
    instruction = soplog.instruction(issued.id)
    assert instruction is not None and instruction.status is InstructionStatus.UNKNOWN
    assert soplog.open_instructions([Role.KASI]) == []  # not open: nobody is reminded of it
    assert outbox.pending() == []  # never sent again
    assert outbox.counts() == {OutboxStatus.UNKNOWN: 1}
