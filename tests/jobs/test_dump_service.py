"""The dump service: naming, timeouts, evidence, and a stuck expdp that gets stopped."""

from __future__ import annotations

import json
import os
import sqlite3
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from conftest import EXPDP_SETTINGS, WITA, make_settings

from core.clock import ManualClock
from core.problems import Code, problem
from jobs.dump.result import BackendResult, DumpRequest
from jobs.dump.service import DumpService
from jobs.job import JobAlreadyRunning, Outcome, ProgressReport, StopSignal
from sopbot.sample_db import create_sample_database
from storage.database import make_engine, upgrade
from storage.dumps import DumpLog
from storage.soplog import SopLog


def service_for(tmp_path: Path, backend: Any = None, **overrides: Any) -> DumpService:
    settings = make_settings("http://127.0.0.1:9/bot", tmp_path / "data", **overrides)
    engine = make_engine(settings.database_url)
    upgrade(engine)
    clock = ManualClock(datetime(2026, 11, 25, 1, 0, tzinfo=WITA))
    return DumpService(settings, DumpLog(engine), SopLog(engine), clock, backend)


async def test_names_follow_the_pattern_and_never_overwrite(tmp_path: Path) -> None:
    source = create_sample_database(tmp_path / "siak.db", residents=50)
    service = service_for(
        tmp_path, sqlite_source_path=source, dump_name_pattern="BACKUP_%d-%m-%Y.dmp"
    )
    first = await service.run("cli")
    second = await service.run("cli")
    assert first.dump_path.name == "BACKUP_25-11-2026.dmp"
    assert second.dump_path.name == "BACKUP_25-11-2026_2.dmp"
    assert first.log_path.name == "BACKUP_25-11-2026.log"
    assert first.sha256 != "" and first.size_bytes == first.dump_path.stat().st_size
    with sqlite3.connect(first.dump_path) as copy:
        assert copy.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


async def test_a_stuck_expdp_is_stopped_at_the_timeout_here_and_on_the_server(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FAKE_EXPDP_MODE", "hang")
    monkeypatch.setenv("FAKE_EXPDP_DIR", str(tmp_path / "data" / "dumps"))
    monkeypatch.setenv("FAKE_EXPDP_RECORD", str(tmp_path / "record.json"))
    service = service_for(
        tmp_path,
        **EXPDP_SETTINGS,
    )
    service.timeout = timedelta(seconds=1.5)
    result = await service.run("cli")
    assert result.outcome is Outcome.INTERRUPTED
    assert result.errors == [problem(Code.TIMED_OUT, minutes=0)]
    assert service.dumplog.latest(1)[0].outcome == "interrupted"
    pid = json.loads((tmp_path / "record.json").read_text())["pid"]
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)  # the stuck program was stopped and reaped
    # Killing expdp leaves the export running on the server: it was attached and stopped.
    state = tmp_path / "data" / "dumps" / f"{result.job_name}.state"
    assert state.read_text() == "STOPPED"


async def test_missing_log_keeps_the_program_output_beside_the_dump(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FAKE_EXPDP_MODE", "no_directory")
    monkeypatch.setenv("FAKE_EXPDP_DIR", str(tmp_path / "data" / "dumps"))
    service = service_for(
        tmp_path,
        **EXPDP_SETTINGS,
    )
    result = await service.run("cli")
    assert result.outcome is Outcome.FAILED
    assert "ORA-39087" in result.log_path.read_text()


class Crashing:
    name = "crashing"

    async def run(
        self, request: DumpRequest, report: ProgressReport, stop: StopSignal
    ) -> BackendResult:
        raise RuntimeError("driver exploded")


async def test_a_crashing_backend_is_a_recorded_failure(tmp_path: Path) -> None:
    service = service_for(tmp_path, backend=Crashing())
    result = await service.run("cli")
    assert result.outcome is Outcome.FAILED
    assert result.errors == [problem(Code.JOB_CRASHED, error="RuntimeError")]
    day = service.soplog.day_status(datetime(2026, 11, 25).date())
    assert day.events_for(8)[0].outcome == "failed"


async def test_only_one_dump_at_a_time(tmp_path: Path) -> None:
    import asyncio

    gate = asyncio.Event()

    class Slow:
        name = "slow"

        async def run(
            self, request: DumpRequest, report: ProgressReport, stop: StopSignal
        ) -> BackendResult:
            await gate.wait()
            return BackendResult(Outcome.FAILED, errors=[problem(Code.JOB_STATE, state="X")])

    service = service_for(tmp_path, backend=Slow())
    task = service.launch("chat", 1)
    await asyncio.sleep(0)
    with pytest.raises(JobAlreadyRunning):
        await service.run("schedule")
    with pytest.raises(JobAlreadyRunning):
        service.launch("chat", 2)
    gate.set()
    await asyncio.wait_for(task, 10)


@pytest.mark.skipif(not __import__("disks").can_mount(), reason="needs root for a tiny tmpfs")
async def test_full_dump_folder_fails_cleanly_and_leaves_no_partial_dump(tmp_path: Path) -> None:
    from disks import external_disk

    source = create_sample_database(tmp_path / "siak.db", residents=20000)
    dumps_dir = tmp_path / "small"
    with external_disk(dumps_dir, "512k"):
        service = service_for(tmp_path, sqlite_source_path=source, dump_dir=dumps_dir)
        result = await service.run("cli")
        assert result.outcome is Outcome.FAILED
        assert [e.code for e in result.errors] == [Code.DUMP_SPACE_FULL], result.errors
        assert [p.name for p in dumps_dir.iterdir() if p.suffix in (".dmp", ".part")] == []
        assert service.dumplog.last_good() is None


async def test_a_dump_that_cannot_fit_fails_before_it_starts(tmp_path: Path) -> None:
    class MustNotRun:
        name = "sqlite"

        async def run(self, *args: Any) -> BackendResult:
            raise AssertionError("the export must not start")

    service = service_for(tmp_path, backend=MustNotRun())
    now = service.clock.now()
    run_id = service.dumplog.start(
        run_date=now.date(), trigger="schedule", requested_by=None, backend="sqlite",
        job_name="J", started_at=now, file_path="/d/a.dmp", log_path="/d/a.log",
    )  # fmt: skip
    service.dumplog.finish(
        run_id, finished_at=now, outcome="success", size_bytes=2**50, sha256="a" * 64,
        tables=[], errors=[], warnings=[],
    )  # fmt: skip
    result = await service.run("schedule")
    assert result.outcome is Outcome.FAILED
    assert [e.code for e in result.errors] == [Code.DUMP_SPACE_LOW]
