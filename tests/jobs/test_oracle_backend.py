"""The oracle backend against a stand-in for python-oracledb answering DBMS_DATAPUMP calls."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from fakes.oracledb_fake import Driver, Server

from core.problems import Code, problem
from jobs.dump.oracle import OracleBackend
from jobs.dump.result import DumpRequest
from jobs.job import Outcome, Progress, StopSignal
from texts.problems import say


def backend(server: Server, schemas: list[str]) -> tuple[OracleBackend, Driver]:
    driver = Driver(server)
    return (
        OracleBackend(
            "siakdb:1521/SIAK",
            "system",
            "Rahasia-2026",
            "DATA_PUMP_DIR",
            server.directory_path,
            schemas,
            None,
            driver=driver,
            poll_seconds=0.0,
        ),
        driver,
    )


def request(folder: Path) -> DumpRequest:
    return DumpRequest(
        folder / "SIAK_20261125_0100.dmp",
        folder / "SIAK_20261125_0100.log",
        "SOPBOT_20261125_010002",
    )


@pytest.fixture
def server(tmp_path: Path) -> Server:
    return Server(directory_path=tmp_path)


async def test_schema_export_runs_polls_and_detaches(server: Server, tmp_path: Path) -> None:
    seen: list[Progress] = []
    oracle, driver = backend(server, ["SIAK", "SIAK_REF"])
    result = await oracle.run(request(tmp_path), seen.append, StopSignal())
    assert result.outcome is Outcome.SUCCESS
    assert result.total_rows == 2345678 + 712345 + 12
    assert server.job["job_mode"] == "SCHEMA"
    assert server.job["schema_expr"] == "IN ('SIAK','SIAK_REF')"
    assert server.job["job_name"] == "SOPBOT_20261125_010002"
    assert server.job["directory"] == "DATA_PUMP_DIR"
    assert [p.percent for p in seen] == [30.0, 60.0, 100.0]
    assert [name for name, _ in server.calls][-1] == "BEGIN"  # the DETACH block
    assert server.closed
    assert driver.connect_args == {
        "user": "system",
        "password": "Rahasia-2026",
        "dsn": "siakdb:1521/SIAK",
    }


async def test_full_export_when_no_schemas_are_listed(server: Server, tmp_path: Path) -> None:
    oracle, _ = backend(server, [])
    await oracle.run(request(tmp_path), lambda p: None, StopSignal())
    assert server.job["job_mode"] == "FULL" and server.job["schema_expr"] is None


async def test_leftover_stopped_jobs_are_reported(server: Server, tmp_path: Path) -> None:
    server.leftover_jobs = [("SOPBOT_20261124_010000", "NOT RUNNING")]
    oracle, _ = backend(server, ["SIAK"])
    result = await oracle.run(request(tmp_path), lambda p: None, StopSignal())
    assert result.outcome is Outcome.SUCCESS
    assert any("SOPBOT_20261124_010000" in w for w in map(str, result.warnings))


async def test_an_open_failure_says_its_cause_not_only_the_generic_error(
    server: Server, tmp_path: Path
) -> None:
    server.scenario = "open_fails"
    oracle, _ = backend(server, ["SIAK"])
    result = await oracle.run(request(tmp_path), lambda p: None, StopSignal())
    assert result.outcome is Outcome.FAILED
    codes = [e.params.get("code") for e in result.errors]
    assert codes == ["ORA-39087", "ORA-39001"]  # the cause first; ORA-06512 stack lines dropped
    assert "directory object" in say(result.errors[0])
    assert server.closed


async def test_the_export_is_consistent_as_of_one_scn_in_english_messages(
    server: Server, tmp_path: Path
) -> None:
    oracle, _ = backend(server, ["SIAK"])
    result = await oracle.run(request(tmp_path), lambda p: None, StopSignal())
    assert result.outcome is Outcome.SUCCESS
    assert server.job["scn"].value == 987654321  # FLASHBACK_SCN was set before START_JOB
    assert "NLS_LANGUAGE = 'AMERICAN'" in server.session_nls
    assert "NLS_NUMERIC_CHARACTERS = '.,'" in server.session_nls


async def test_our_stopped_jobs_master_tables_are_dropped_and_a_running_one_blocks(
    server: Server, tmp_path: Path
) -> None:
    server.leftover_jobs = [("SOPBOT_20261124_010000", "NOT RUNNING")]
    oracle, _ = backend(server, ["SIAK"])
    result = await oracle.run(request(tmp_path), lambda p: None, StopSignal())
    assert server.dropped == ["SOPBOT_20261124_010000"] and result.outcome is Outcome.SUCCESS
    server.leftover_jobs = [("SOPBOT_20261124_010000", "EXECUTING")]  # a timed-out night's job
    server.job = {}
    blocked = await oracle.run(request(tmp_path), lambda p: None, StopSignal())
    assert blocked.outcome is Outcome.FAILED
    assert [e.code for e in blocked.errors] == [Code.OUR_JOB_RUNNING]
    assert server.job == {}  # no second export beside it


async def test_a_password_about_to_expire_is_said_in_time(server: Server, tmp_path: Path) -> None:
    from datetime import datetime, timedelta

    server.expiry = datetime.now() + timedelta(days=5)
    oracle, _ = backend(server, ["SIAK"])
    result = await oracle.run(request(tmp_path), lambda p: None, StopSignal())
    assert result.outcome is Outcome.SUCCESS
    assert [w.code for w in result.warnings] == [Code.EXPIRING_LOGIN]


async def test_job_stopped_by_a_full_disk_fails(server: Server, tmp_path: Path) -> None:
    server.scenario = "full_disk"
    oracle, _ = backend(server, ["SIAK"])
    result = await oracle.run(request(tmp_path), lambda p: None, StopSignal())
    assert result.outcome is Outcome.FAILED
    assert any(e.startswith("ORA-39095") for e in map(str, result.errors))


async def test_wrong_password_is_a_clear_failure(server: Server, tmp_path: Path) -> None:
    server.connect_error = "ORA-01017: invalid username/password; logon denied"
    oracle, _ = backend(server, ["SIAK"])
    result = await oracle.run(request(tmp_path), lambda p: None, StopSignal())
    assert result.outcome is Outcome.FAILED
    assert [(e.code, e.params["code"], e.params["dsn"]) for e in result.errors] == [
        (Code.ORACLE_LOGIN, "ORA-01017", "siakdb:1521/SIAK")
    ]
    assert "nama pengguna atau kata sandi Oracle salah" in say(result.errors[0])
    assert "Rahasia-2026" not in str(result.errors)


async def test_too_old_server_for_thin_mode_says_to_use_thick_mode(
    server: Server, tmp_path: Path
) -> None:
    server.connect_error = (
        "DPY-3010: connections to this database server version are not "
        "supported by python-oracledb in thin mode"
    )
    oracle, _ = backend(server, ["SIAK"])
    result = await oracle.run(request(tmp_path), lambda p: None, StopSignal())
    assert [e.params["code"] for e in result.errors] == ["DPY-3010"]
    assert "ORACLE_CLIENT_LIB_DIR" in say(result.errors[0])


async def test_missing_log_file_is_judged_by_the_job_state_and_warned(
    server: Server, tmp_path: Path
) -> None:
    server.scenario = "no_log"
    oracle, _ = backend(server, ["SIAK"])
    result = await oracle.run(request(tmp_path), lambda p: None, StopSignal())
    assert result.outcome is Outcome.SUCCESS
    assert any("DUMP_DIR" in w for w in map(str, result.warnings))


async def test_stop_sends_stop_job_before_detaching_and_the_server_job_ends(
    server: Server, tmp_path: Path
) -> None:
    server.scenario = "hang"  # GET_STATUS says EXECUTING until the job is stopped
    oracle, _ = backend(server, ["SIAK"])
    stop = StopSignal()
    running = asyncio.ensure_future(oracle.run(request(tmp_path), lambda p: None, stop))
    async with asyncio.timeout(10):
        while server.polls < 3:
            await asyncio.sleep(0.01)
    stop.set(problem(Code.TIMED_OUT, minutes=240))
    result = await asyncio.wait_for(running, 10)
    assert result.outcome is Outcome.INTERRUPTED
    assert result.errors == [problem(Code.TIMED_OUT, minutes=240)]
    blocks = [kwargs.get("block", "") for _, kwargs in server.calls]
    assert blocks[-1] == "STOP_JOB"  # which also detaches: a DETACH after it is ORA-31623
    assert server.job_state == "STOPPED"  # detaching alone would have left it EXECUTING
    assert server.closed


async def test_no_quota_for_the_master_table_is_said_before_oracle_fails(
    server: Server, tmp_path: Path
) -> None:
    server.quota = None
    oracle, _ = backend(server, ["SIAK"])
    result = await oracle.run(request(tmp_path), lambda p: None, StopSignal())
    assert [w.code for w in result.warnings] == [Code.NO_QUOTA]
    assert "QUOTA 100M ON USERS" in say(result.warnings[0])


async def test_a_job_that_skipped_a_table_is_incomplete_never_good(
    server: Server, tmp_path: Path
) -> None:
    server.scenario = "skipped"  # ORA-31693 behind an ORA-01555: "completed with 2 error(s)"
    oracle, _ = backend(server, ["SIAK"])
    result = await oracle.run(request(tmp_path), lambda p: None, StopSignal())
    assert result.outcome is Outcome.INCOMPLETE
    assert result.errors[0].code is Code.TABLES_SKIPPED
    assert "UNDO_RETENTION" in say(
        next(e for e in result.errors if e.params.get("code") == "ORA-01555")
    )


async def test_a_job_gone_after_completion_is_judged_by_its_log(
    server: Server, tmp_path: Path
) -> None:
    """The poll after the job completed finds its handle invalid (ORA-31623, DBMS_DATAPUMP
    GET_STATUS): the log on the server says "successfully completed", and that is the verdict."""
    server.scenario = "gone_after_completion"
    oracle, _ = backend(server, ["SIAK"])
    result = await oracle.run(request(tmp_path), lambda p: None, StopSignal())
    assert result.outcome is Outcome.SUCCESS, result.errors
    assert result.total_rows == 2345678 + 712345 + 12
    assert "ORA-31623" not in str(result.warnings)
    # No DETACH on a handle whose job is gone.
    assert [c for c in server.calls if c[1].get("block") == "DETACH"] == []


async def test_a_job_gone_without_a_log_is_a_failure_with_its_error(
    server: Server, tmp_path: Path
) -> None:
    server.scenario = "gone_after_completion"
    oracle, _ = backend(server, ["SIAK"])
    req = request(tmp_path)
    (tmp_path / "elsewhere").mkdir()
    oracle.dump_dir = tmp_path / "elsewhere"  # the bot does not see the log
    result = await oracle.run(req, lambda p: None, StopSignal())
    assert result.outcome is Outcome.FAILED
    invalid = next(e for e in result.errors if e.params.get("code") == "ORA-31623")
    assert "log job" in say(invalid)  # explained to the office, not only Oracle's English


async def test_a_detach_refused_after_completed_leaves_the_job_completed(
    server: Server, tmp_path: Path
) -> None:
    """GET_STATUS said COMPLETED, "the proper mechanism for detecting that a job has completed
    successfully"; the DETACH after it may find the handle invalid (ORA-31623): the job stays
    completed, whether or not its log reaches DUMP_DIR (DBMS_DATAPUMP package specification)."""
    server.scenario = "no_log"
    oracle, _ = backend(server, ["SIAK"])
    result = await oracle.run(request(tmp_path), lambda p: None, StopSignal())
    assert [c[1]["block"] for c in server.calls if c[1].get("block")][-1] == "DETACH"
    assert result.outcome is Outcome.SUCCESS, result.errors
    assert not oracle.status_gone
    assert "ORA-31623" not in str(result.errors + result.warnings)


async def test_an_open_that_fails_itself_gets_its_cause_through_a_null_handle(
    server: Server, tmp_path: Path
) -> None:
    server.scenario = "open_refused"
    oracle, _ = backend(server, ["SIAK"])
    result = await oracle.run(request(tmp_path), lambda p: None, StopSignal())
    assert result.outcome is Outcome.FAILED
    assert result.errors[0].params.get("code") == "ORA-31633"


async def test_a_running_drill_import_does_not_block_the_export(
    server: Server, tmp_path: Path
) -> None:
    server.leftover_jobs = [("SOPBOT_DRILL_0000000042", "EXECUTING")]
    oracle, _ = backend(server, ["SIAK"])
    result = await oracle.run(request(tmp_path), lambda p: None, StopSignal())
    assert result.outcome is Outcome.SUCCESS, result.errors


# --- the check (`sopbot check`, /cek) against version variants of the server ------------------


def _check(server: Server, tmp_path: Path, thin: bool = False, **overrides: object) -> object:
    from conftest import make_settings

    from jobs.dump.oracle import check_now

    values: dict[str, object] = {
        "dump_backend": "oracle",
        "oracle_user": "system",
        "oracle_password": "Rahasia-2026",
        "oracle_dsn": "siakdb:1521/SIAK",
        "dump_dir": server.directory_path,
        **overrides,
    }
    settings = make_settings("http://127.0.0.1:9/bot", tmp_path / "data", **values)
    return check_now(settings, Driver(server, thin=thin))


def test_system_holds_the_export_role_through_dba_and_the_directory_through_roles(
    tmp_path: Path,
) -> None:
    server = Server.oracle_19c(tmp_path)
    found = _check(server, tmp_path, thin=True)
    assert found.problems == [], found.problems  # type: ignore[attr-defined]
    assert "python-oracledb thin" in found.facts  # type: ignore[attr-defined]


def test_a_pdb_directory_that_data_pump_refuses_is_a_problem_with_its_cause(
    tmp_path: Path,
) -> None:
    found = _check(Server.oracle_12c_pdb(tmp_path), tmp_path, thin=True)
    problems = found.problems  # type: ignore[attr-defined]
    assert problems[0].code is Code.DIRECTORY_PROBE_FAILED
    assert problems[0].params["cause"] == "ORA-39087"
    assert "ORA-39087" in say(problems[0])


@pytest.mark.parametrize(
    "error",
    [
        "ORA-01950: no privileges on tablespace 'USERS'",
        'ORA-31633: unable to create master table "SYSTEM.SOPBOT_1"\nORA-01031: insufficient '
        "privileges",
    ],
)
def test_a_probe_refused_at_open_is_said(tmp_path: Path, error: str) -> None:
    server = Server.oracle_19c(tmp_path)
    server.probe_error = error
    problems = _check(server, tmp_path).problems  # type: ignore[attr-defined]
    assert problems[0].code is Code.DIRECTORY_PROBE_FAILED
    assert problems[0].params["cause"] == error[:9]


def test_another_users_schema_needs_the_export_role(tmp_path: Path) -> None:
    server = Server.oracle_19c(tmp_path)
    server.user, server.session_roles, server.direct_roles = "SIAKBACKUP", ["CONNECT"], []
    server.directory_grants = [("SIAKBACKUP", "READ"), ("SIAKBACKUP", "WRITE")]
    found = _check(server, tmp_path, oracle_user="siakbackup", oracle_schemas="SIAK")
    assert [p.code for p in found.problems] == [Code.EXPORT_ROLE_FOR_SCHEMAS]  # type: ignore[attr-defined]
    own = _check(server, tmp_path, oracle_user="siakbackup", oracle_schemas="SIAKBACKUP")
    assert own.problems == []  # type: ignore[attr-defined]


def test_an_old_server_in_thin_mode_is_told_to_use_thick_mode(tmp_path: Path) -> None:
    for server in (Server.oracle_10g(tmp_path), Server.oracle_11g(tmp_path)):
        problems = _check(server, tmp_path, thin=True).problems  # type: ignore[attr-defined]
        assert problems[0].code is Code.ORACLE_LOGIN
        assert problems[0].params["code"] == "DPY-3010"
        assert "ORACLE_CLIENT_LIB_DIR" in say(problems[0])
        assert _check(server, tmp_path, thin=False).problems == []  # type: ignore[attr-defined]
