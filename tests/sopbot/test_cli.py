"""The `sopbot` command line: backup and sample-db, with their exit codes."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from sopbot.cli import main


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    for name in ("DUMP_BACKEND", "SQLITE_SOURCE_PATH", "DATA_DIR", "DUMP_DIR", "DATABASE_URL"):
        monkeypatch.delenv(name, raising=False)
    return tmp_path


def test_sample_db_then_backup_succeeds(workdir: Path) -> None:
    (workdir / ".env").write_text("TELEGRAM_BOT_TOKEN=1:abc\n", encoding="utf-8")
    runner = CliRunner()
    made = runner.invoke(main, ["sample-db", "--residents", "200"])
    assert made.exit_code == 0, made.output
    result = runner.invoke(main, ["backup"])
    assert result.exit_code == 0, result.output
    assert "Outcome: success" in result.output and "SHA-256:" in result.output
    assert len(list((workdir / "data" / "dumps").glob("SIAK_*.dmp"))) == 1


def test_backup_of_a_missing_source_exits_non_zero(workdir: Path) -> None:
    (workdir / ".env").write_text(
        "TELEGRAM_BOT_TOKEN=1:abc\nSQLITE_SOURCE_PATH=nope.db\n", encoding="utf-8"
    )
    result = CliRunner().invoke(main, ["backup"])
    assert result.exit_code == 1
    assert "source database not found" in result.output


def test_bad_settings_exit_2_naming_the_variable(workdir: Path) -> None:
    (workdir / ".env").write_text("TELEGRAM_BOT_TOKEN=1:abc\nBACKUP_TIME=later\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["backup"])
    assert result.exit_code == 2
    assert "BACKUP_TIME" in result.output
