"""The expdp backend against a stand-in program that behaves like expdp."""

from __future__ import annotations

import asyncio
import json
import os
import tempfile
from pathlib import Path

import pytest

from core.problems import Code, problem
from jobs.dump.expdp import ExpdpBackend
from jobs.dump.result import DumpRequest
from jobs.job import Outcome, Progress, StopSignal, Unit
from texts.problems import say

FAKE = Path(__file__).parent / "fakes" / "expdp.py"
PASSWORD = "Rahasia#Oracle-2026"


@pytest.fixture
def dump_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "dpdump"
    folder.mkdir()
    monkeypatch.setenv("FAKE_EXPDP_DIR", str(folder))
    monkeypatch.setenv("FAKE_EXPDP_RECORD", str(tmp_path / "record.json"))
    return folder


def backend(dump_dir: Path, schemas: list[str] | None = None) -> ExpdpBackend:
    return ExpdpBackend(
        str(FAKE),
        "system",
        PASSWORD,
        "siakdb:1521/SIAK",
        "DATA_PUMP_DIR",
        dump_dir,
        schemas or [],
        [PASSWORD],
    )


def request(dump_dir: Path) -> DumpRequest:
    return DumpRequest(
        dump_dir / "SIAK_20261125_0100.dmp",
        dump_dir / "SIAK_20261125_0100.log",
        "SOPBOT_20261125_010002",
    )


async def run(
    mode: str, dump_dir: Path, monkeypatch: pytest.MonkeyPatch, schemas: list[str] | None = None
) -> tuple[object, list[Progress]]:
    monkeypatch.setenv("FAKE_EXPDP_MODE", mode)
    seen: list[Progress] = []
    result = await backend(dump_dir, schemas).run(request(dump_dir), seen.append, StopSignal())
    return result, seen


