"""The fallback journal: a dump whose result could not be written to the log is merged once,
whatever interrupts the merge, and a run the log lost only at its end is settled from the
journal, not announced as interrupted. The log fails for real: SQLite itself refuses the write
(a trigger raising an error at the exact statement), as it does on a full or read-only disk."""

from __future__ import annotations

import sqlite3
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from test_dump_service import service_for

from jobs.dump.result import DumpRequest
from jobs.dump.service import DumpService
from jobs.job import Outcome, ProgressReport, StopSignal
from sopbot.sample_db import create_sample_database
from storage.database import make_engine
from storage.dumps import DumpLog
from storage.soplog import SopLog

UNWRITABLE = "disk I/O error"


def sqlite_path(service: DumpService) -> Path:
    return Path(service.settings.database_url.removeprefix("sqlite:///"))


def refuse(service: DumpService, statement: str, table: str) -> None:
    """From now on SQLite refuses `statement` on `table`, as a full disk would."""
    with sqlite3.connect(sqlite_path(service)) as db:
        db.execute(
            f"CREATE TRIGGER refuse_{table} BEFORE {statement} ON {table} "
            f"BEGIN SELECT RAISE(ABORT, '{UNWRITABLE}'); END"
        )


def allow(service: DumpService, table: str) -> None:
    with sqlite3.connect(sqlite_path(service)) as db:
        db.execute(f"DROP TRIGGER refuse_{table}")


def dumps_of(service: DumpService) -> list[tuple[str, str]]:
    return [(r.outcome, Path(r.file_path).name) for r in service.dumplog.latest(10)]


def step_8_outcomes(service: DumpService) -> list[str]:
    day = service.soplog.day_status(date(2026, 11, 25))
    return [e.outcome for e in day.events_for(8)]


def restarted(service: DumpService) -> DumpService:
    """The same log and journal, as a new process finds them."""
    engine = make_engine(service.settings.database_url)
    return DumpService(
        service.settings, DumpLog(engine), SopLog(engine), service.clock, service.backend
    )


@pytest.fixture
def service(tmp_path: Path) -> DumpService:
    source = create_sample_database(tmp_path / "siak.db", residents=30)
    made = service_for(tmp_path, sqlite_source_path=source)
    if not made.settings.database_url.startswith("sqlite:///"):
        pytest.skip("the log is made to fail through SQLite")
    return made


async def journaled_run(service: DumpService) -> None:
    """A dump run while the log refuses everything: its result goes to the journal."""
    refuse(service, "INSERT", "dump_runs")
    result = await service.run("cli")
    assert result.outcome is Outcome.SUCCESS
    allow(service, "dump_runs")
    assert len(service.journal.entries()) == 1 and dumps_of(service) == []


async def test_a_merge_that_fails_after_the_dump_row_writes_it_once(service: DumpService) -> None:
    await journaled_run(service)
    refuse(service, "INSERT", "step_events")  # the log fails between the run and its step
    assert service.merge_journal() == 0
    assert dumps_of(service) == []  # nothing half-written
    allow(service, "step_events")
    assert service.merge_journal() == 1
    assert [outcome for outcome, _ in dumps_of(service)] == ["success"]
    assert step_8_outcomes(service) == ["done"]
    assert not service.journal.path.exists()


class DiesBeforeForgetting(type(Path())):  # type: ignore[misc]
    """The journal's file, in a process that dies once the merge is written and before the
    journal is emptied."""

    def unlink(self, missing_ok: bool = False) -> None:
        raise SystemExit("killed")


async def test_a_merge_killed_before_the_journal_is_emptied_is_not_repeated(
    service: DumpService,
) -> None:
    await journaled_run(service)
    real = service.journal.path
    service.journal.path = DiesBeforeForgetting(real)
    with pytest.raises(SystemExit):
        service.merge_journal()
    service.journal.path = real
    assert len(service.journal.entries()) == 1  # still there: the next start merges again
    again = restarted(service)
    again.recover()
    again.merge_journal()
    assert [outcome for outcome, _ in dumps_of(again)] == ["success"]
    assert step_8_outcomes(again) == ["done"]
    assert not again.journal.path.exists()


async def test_a_log_lost_only_at_the_end_of_a_dump_is_settled_not_called_interrupted(
    service: DumpService, monkeypatch: pytest.MonkeyPatch
) -> None:
    backend_run = service.backend.run

    async def then_the_log_fails(
        request: DumpRequest, report: ProgressReport, stop: StopSignal
    ) -> Any:
        outcome = await backend_run(request, report, stop)
        refuse(service, "UPDATE", "dump_runs")  # the start was written; the verdict will not be
        return outcome

    monkeypatch.setattr(service.backend, "run", then_the_log_fails)
    result = await service.run("cli")
    assert result.outcome is Outcome.SUCCESS
    assert dumps_of(service) == [("running", result.dump_path.name)]
    allow(service, "dump_runs")

    again = restarted(service)  # the bot is started again: nothing was interrupted
    assert again.recover() == []
    assert dumps_of(again) == [("success", result.dump_path.name)]
    [run] = again.dumplog.latest(1)
    assert run.sha256 == result.sha256 and run.finished_at == result.finished_at
    assert step_8_outcomes(again) == ["done"]
    assert again.recover() == [] and len(again.dumplog.latest(10)) == 1


async def test_an_entry_from_before_keys_is_merged_once_too(service: DumpService) -> None:
    """A journal written by an older version has no keys: the run is known by its file and the
    microsecond it started."""
    await journaled_run(service)
    [entry] = service.journal.entries()
    legacy = {k: v for k, v in entry.items() if k not in ("key", "run_id")}
    service.journal._keep([legacy])
    assert service.merge_journal() == 1
    service.journal._keep([legacy])  # the older process died before emptying its journal
    service.merge_journal()
    assert [outcome for outcome, _ in dumps_of(service)] == ["success"]
    assert step_8_outcomes(service) == ["done"]
