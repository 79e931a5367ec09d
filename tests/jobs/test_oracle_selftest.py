"""`sopbot uji-oracle` against the faithful stand-ins (python-oracledb, expdp, impdp), and against
stand-ins that each break one assumption: the report names the one that did not hold. With
DUMP_BACKEND=expdp the export, its verdict and its stop go through the expdp program, as the
nightly backup's do."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from conftest import make_settings
from fakes.oracledb_fake import Driver, Server

from core.problems import Code
from core.settings import Settings
from jobs.drill.selftest import PASSED_KEY, Assumption, SelfTestReport
from sopbot.compose import open_runtime
from sopbot.selftest_cli import run_selftest

FAKE_IMPDP = Path(__file__).parent / "fakes" / "impdp.py"
FAKE_EXPDP = Path(__file__).parent / "fakes" / "expdp.py"
PASSWORD = "Rahasia#Oracle-2026"


@pytest.fixture
def oracle_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "dpdump"
    folder.mkdir()
    monkeypatch.setenv("FAKE_EXPDP_DIR", str(folder))
    # Jobs in the order they start: the throwaway exports and impdp runs complete; the jobs
    # started to be stopped run until they are (a real job takes a while after `Starting`).
    monkeypatch.setenv("FAKE_EXPDP_MODE", "success;hang")
    monkeypatch.setenv("FAKE_IMPDP_MODE", "success;success;hang")
    monkeypatch.delenv("FAKE_EXPDP_ATTACH", raising=False)
    monkeypatch.delenv("FAKE_IMPDP_ATTACH", raising=False)
    return folder


def executing(folder: Path) -> list[str]:
    """Jobs the stand-in server still runs (the expdp/impdp fakes' shared job table)."""
    return [f.stem for f in folder.glob("*.state") if f.read_text().strip() == "EXECUTING"]


def settings(tmp_path: Path, oracle_dir: Path, **more: Any) -> Settings:
    values: dict[str, Any] = {
        "dump_backend": "oracle",
        "oracle_user": "system",
        "oracle_password": PASSWORD,
        "oracle_dsn": "siakdb:1521/SIAK",
        "dump_dir": oracle_dir,
        "impdp_path": str(FAKE_IMPDP),
        "drill_level": 3,
        **more,
    }
    return make_settings("http://127.0.0.1:9/bot", tmp_path / "data", **values)


async def selftest(settings: Settings, driver: Driver) -> SelfTestReport:
    from jobs.drill.selftest import OracleSelfTest

    test = OracleSelfTest(settings, open_runtime(settings).clock, driver)
    test.poll_seconds = test.left_wait_seconds = 0.0
    return await asyncio.wait_for(test.run(), 60)


def held(report: SelfTestReport) -> dict[Assumption, bool | None]:
    return {f.assumption: f.held for f in report.findings}


@pytest.mark.parametrize(("make", "thin"), [(Server.oracle_19c, True), (Server.oracle_11g, False)])
async def test_every_assumption_holds_against_the_faithful_fakes(
    tmp_path: Path, oracle_dir: Path, make: Callable[[Path], Server], thin: bool
) -> None:
    report = await selftest(settings(tmp_path, oracle_dir), Driver(make(oracle_dir), thin=thin))
    assert report.passed, [(f.assumption, f.detail, f.problems) for f in report.findings]
    assert set(held(report)) == set(Assumption)  # every assumption tried at level 3
    assert "table SIAK.T5_SEQN_NIK" in report.facts  # the smallest office table, not SYSTEM's
    assert list(oracle_dir.glob("sopbot-*")) == []  # the throwaway dumps are gone
    found = {f.assumption: f for f in report.findings}
    assert found[Assumption.STOP].detail.startswith("STOP_JOB(immediate 1, keep_master 0)")
    assert "impdp attach=SOPBOT_DRILL_" in found[Assumption.DRILL_STOP].detail
    assert "KILL_JOB" in found[Assumption.DRILL_STOP].detail
    assert executing(oracle_dir) == []  # no job left running on the server


def expdp_settings(tmp_path: Path, oracle_dir: Path, **more: Any) -> Settings:
    # SIAK.DATA_KELUARGA: a table the stand-in expdp's server holds (datapump_logs.py).
    values = {"dump_backend": "expdp", "expdp_path": str(FAKE_EXPDP)}
    return settings(tmp_path, oracle_dir, drill_tables="SIAK.DATA_KELUARGA", **values, **more)


async def test_with_the_expdp_backend_the_export_its_verdict_and_its_stop_go_through_expdp(
    tmp_path: Path, oracle_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    record = tmp_path / "expdp-record.json"
    monkeypatch.setenv("FAKE_EXPDP_RECORD", str(record))
    server = Server.oracle_19c(oracle_dir)

    report = await selftest(expdp_settings(tmp_path, oracle_dir), Driver(server, thin=True))

    assert report.passed, [(f.assumption, f.detail, f.problems) for f in report.findings]
    assert set(held(report)) == set(Assumption)
    found = {f.assumption: f for f in report.findings}
    assert found[Assumption.EXPORT].detail.startswith("expdp:")
    assert "the log's final Job line: SOPBOT_" in found[Assumption.STATUS_AFTER].detail
    assert found[Assumption.FLASHBACK_SCN].held is None  # expdp: flashback_time=systimestamp
    assert "expdp attach=SOPBOT_" in found[Assumption.STOP].detail
    assert "KILL_JOB" in found[Assumption.STOP].detail
    # No export went through DBMS_DATAPUMP: only the directory probe opened a job there.
    assert not [c for c in server.calls if c[1].get("block") == "OPEN" and "dump_file" in c[1]]
    # One table only (expdp's INCLUDE filter), and the last expdp run attached to the job.
    assert found[Assumption.LOG_LANGUAGE].detail.startswith("1 data line(s)")
    last = json.loads(record.read_text())["params"]
    assert list(last) == ["attach"] and last["attach"].startswith("SOPBOT_")
    assert executing(oracle_dir) == []


async def test_expdp_losing_the_job_after_its_end_is_settled_by_the_log(
    tmp_path: Path, oracle_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # UDE-00008 / ORA-31626 from the client while the job on the server completes.
    monkeypatch.setenv("FAKE_EXPDP_MODE", "client_died;hang")
    report = await selftest(
        expdp_settings(tmp_path, oracle_dir), Driver(Server.oracle_19c(oracle_dir))
    )
    after = next(f for f in report.findings if f.assumption is Assumption.STATUS_AFTER)
    assert after.held and "UDE-00008" in after.detail
    assert report.passed


@pytest.mark.parametrize(
    ("env", "assumption"),
    [
        ({"FAKE_EXPDP_MODE": "full_disk"}, Assumption.EXPORT),
        ({"FAKE_EXPDP_ATTACH": "refuse"}, Assumption.STOP),
        ({"FAKE_IMPDP_ATTACH": "refuse"}, Assumption.DRILL_STOP),
    ],
)
async def test_an_expdp_or_impdp_that_breaks_one_assumption_is_named(
    tmp_path: Path,
    oracle_dir: Path,
    monkeypatch: pytest.MonkeyPatch,
    env: dict[str, str],
    assumption: Assumption,
) -> None:
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    report = await selftest(
        expdp_settings(tmp_path, oracle_dir), Driver(Server.oracle_19c(oracle_dir))
    )
    assert not report.passed
    assert [f.assumption for f in report.findings if f.held is False] == [assumption]


async def test_a_job_that_ends_before_it_can_be_stopped_proves_nothing(
    tmp_path: Path, oracle_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FAKE_IMPDP_MODE", "success")  # every impdp job completes at once
    report = await selftest(settings(tmp_path, oracle_dir), Driver(Server.oracle_19c(oracle_dir)))
    found = next(f for f in report.findings if f.assumption is Assumption.DRILL_STOP)
    assert found.held is None and "ended before it was stopped" in found.detail


async def test_the_server_s_own_oracle_maintained_users_are_never_taken_for_office_schemas(
    tmp_path: Path, oracle_dir: Path
) -> None:
    server = Server.oracle_19c(oracle_dir)
    # A schema the server marks ORACLE_MAINTAINED that the fallback list does not know.
    server.tables.append(("DGPDB_INT", "DG_STATE", 1))
    server.maintained_users.append("DGPDB_INT")
    report = await selftest(settings(tmp_path, oracle_dir, drill_level=1), Driver(server))
    assert "table SIAK.T5_SEQN_NIK" in report.facts

    old = Server.oracle_11g(oracle_dir)  # no ORACLE_MAINTAINED column: the fallback list
    old.tables.append(("OUTLN", "OL$", 1))
    report = await selftest(settings(tmp_path, oracle_dir, drill_level=1), Driver(old))
    assert "table SIAK.T5_SEQN_NIK" in report.facts and report.passed


def test_the_cli_prints_one_line_per_assumption_saves_the_report_and_remembers_the_pass(
    tmp_path: Path, oracle_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    s = settings(tmp_path, oracle_dir)
    driver = Driver(Server.oracle_19c(oracle_dir), thin=True)

    code = asyncio.run(run_selftest(s, driver))

    out = capsys.readouterr().out
    assert code == 0, out
    assert out.count("✅") == len(Assumption)
    report = next((s.data_dir / "reports").glob("uji-oracle-*.txt")).read_text("utf-8")
    assert "Oracle 19.3.0.0.0" in report and "header: held" in report
    assert PASSWORD not in report
    stored = open_runtime(s).state.get(PASSED_KEY)
    assert stored is not None

    from bot.checklist import Verdict, check_selftest

    shown = check_selftest(s, stored)
    assert shown is not None and shown.verdict is Verdict.OK and "terakhir lulus" in shown.detail
    never = check_selftest(s, None)
    assert never is not None and never.verdict is Verdict.WARN
    assert "sopbot uji-oracle" in never.detail


def _no_export_role(server: Server) -> None:
    server.session_roles = ["CONNECT", "RESOURCE"]


@pytest.mark.parametrize(
    ("breaks", "assumption", "more"),
    [
        (
            lambda s: setattr(s, "connect_error", "ORA-01017: invalid username/password"),
            Assumption.LOGIN,
            {},
        ),
        (_no_export_role, Assumption.EXPORT_ROLE, {}),
        (lambda s: setattr(s, "pdb_directory_invalid", True), Assumption.DIRECTORY, {}),
        (lambda s: setattr(s, "scenario", "full_disk"), Assumption.EXPORT, {}),
        (lambda s: setattr(s, "tables", []), Assumption.EXPORT, {}),  # no statistics
        (lambda s: setattr(s, "scenario", "no_log"), Assumption.LOG_LANGUAGE, {}),
        (lambda s: setattr(s, "header_master", "0"), Assumption.HEADER, {}),
        (lambda s: setattr(s, "scratch_quota", False), Assumption.IMPORT, {}),
        (lambda s: setattr(s, "stop_error", "ORA-39004: invalid state"), Assumption.STOP, {}),
        (lambda s: setattr(s, "honours_name_expr", False), Assumption.EXPORT, {}),
        (
            lambda s: setattr(s, "scn_error", "ORA-08186: invalid timestamp specified"),
            Assumption.FLASHBACK_SCN,
            {},
        ),
    ],
)
async def test_a_fake_that_breaks_one_assumption_is_named(
    tmp_path: Path,
    oracle_dir: Path,
    breaks: Callable[[Server], None],
    assumption: Assumption,
    more: dict[str, Any],
) -> None:
    server = Server.oracle_19c(oracle_dir)
    breaks(server)
    report = await selftest(settings(tmp_path, oracle_dir, **more), Driver(server))
    assert not report.passed
    assert [f.assumption for f in report.findings if f.held is False] == [assumption]


async def test_a_sql_file_that_does_not_create_the_table_is_named(
    tmp_path: Path, oracle_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FAKE_IMPDP_MODE", "lost_ddl")
    s = settings(tmp_path, oracle_dir, drill_tables="SIAK.BIODATA_WNI")
    report = await selftest(s, Driver(Server.oracle_19c(oracle_dir)))
    assert [f.assumption for f in report.findings if f.held is False] == [Assumption.SQLFILE]


async def test_at_drill_level_1_no_impdp_job_is_stopped_and_the_export_s_is(
    tmp_path: Path, oracle_dir: Path
) -> None:
    report = await selftest(
        settings(tmp_path, oracle_dir, drill_level=1), Driver(Server.oracle_19c(oracle_dir))
    )
    assert report.passed
    assert held(report)[Assumption.DRILL_STOP] is None
    assert held(report)[Assumption.STOP] is True


async def test_get_status_failing_after_completion_is_expected_and_settled_by_the_log(
    tmp_path: Path, oracle_dir: Path
) -> None:
    server = Server.oracle_19c(oracle_dir)
    server.scenario = "gone_after_completion"
    report = await selftest(settings(tmp_path, oracle_dir), Driver(server))
    after = next(f for f in report.findings if f.assumption is Assumption.STATUS_AFTER)
    assert after.held and "ORA-31623" in after.detail


async def test_an_expdp_log_that_never_reaches_dump_dir_is_named(
    tmp_path: Path, oracle_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The job succeeds, its output says so, but no log is in DUMP_DIR: nothing on the server
    # settles the verdict after a UDE-00008, and the rows cannot be read from the log.
    monkeypatch.setenv("FAKE_EXPDP_MODE", "no_log;hang")
    s = expdp_settings(tmp_path, oracle_dir)
    report = await selftest(s, Driver(Server.oracle_19c(oracle_dir)))
    failed = [f.assumption for f in report.findings if f.held is False]
    assert failed == [Assumption.STATUS_AFTER, Assumption.LOG_LANGUAGE]
    after = next(f for f in report.findings if f.assumption is Assumption.STATUS_AFTER)
    assert after.problems[0].code is Code.LOG_MISSING