async def test_success_reads_rows_from_the_log(
    dump_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    result, progress = await run("success", dump_dir, monkeypatch, ["SIAK"])
    assert result.outcome is Outcome.SUCCESS  # type: ignore[attr-defined]
    assert result.total_rows == 2345678 + 712345  # type: ignore[attr-defined]
    assert any(p.percent == 50.0 for p in progress)
    assert any(p.unit is Unit.TABLES and p.done for p in progress)


async def test_password_goes_only_through_a_private_parfile_that_is_deleted(
    dump_dir: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    await run("success", dump_dir, monkeypatch, ["SIAK", "SIAK_REF"])
    record = json.loads((tmp_path / "record.json").read_text())
    assert PASSWORD not in " ".join(record["argv"])
    if os.name == "posix":  # Windows: the private folder's ACL (tests/core/test_private.py)
        assert record["parfile_mode"] == "0o600"
    assert record["params"]["schemas"] == "SIAK,SIAK_REF"
    assert record["params"]["job_name"] == "SOPBOT_20261125_010002"
    parfile = Path(record["argv"][1].split("=", 1)[1])
    assert not parfile.exists()


async def test_a_dump_with_a_skipped_table_is_incomplete_and_names_it(
    dump_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    result, _ = await run("errors", dump_dir, monkeypatch)
    assert result.outcome is Outcome.INCOMPLETE  # type: ignore[attr-defined]
    first = result.errors[0]  # type: ignore[attr-defined]
    assert first.code is Code.TABLES_SKIPPED and "SIAK.DATA_KELUARGA" in first.params["tables"]
    assert any("ORA-31693" in e for e in map(str, result.errors))  # type: ignore[attr-defined]


async def test_missing_directory_keeps_the_programs_output_as_evidence(
    dump_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    result, _ = await run("no_directory", dump_dir, monkeypatch)
    assert result.outcome is Outcome.FAILED  # type: ignore[attr-defined]
    assert [e.params["code"] for e in result.errors] == [  # type: ignore[attr-defined]
        "ORA-39002",
        "ORA-39070",
        "ORA-39087",
    ]
    assert "ORA-39087" in result.output  # type: ignore[attr-defined]


async def test_full_disk_is_a_failure(dump_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    result, _ = await run("full_disk", dump_dir, monkeypatch)
    assert result.outcome is Outcome.FAILED  # type: ignore[attr-defined]
    assert any(e.startswith("ORA-39095") for e in map(str, result.errors))  # type: ignore[attr-defined]


async def test_client_death_does_not_fail_a_job_whose_log_says_it_succeeded(
    dump_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    result, _ = await run("client_died", dump_dir, monkeypatch)
    assert result.outcome is Outcome.SUCCESS  # type: ignore[attr-defined]
    assert any("UDE-00008" in w for w in map(str, result.warnings))  # type: ignore[attr-defined]
    assert any("exited with code 1" in w for w in map(str, result.warnings))  # type: ignore[attr-defined]


async def test_missing_program_is_a_clear_failure(dump_dir: Path) -> None:
    broken = ExpdpBackend(
        str(dump_dir / "no-expdp"), "u", PASSWORD, "d", "DATA_PUMP_DIR", dump_dir, [], [PASSWORD]
    )
    result = await broken.run(request(dump_dir), lambda p: None, StopSignal())
    assert result.outcome is Outcome.FAILED
    assert [e.code for e in result.errors] == [Code.PROGRAM_NOT_STARTED]


async def test_stop_ends_the_program_and_the_job_on_the_server(
    dump_dir: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("FAKE_EXPDP_MODE", "hang")
    stop = StopSignal()
    running = asyncio.ensure_future(backend(dump_dir).run(request(dump_dir), lambda p: None, stop))
    async with asyncio.timeout(20):
        while not (dump_dir / "SOPBOT_20261125_010002.state").exists():
            await asyncio.sleep(0.05)
    stop.set(problem(Code.STOPPED))
    result = await asyncio.wait_for(running, 30)
    assert result.outcome is Outcome.INTERRUPTED
    assert result.errors == [problem(Code.STOPPED)]
    assert (dump_dir / "SOPBOT_20261125_010002.state").read_text() == "STOPPED"
    pid = json.loads((tmp_path / "record.json").read_text())["pid"]
    if os.name == "posix":  # signal 0 only asks; on Windows os.kill would terminate
        with pytest.raises(ProcessLookupError):
            os.kill(pid, 0)
    assert list(dump_dir.glob("*.par")) == [] and not list(
        Path(tempfile.gettempdir()).glob(f"sopbot-*{pid}*.par")
    )


async def test_a_password_with_hash_at_and_slash_logs_in_and_the_export_is_consistent(
    dump_dir: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    tricky = "Pa#ss@w/rd 2026"
    monkeypatch.setenv("FAKE_EXPDP_PASSWORD", tricky)
    monkeypatch.setenv("FAKE_EXPDP_MODE", "success")
    expdp = ExpdpBackend(
        str(FAKE), "system", tricky, "siakdb:1521/SIAK", "DATA_PUMP_DIR", dump_dir, [], [tricky]
    )
    result = await expdp.run(request(dump_dir), lambda p: None, StopSignal())
    assert result.outcome is Outcome.SUCCESS
    record = json.loads((tmp_path / "record.json").read_text())
    assert record["params"]["flashback_time"] == "systimestamp"


async def test_a_wrong_password_is_oracles_own_refusal(
    dump_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FAKE_EXPDP_PASSWORD", "the-real-one")
    monkeypatch.setenv("FAKE_EXPDP_MODE", "success")
    result = await backend(dump_dir).run(request(dump_dir), lambda p: None, StopSignal())
    assert result.outcome is Outcome.FAILED
    assert "ORA-01017" in [e.params.get("code") for e in result.errors]
    assert "kata sandi Oracle salah" in say(
        next(e for e in result.errors if e.params.get("code") == "ORA-01017")
    )


# --- the check logs in for real ----------------------------------------------------------------


def _expdp_settings(tmp_path: Path, dump_dir: Path, **more: object) -> object:
    from conftest import make_settings

    values: dict[str, object] = {
        "dump_backend": "expdp",
        "expdp_path": str(FAKE),
        "oracle_user": "system",
        "oracle_password": PASSWORD,
        "oracle_dsn": "siakdb:1521/SIAK",
        "dump_dir": dump_dir,
        **more,
    }
    return make_settings("http://127.0.0.1:9/bot", tmp_path / "data", **values)


async def test_the_check_logs_in_with_python_oracledb_where_it_can(
    tmp_path: Path, dump_dir: Path
) -> None:
    from fakes.oracledb_fake import Driver, Server

    from jobs.dump import expdp

    server = Server.oracle_12c_pdb(dump_dir)
    found = await expdp.check(_expdp_settings(tmp_path, dump_dir), Driver(server))  # type: ignore[arg-type]
    assert found.problems[0].code is Code.DIRECTORY_PROBE_FAILED  # the night would fail so
    assert "Oracle 12.2.0.1.0" in found.facts


async def test_without_python_oracledb_an_estimate_only_job_checks_the_login(
    tmp_path: Path, dump_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from jobs.dump import expdp, oracle

    def no_driver(_settings: object) -> object:
        raise ImportError("No module named 'oracledb'")

    monkeypatch.setattr(oracle, "load_driver", no_driver)
    settings = _expdp_settings(tmp_path, dump_dir)
    monkeypatch.setenv("FAKE_EXPDP_MODE", "success")
    found = await expdp.check(settings)  # type: ignore[arg-type]
    assert found.problems == [] and "login: ESTIMATE_ONLY job completed" in found.facts
    params = json.loads((tmp_path / "record.json").read_text())["params"]
    assert params["estimate_only"] == "y" and params["nologfile"] == "y"
    assert list(dump_dir.iterdir()) == []  # no dump, no log

    monkeypatch.setenv("FAKE_EXPDP_PASSWORD", "another-one")
    refused = await expdp.check(settings)  # type: ignore[arg-type]
    assert [p.params.get("code") for p in refused.problems] == ["UDE-01017", "ORA-01017"]
    assert PASSWORD not in str(refused.problems)


@pytest.mark.skipif(os.name != "posix", reason="POSIX process groups")
async def test_expdp_runs_in_its_own_process_group(
    dump_dir: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    await run("success", dump_dir, monkeypatch)
    record = json.loads((tmp_path / "record.json").read_text())
    # A session leader: a terminal's Ctrl+C or a signal to the bot's group does not reach it.
    assert record["pgid"] == record["pid"] != os.getpgid(0)


async def test_on_windows_expdp_and_its_attach_start_in_a_new_process_group(
    dump_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """On Windows CREATE_NEW_PROCESS_GROUP keeps a console Ctrl+C (WinSW's stop) from expdp.exe.
    Simulated: the Windows branch is taken and the flags it passes are recorded; the program then
    starts the way this OS can."""
    import subprocess

    from jobs import programs

    started: list[dict[str, object]] = []
    real = asyncio.create_subprocess_exec

    async def recording(*argv: str, **options: object) -> asyncio.subprocess.Process:
        started.append(dict(options))
        options.pop("creationflags", None)
        return await real(*argv, **options)  # type: ignore[arg-type]

    monkeypatch.setattr(programs, "is_windows", lambda: True)
    monkeypatch.setattr(programs.asyncio, "create_subprocess_exec", recording)
    monkeypatch.setenv("FAKE_EXPDP_MODE", "hang")
    stop = StopSignal()
    running = asyncio.ensure_future(backend(dump_dir).run(request(dump_dir), lambda p: None, stop))
    async with asyncio.timeout(20):
        while not (dump_dir / "SOPBOT_20261125_010002.state").exists():
            await asyncio.sleep(0.05)
    stop.set(problem(Code.STOPPED))
    result = await asyncio.wait_for(running, 30)
    assert result.outcome is Outcome.INTERRUPTED
    assert len(started) == 2  # the export, then `expdp attach` with KILL_JOB
    flag = getattr(subprocess, "CREATE_NEW_PROCESS_GROUP", 0x200)
    assert all(o.get("creationflags") == flag for o in started), started
    assert not any("start_new_session" in o for o in started)


@pytest.mark.skipif(os.name != "posix", reason="ends the client with a POSIX signal")
async def test_a_client_ended_by_the_stops_signal_still_gets_its_server_job_killed(
    dump_dir: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """systemd's control-group stop: expdp gets SIGTERM a moment before the bot hears of it."""
    import signal

    monkeypatch.setenv("FAKE_EXPDP_MODE", "hang")
    stop = StopSignal()
    running = asyncio.ensure_future(backend(dump_dir).run(request(dump_dir), lambda p: None, stop))
    state = dump_dir / "SOPBOT_20261125_010002.state"
    async with asyncio.timeout(20):
        while not state.exists() or not (tmp_path / "record.json").exists():
            await asyncio.sleep(0.05)
    os.kill(json.loads((tmp_path / "record.json").read_text())["pid"], signal.SIGTERM)
    await asyncio.sleep(0.5)  # the client is gone; the bot's own stop arrives a little later
    assert not running.done()
    stop.set(problem(Code.STOPPED))
    result = await asyncio.wait_for(running, 30)
    assert result.outcome is Outcome.INTERRUPTED
    assert result.errors == [problem(Code.STOPPED)]
    assert state.read_text() == "STOPPED"


@pytest.mark.skipif(os.name != "posix", reason="ends the client with a POSIX signal")
async def test_a_client_ended_from_outside_without_a_stop_is_judged_by_its_log(
    dump_dir: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    import signal

    from jobs.dump import expdp

    monkeypatch.setattr(expdp, "STOP_RACE_SECONDS", 0.2)
    monkeypatch.setenv("FAKE_EXPDP_MODE", "hang")
    stop = StopSignal()
    running = asyncio.ensure_future(backend(dump_dir).run(request(dump_dir), lambda p: None, stop))
    state = dump_dir / "SOPBOT_20261125_010002.state"
    async with asyncio.timeout(20):
        while not state.exists() or not (tmp_path / "record.json").exists():
            await asyncio.sleep(0.05)
    os.kill(json.loads((tmp_path / "record.json").read_text())["pid"], signal.SIGKILL)
    result = await asyncio.wait_for(running, 30)
    assert result.outcome is Outcome.FAILED  # no final line in any log: not a backup
    assert Code.STOPPED not in [e.code for e in result.errors]
    assert state.read_text() == "EXECUTING"  # not the bot's to stop unasked
