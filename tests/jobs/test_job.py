"""The job contract (jobs/job.py), held by every job and every backend: a stop or a timeout ends
the work, the run is recorded as interrupted with its reason, and every observer hears the end
exactly once."""

from __future__ import annotations

import asyncio
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from conftest import EXPDP_SETTINGS, WITA, make_settings
from disks import external_disk

from core.clock import ManualClock
from core.problems import Code, problem
from jobs.dump.expdp import ExpdpBackend
from jobs.dump.oracle import OracleBackend
from jobs.dump.result import BackendResult, DumpRequest
from jobs.dump.service import DumpService, sha256_of
from jobs.external.copy import copy_verified
from jobs.external.disk import init_disk
from jobs.external.service import CopyService
from jobs.job import JobResult, JobStarted, Outcome, Progress, ProgressReport, StopSignal
from sopbot.sample_db import create_sample_database
from storage.copies import CopyLog
from storage.database import make_engine, upgrade
from storage.dumps import DumpLog
from storage.soplog import SopLog

sys.path.insert(0, str(Path(__file__).parent))
from fakes.oracledb_fake import Driver, Server


class Recorder:
    """An observer that keeps every call, in order."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, Any]] = []

    async def job_started(self, started: JobStarted) -> None:
        self.calls.append(("started", started))

    async def job_progress(self, started: JobStarted, progress: Progress) -> None:
        self.calls.append(("progress", progress))

    async def job_finished(self, started: JobStarted | None, result: JobResult) -> None:
        self.calls.append(("finished", result))

    def finished(self) -> list[JobResult]:
        return [result for name, result in self.calls if name == "finished"]


def dump_service(tmp_path: Path, backend: Any = None, **overrides: Any) -> DumpService:
    settings = make_settings("http://127.0.0.1:9/bot", tmp_path / "data", **overrides)
    engine = make_engine(settings.database_url)
    upgrade(engine)
    clock = ManualClock(datetime(2026, 11, 25, 1, 0, tzinfo=WITA))
    return DumpService(settings, DumpLog(engine), SopLog(engine), clock, backend)


async def wait_until(condition: Any, timeout: float = 20.0) -> None:
    async with asyncio.timeout(timeout):
        while not condition():
            await asyncio.sleep(0.02)


Case = tuple[DumpService, Any]  # the service, and when its backend is surely under way


def sqlite_case(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Case:
    source = create_sample_database(tmp_path / "siak.db", residents=20000)
    service = dump_service(tmp_path, sqlite_source_path=source)
    original = service.backend.run

    async def slowly(request: DumpRequest, report: ProgressReport, stop: StopSignal) -> Any:
        def slow_report(progress: Progress) -> None:
            report(progress)
            stop.sleep(0.05)  # a large database: many steps of 256 pages

        return await original(request, slow_report, stop)

    monkeypatch.setattr(service.backend, "run", slowly)
    return service, lambda: service.progress is not None


def expdp_case(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Case:
    monkeypatch.setenv("FAKE_EXPDP_MODE", "hang")
    monkeypatch.setenv("FAKE_EXPDP_DIR", str(tmp_path / "data" / "dumps"))
    service = dump_service(
        tmp_path,
        **EXPDP_SETTINGS,
    )
    return service, lambda: any((tmp_path / "data" / "dumps").glob("*.state"))


def oracle_case(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Case:
    server = Server(directory_path=tmp_path / "data" / "dumps", scenario="hang")
    backend = OracleBackend(
        "db", "system", "pw-123456", "DATA_PUMP_DIR", server.directory_path, [], None,
        driver=Driver(server), poll_seconds=0.01,
    )  # fmt: skip
    service = dump_service(tmp_path, backend)
    service.oracle_server = server  # type: ignore[attr-defined]
    return service, lambda: server.polls > 0


@pytest.mark.parametrize("make", [sqlite_case, expdp_case, oracle_case])
async def test_a_stop_ends_every_backend_and_is_recorded_and_told(
    make: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    service, under_way = make(tmp_path, monkeypatch)
    recorder = Recorder()
    service.observers.append(recorder)
    task = service.launch("schedule")
    await wait_until(under_way)
    await service.stop()
    result = await asyncio.wait_for(task, 30)
    assert result.outcome is Outcome.INTERRUPTED
    assert result.errors[0] == problem(Code.STOPPED)
    assert next(name for name, _ in recorder.calls) == "started"
    assert recorder.finished() == [result]  # told exactly once
    assert service.dumplog.latest(1)[0].outcome == "interrupted"
    step = service.soplog.day_status(datetime(2026, 11, 25).date()).events_for(8)
    assert [e.outcome for e in step] == ["failed"]
    assert step[0].problem == problem(Code.STOPPED)
    assert not list((tmp_path / "data" / "dumps").glob("*.part"))
    if isinstance(service.backend, ExpdpBackend):
        state = tmp_path / "data" / "dumps" / f"{result.job_name}.state"
        assert state.read_text() == "STOPPED"  # the job on the server, not only the program
    if isinstance(service.backend, OracleBackend):
        assert service.oracle_server.job_state == "STOPPED"  # type: ignore[attr-defined]


async def test_a_timeout_stops_the_oracle_job_on_the_server(tmp_path: Path) -> None:
    service, _ = oracle_case(tmp_path, pytest.MonkeyPatch())
    service.timeout = timedelta(seconds=0.3)
    result = await service.run("schedule")
    assert result.outcome is Outcome.INTERRUPTED
    assert [e.code for e in result.errors] == [Code.TIMED_OUT]
    assert service.oracle_server.job_state == "STOPPED"  # type: ignore[attr-defined]


class Deaf:
    """A backend that ignores the stop signal (a bug, or a driver call that never returns)."""

    name = "deaf"

    async def run(
        self, request: DumpRequest, report: ProgressReport, stop: StopSignal
    ) -> BackendResult:
        await asyncio.sleep(3600)
        raise AssertionError("never reached")


async def test_a_backend_that_ignores_the_stop_is_cancelled_after_the_grace(
    tmp_path: Path,
) -> None:
    service = dump_service(tmp_path, Deaf())
    service.timeout, service.stop_grace = timedelta(seconds=0.2), 0.3
    recorder = Recorder()
    service.observers.append(recorder)
    result = await asyncio.wait_for(service.run("schedule"), 10)
    assert result.outcome is Outcome.INTERRUPTED
    assert result.errors == [problem(Code.TIMED_OUT, minutes=0)]
    assert recorder.finished() == [result]
    assert service.dumplog.latest(1)[0].outcome == "interrupted"


async def test_a_failing_observer_never_breaks_the_job(tmp_path: Path) -> None:
    source = create_sample_database(tmp_path / "siak.db", residents=50)
    service = dump_service(tmp_path, sqlite_source_path=source)

    class Broken(Recorder):
        async def job_started(self, started: JobStarted) -> None:
            raise RuntimeError("chat is down")

    broken, healthy = Broken(), Recorder()
    service.observers += [broken, healthy]
    result = await service.run("cli")
    assert result.outcome is Outcome.SUCCESS
    assert healthy.finished() == [result] and broken.finished() == [result]


async def test_a_copy_told_to_stop_leaves_no_partial_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    disk = tmp_path / "external"
    with external_disk(disk, "128m", monkeypatch):
        init_disk(disk, "HDD-1")
        settings = make_settings(
            "http://127.0.0.1:9/bot", tmp_path / "data", external_disk_path=disk
        )
        engine = make_engine(settings.database_url)
        upgrade(engine)
        clock = ManualClock(datetime(2026, 11, 25, 9, 0, tzinfo=WITA))
        dumplog, copylog = DumpLog(engine), CopyLog(engine)
        source = tmp_path / "data" / "dumps" / "SIAK.dmp"
        source.parent.mkdir(parents=True)
        source.write_bytes(b"\x5a" * (64 * 1024 * 1024))
        run_id = dumplog.start(
            run_date=clock.now().date(), trigger="cli", requested_by=None, backend="sqlite",
            job_name="J", started_at=clock.now(), file_path=str(source), log_path="",
        )  # fmt: skip
        dumplog.finish(
            run_id, finished_at=clock.now(), outcome="success", size_bytes=source.stat().st_size,
            sha256="", tables=[], errors=[], warnings=[],
        )  # fmt: skip
        real_copy = copy_verified

        def slow_copy(*args: Any, progress: Any, **kwargs: Any) -> Any:
            def slowly(done: int) -> None:
                progress(done)
                time.sleep(0.05)  # a slow disk: 4 MB every 50 ms

            return real_copy(*args, progress=slowly, **kwargs)

        monkeypatch.setattr("jobs.external.service.copy_verified", slow_copy)
        copier = CopyService(settings, dumplog, copylog, SopLog(engine), clock)
        recorder = Recorder()
        copier.observers.append(recorder)
        task = copier.launch("chat")
        await wait_until(lambda: copier.progress is not None)
        await copier.stop()
        result = await asyncio.wait_for(task, 30)

        assert result.outcome is Outcome.INTERRUPTED
        assert result.errors == [problem(Code.STOPPED)]
        assert recorder.finished() == [result]
        assert copylog.latest(1)[0].outcome == "interrupted"
        assert list((disk / "sopbot-backups").iterdir()) == []  # no .partial, no manifest line


async def test_a_stop_right_after_launch_is_not_lost(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    service, _ = expdp_case(tmp_path, monkeypatch)
    task = service.launch("chat", 1)
    await service.stop()  # before the job's task has even begun
    result = await asyncio.wait_for(task, 30)
    assert result.outcome is Outcome.INTERRUPTED
    assert not list((tmp_path / "data" / "dumps").glob("*.state"))  # expdp never started


async def test_the_deadline_covers_the_export_not_the_hashing_after_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = create_sample_database(tmp_path / "siak.db", residents=50)
    service = dump_service(tmp_path, sqlite_source_path=source)
    service.timeout = timedelta(seconds=0.3)
    real_hash = sha256_of

    def slow_hash(path: Path) -> str:
        time.sleep(0.6)  # a large dump on a slow disk
        return real_hash(path)

    monkeypatch.setattr("jobs.dump.service.sha256_of", slow_hash)
    result = await service.run("cli")
    assert result.outcome is Outcome.SUCCESS and result.sha256


async def test_stop_with_nothing_running_returns_at_once(tmp_path: Path) -> None:
    service = dump_service(tmp_path, Deaf())
    await asyncio.wait_for(service.stop(), 1)
    assert not service.busy


async def test_a_job_that_cannot_even_start_is_still_reported(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")
    source = create_sample_database(tmp_path / "siak.db", residents=50)
    service = dump_service(tmp_path, sqlite_source_path=source, dump_dir=blocker / "dumps")
    recorder = Recorder()
    service.observers.append(recorder)
    result = await service.run("schedule")
    assert result.outcome is Outcome.FAILED
    assert [e.code for e in result.errors] == [Code.JOB_CRASHED]
    assert recorder.finished() == [result] and not service.busy


async def test_a_cancelled_job_stops_the_server_job_and_is_recorded_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    service, under_way = expdp_case(tmp_path, monkeypatch)
    recorder = Recorder()
    service.observers.append(recorder)
    task = asyncio.ensure_future(service.run("schedule"))  # e.g. inside APScheduler's task
    await wait_until(under_way)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await asyncio.wait_for(task, 30)
    [state] = list((tmp_path / "data" / "dumps").glob("*.state"))
    assert state.read_text() == "STOPPED"
    [run] = service.dumplog.latest(5)
    assert run.outcome == "interrupted"
    assert len(recorder.finished()) == 1
    day = service.soplog.day_status(datetime(2026, 11, 25).date())
    assert len(day.events_for(8)) == 1
