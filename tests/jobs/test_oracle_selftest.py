"""`sopbot uji-oracle` against the faithful stand-ins (python-oracledb, impdp), and against
stand-ins that each break one assumption: the report names the one that did not hold."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from conftest import make_settings
from fakes.oracledb_fake import Driver, Server

from core.settings import Settings
from jobs.drill.selftest import PASSED_KEY, Assumption, SelfTestReport
from sopbot.runtime import open_runtime
from sopbot.selftest_cli import run_selftest

FAKE_IMPDP = Path(__file__).parent / "fakes" / "impdp.py"
PASSWORD = "Rahasia#Oracle-2026"


@pytest.fixture
def oracle_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "dpdump"
    folder.mkdir()
    monkeypatch.setenv("FAKE_EXPDP_DIR", str(folder))
    monkeypatch.delenv("FAKE_IMPDP_MODE", raising=False)
    return folder


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
    test.poll_seconds = 0.0
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
    stop = next(f for f in report.findings if f.assumption is Assumption.STOP)
    assert "impdp attach=SOPBOT_" in stop.detail and "KILL_JOB" in stop.detail
    assert list(oracle_dir.glob("*.state")) == []  # the second job is gone from the server


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
        (
            lambda s: setattr(s, "attach_error", "ORA-31631: privileges are required"),
            Assumption.STOP,
            {"drill_level": 1},  # no impdp: ATTACH and STOP_JOB from this session
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


async def test_without_impdp_the_job_is_ended_by_attach_and_stop_job(
    tmp_path: Path, oracle_dir: Path
) -> None:
    report = await selftest(
        settings(tmp_path, oracle_dir, drill_level=1), Driver(Server.oracle_19c(oracle_dir))
    )
    assert report.passed
    stop = next(f for f in report.findings if f.assumption is Assumption.STOP)
    assert stop.detail.startswith("ATTACH, STOP_JOB")


async def test_a_job_that_attach_cannot_kill_is_named(tmp_path: Path, oracle_dir: Path) -> None:
    server = Server.oracle_19c(oracle_dir)
    real = server.shared_state
    # impdp attach= does not find the job the server runs (ORA-31626): it is left running.
    server.shared_state = lambda job: real("elsewhere-" + job)  # type: ignore[method-assign]
    report = await selftest(settings(tmp_path, oracle_dir), Driver(server))
    assert [f.assumption for f in report.findings if f.held is False] == [Assumption.STOP]


async def test_get_status_failing_after_completion_is_expected_and_settled_by_the_log(
    tmp_path: Path, oracle_dir: Path
) -> None:
    server = Server.oracle_19c(oracle_dir)
    server.scenario = "gone_after_completion"
    report = await selftest(settings(tmp_path, oracle_dir), Driver(server))
    after = next(f for f in report.findings if f.assumption is Assumption.STATUS_AFTER)
    assert after.held and "ORA-31626" in after.detail
