"""What an Oracle drill needs, checked before a night depends on it, against version variants of
the python-oracledb stand-in."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from conftest import make_settings
from fakes.oracledb_fake import Driver, Server

from core.problems import Code
from core.settings import Settings
from jobs.drill.prerequisites import drill_prerequisites
from texts.problems import say

FAKE_IMPDP = Path(__file__).parent / "fakes" / "impdp.py"


def settings(tmp_path: Path, **more: Any) -> Settings:
    values: dict[str, Any] = {
        "dump_backend": "expdp",
        "oracle_user": "system",
        "oracle_password": "pw-123456",
        "oracle_dsn": "siakdb:1521/SIAK",
        "impdp_path": str(FAKE_IMPDP),
        "drill_level": 3,
        **more,
    }
    return make_settings("http://127.0.0.1:9/bot", tmp_path / "data", **values)


def test_a_19c_server_in_thin_mode_with_a_scratch_schema_is_ready(tmp_path: Path) -> None:
    found = drill_prerequisites(settings(tmp_path), Driver(Server.oracle_19c(tmp_path), thin=True))
    assert found.problems == []
    assert "python-oracledb thin" in found.facts and "Oracle 19.3.0.0.0" in found.facts


@pytest.mark.parametrize("make", [Server.oracle_10g, Server.oracle_11g])
def test_an_old_server_needs_thick_mode(tmp_path: Path, make: Any) -> None:
    server = make(tmp_path)
    thin = drill_prerequisites(settings(tmp_path), Driver(server, thin=True))
    assert thin.problems[0].code is Code.ORACLE_LOGIN
    assert thin.problems[0].params["code"] == "DPY-3010"
    assert "ORACLE_CLIENT_LIB_DIR" in say(thin.problems[0])
    thick = drill_prerequisites(settings(tmp_path), Driver(server, thin=False))
    assert thick.problems == [] and "python-oracledb thick" in thick.facts


def test_a_tns_alias_in_thin_mode_needs_tns_admin(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("TNS_ADMIN", raising=False)
    monkeypatch.delenv("ORACLE_HOME", raising=False)
    driver = Driver(Server.oracle_19c(tmp_path), thin=True)
    found = drill_prerequisites(settings(tmp_path, oracle_dsn="SIAKDB"), driver)
    assert [p.code for p in found.problems] == [Code.TNS_ADMIN_NEEDED]
    assert "TNS_ADMIN" in say(found.problems[0])
    monkeypatch.setenv("TNS_ADMIN", str(tmp_path))
    assert drill_prerequisites(settings(tmp_path, oracle_dsn="SIAKDB"), driver).problems == []


def test_a_tns_alias_in_thin_mode_is_read_under_oracle_home_without_tns_admin(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """python-oracledb 3.0 reads tnsnames.ora from $ORACLE_HOME/network/admin when TNS_ADMIN
    is not set (its defaults.config_dir): a server with expdp has ORACLE_HOME, and its alias
    must not make the drill untestable."""
    monkeypatch.delenv("TNS_ADMIN", raising=False)
    monkeypatch.setenv("ORACLE_HOME", str(tmp_path / "dbhome_1"))
    driver = Driver(Server.oracle_19c(tmp_path), thin=True)
    found = drill_prerequisites(settings(tmp_path, oracle_dsn="SIAKDB"), driver)
    assert found.problems == []
    assert "python-oracledb thin" in found.facts


def test_impdp_missing_from_level_2_and_the_scratch_quota_at_level_3(tmp_path: Path) -> None:
    server = Server.oracle_19c(tmp_path)
    server.scratch_quota = False
    found = drill_prerequisites(
        settings(tmp_path, impdp_path=str(tmp_path / "no-impdp")), Driver(server)
    )
    assert [p.code for p in found.problems] == [
        Code.DRILL_NEEDS_IMPDP,
        Code.DRILL_SCRATCH_NO_QUOTA,
    ]
    level_1 = settings(tmp_path, impdp_path=str(tmp_path / "no-impdp"), drill_level=1)
    assert drill_prerequisites(level_1, Driver(server)).problems == []
