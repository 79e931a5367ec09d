"""`sopbot check` and /cek against good and broken configurations: each problem is named."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from conftest import ADB, KABID, TOKEN, Chat, make_settings
from disks import external_disk

from bot.checklist import Verdict, passed, run_checks
from devtools.botapi import BotApiServer
from jobs.external.disk import init_disk
from sopbot.cli import main
from sopbot.sample_db import create_sample_database

sys.path.insert(0, str(Path(__file__).parents[1] / "jobs"))
from fakes.oracledb_fake import Driver, Server


@pytest.fixture
def disk(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    path = tmp_path / "external"
    with external_disk(path, "16m", monkeypatch):
        init_disk(path, "HDD-1")
        yield path


def good(server: BotApiServer, tmp_path: Path, disk: Path, **overrides: Any) -> Any:
    source = create_sample_database(tmp_path / "siak.db", residents=50)
    values: dict[str, Any] = {"sqlite_source_path": source, "external_disk_path": disk}
    values.update(overrides)
    return make_settings(server.base_url, tmp_path / "data", **values)


def verdicts(items: list[Any]) -> dict[str, Verdict]:
    return {item.name: item.verdict for item in items}


async def test_good_configuration_passes(server: BotApiServer, tmp_path: Path, disk: Path) -> None:
    items = await run_checks(good(server, tmp_path, disk))
    assert passed(items), [i.line() for i in items]
    lines = "\n".join(i.line() for i in items)
    assert "✅ Token bot Telegram: @sop_piak_bot" in lines
    assert "✅ Hard disk eksternal: HDD-1" in lines
    assert "✅ Metode dump (sqlite)" in lines


@pytest.mark.parametrize(
    ("overrides", "name", "words"),
    [
        ({"telegram_bot_token": "987654:wrong"}, "Token bot Telegram", "token ditolak"),
        (
            {"telegram_api_base_url": "http://127.0.0.1:9/bot"},
            "Token bot Telegram",
            "tidak dapat dihubungi",
        ),
        ({"kabid_ids": []}, "Peran", "KABID_IDS"),
        ({"sqlite_source_path": Path("/nope.db")}, "Metode dump (sqlite)", "sopbot sample-db"),
        (
            {
                "dump_backend": "expdp",
                "expdp_path": "/no/expdp",
                "oracle_user": "u",
                "oracle_password": "p",
                "oracle_dsn": "d",
            },
            "Metode dump (expdp)",
            "EXPDP_PATH",
        ),
        ({"external_disk_ids": "someotherdisk"}, "Hard disk eksternal", "bukan hard disk"),
        (
            {"database_url": "postgresql+psycopg://u:p@127.0.0.1:9/x"},
            "Basis data log SOP",
            "DATABASE_URL",
        ),
    ],
)
async def test_each_broken_item_is_named(
    server: BotApiServer,
    tmp_path: Path,
    disk: Path,
    overrides: dict[str, Any],
    name: str,
    words: str,
) -> None:
    (tmp_path / "data" / "dumps").mkdir(parents=True)  # for Oracle it must exist already
    items = await run_checks(good(server, tmp_path, disk, **overrides))
    # (An Oracle set-up with a made-up login also fails the drill's own item, said apart.)
    broken = [i for i in items if i.verdict is Verdict.FAIL and i.name != "Uji pulih Oracle"]
    assert [i.name for i in broken] == [name], [i.line() for i in items]
    assert words in broken[0].detail
    assert not passed(items)


async def test_dump_dir_that_is_a_file_fails(
    server: BotApiServer, tmp_path: Path, disk: Path
) -> None:
    blocker = tmp_path / "blocker"
    blocker.write_text("not a folder")
    items = await run_checks(good(server, tmp_path, disk, dump_dir=blocker / "dumps"))
    assert verdicts(items)["Folder dump"] is Verdict.FAIL


async def test_missing_disk_is_a_warning_not_a_failure(
    server: BotApiServer, tmp_path: Path
) -> None:
    items = await run_checks(good(server, tmp_path, tmp_path / "unplugged"))
    assert verdicts(items)["Hard disk eksternal"] is Verdict.WARN
    assert passed(items)


@pytest.mark.parametrize(
    ("rows", "error", "words", "ok"),
    [
        (
            {
                "roles": [("DATAPUMP_EXP_FULL_DATABASE",)],
                "dir": ("/u01/dpdump",),
                "grants": [("READ",), ("WRITE",)],
            },
            None,
            "DATA_PUMP_DIR = /u01/dpdump",
            True,
        ),
        ({"roles": [], "dir": None, "grants": []}, None, "DATA_PUMP_DIR tidak ada", False),
        (
            {"roles": [], "dir": ("/u01",), "grants": [("READ",), ("WRITE",)]},
            None,
            "DATAPUMP_EXP_FULL_DATABASE",
            False,
        ),
        ({}, "ORA-01017: invalid username/password; logon denied", "ORA-01017", False),
        (
            {
                "roles": [("DATAPUMP_EXP_FULL_DATABASE",)],
                "dir": ("D:\\oracle\\dpdump",),
                "grants": [("READ",), ("WRITE",)],
                "shared": False,  # the bot on another machine, DUMP_DIR not the share
            },
            None,
            "bukan folder DUMP_DIR yang dilihat bot",
            False,
        ),
    ],
)
async def test_oracle_checks_login_directory_and_grants(
    server: BotApiServer,
    tmp_path: Path,
    disk: Path,
    rows: dict[str, Any],
    error: str | None,
    words: str,
    ok: bool,
) -> None:
    class CheckCursor:
        def __init__(self) -> None:
            self.result: Any = []

        def __enter__(self) -> CheckCursor:
            return self

        def __exit__(self, *exc: object) -> None:
            pass

        def execute(self, sql: str, **kwargs: Any) -> CheckCursor:
            if sql.strip().startswith("SELECT role FROM session_roles"):
                self.result = rows["roles"]
            elif "all_directories" in sql:
                self.result = [rows["dir"]] if rows["dir"] else []
            elif "user_ts_quotas" in sql:
                self.result = [("USERS", -1, 0)]
            elif "user_users" in sql:
                self.result = [("OPEN", None)]
            elif "DBMS_DATAPUMP.ADD_FILE" in sql:  # the probe: Oracle writes its log file
                folder = probe_folder if rows.get("shared", True) else tmp_path / "elsewhere"
                folder.mkdir(parents=True, exist_ok=True)
                (folder / kwargs["log_file"]).write_text("probe")
            else:
                self.result = rows["grants"]
            return self

        def __iter__(self) -> Any:
            return iter(self.result)

        def fetchone(self) -> Any:
            return self.result[0] if self.result else None

    class CheckConnection:
        version = "19.3.0.0.0"

        def cursor(self) -> CheckCursor:
            return CheckCursor()

        def close(self) -> None:
            pass

    driver = Driver(Server(tmp_path))
    driver.server.connect_error = error
    driver.connect = (lambda **kw: CheckConnection()) if error is None else driver.connect  # type: ignore[method-assign]
    settings = good(
        server,
        tmp_path,
        disk,
        dump_backend="oracle",
        oracle_user="u",
        oracle_password="p",
        oracle_dsn="d",
    )
    probe_folder = settings.dumps
    items = await run_checks(settings, oracle_driver=driver)
    item = next(i for i in items if i.name == "Metode dump (oracle)")
    assert words in item.detail
    assert (item.verdict is Verdict.OK) is ok


def test_cli_check_exits_non_zero_and_names_the_problem(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".env").write_text(
        f"TELEGRAM_BOT_TOKEN={TOKEN}\nTELEGRAM_API_BASE_URL=http://127.0.0.1:9/bot\n"
        "KABID_IDS=1\nKASI_IDS=2\nADB_IDS=3\n",
        encoding="utf-8",
    )
    (tmp_path / ".env").chmod(0o644)
    result = CliRunner().invoke(main, ["check"])
    assert result.exit_code == 1
    assert "❌ Token bot Telegram: Telegram tidak dapat dihubungi" in result.output
    if os.name == "posix":  # Windows: the ACL check instead (tests/bot/test_windows_check.py)
        assert "⚠️ Izin file .env" in result.output and "chmod 600" in result.output
    assert "Hasil: ada yang harus diperbaiki." in result.output
    assert TOKEN not in result.output


def test_cli_check_with_bad_settings_names_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".env").write_text(
        "TELEGRAM_BOT_TOKEN=1:x\nTIMEZONE=Bulan/Mars\n", encoding="utf-8"
    )
    result = CliRunner().invoke(main, ["check"])
    assert result.exit_code == 1 and "TIMEZONE" in result.output


async def test_cek_in_chat_for_the_adb(chat: Chat) -> None:
    reply = await chat.ask(ADB, "/cek")
    assert "Pemeriksaan bot" in reply.text
    assert "✅ Token bot Telegram: @sop_piak_bot" in reply.text
    assert "Hard disk eksternal: EXTERNAL_DISK_PATH belum diatur" in reply.text
    kabid = await chat.ask(KABID, "/cek")
    assert "Semua siap." in kabid.text


async def test_a_missing_oracle_dump_folder_is_named_and_never_created(
    server: BotApiServer, tmp_path: Path, disk: Path
) -> None:
    typo = tmp_path / "D-oracle-dpdmp"  # a mistyped DUMP_DIR
    settings = good(
        server, tmp_path, disk, dump_backend="expdp", expdp_path=sys.executable,
        oracle_user="u", oracle_password="p", oracle_dsn="d", dump_dir=typo,
    )  # fmt: skip
    items = await run_checks(settings)
    assert verdicts(items)["Folder dump"] is Verdict.FAIL
    assert not typo.exists()


def check_output(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, env: str | None) -> Any:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("TELEGRAM_BOT_TOKEN", raising=False)
    if env is not None:
        (tmp_path / ".env").write_text(env, encoding="utf-8")
        (tmp_path / ".env").chmod(0o600)
    return CliRunner().invoke(main, ["check"])


BASE = (
    f"TELEGRAM_BOT_TOKEN={TOKEN}\nTELEGRAM_API_BASE_URL=http://127.0.0.1:9/bot\n"
    "KABID_IDS=1\nKASI_IDS=2\nADB_IDS=3\n"
)


def test_check_fails_on_an_unknown_key_and_suggests_the_right_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    result = check_output(tmp_path, monkeypatch, BASE + "EXTERNAL_DISK=/media/backup\n")
    assert result.exit_code == 1
    line = next(ln for ln in result.output.splitlines() if "EXTERNAL_DISK:" in ln)
    assert line.startswith("❌ Pengaturan EXTERNAL_DISK: tidak dikenal (baris 6), diabaikan bot")
    assert "maksud Anda" in line and "EXTERNAL_DISK_PATH" in line


def test_check_names_a_line_that_is_not_key_value(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    result = check_output(tmp_path, monkeypatch, BASE + "ini bukan pengaturan\n")
    assert result.exit_code == 1
    assert "❌ Pengaturan baris 6: bukan KUNCI=nilai: 'ini bukan pengaturan'" in result.output


def test_check_flags_the_examples_placeholders(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    example = (Path(__file__).parents[2] / ".env.example").read_text(encoding="utf-8")
    result = check_output(tmp_path, monkeypatch, example)
    assert result.exit_code == 1
    assert "❌ Pengaturan TELEGRAM_BOT_TOKEN: masih token contoh" in result.output
    for key in ("KABID_IDS", "KASI_IDS", "ADB_IDS"):
        assert f"❌ Pengaturan {key}: masih ID contoh" in result.output
    assert "tidak dikenal" not in result.output  # every key of the example is a real setting


def test_check_warns_about_backslashes_in_double_quotes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    result = check_output(tmp_path, monkeypatch, BASE + 'DATA_DIR="D:\\sopbot\\backup"\n')
    assert "⚠️ Pengaturan DATA_DIR: nilai dalam tanda kutip ganda berisi \\" in result.output
    plain = check_output(tmp_path, monkeypatch, BASE + "DATA_DIR='D:\\sopbot\\backup'\n")
    assert "DATA_DIR" not in plain.output


def test_check_says_where_it_looked_for_a_missing_env_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    result = check_output(tmp_path, monkeypatch, None)
    assert result.exit_code == 1
    assert f"File pengaturan: {tmp_path / '.env'} tidak ditemukan" in result.output
    assert "TELEGRAM_BOT_TOKEN" not in result.output  # not reported as a missing token


def test_check_lists_bad_settings_in_indonesian_with_the_lines_it_does_not_know(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    result = check_output(
        tmp_path, monkeypatch, BASE + "BACKUP_TIME=nanti\nDRILL_LEVEL=7\nREPORTTIME=07:00\n"
    )
    assert result.exit_code == 1
    assert "Pengaturan tidak valid" in result.output
    assert "BACKUP_TIME: harus jam JJ:MM" in result.output
    assert "DRILL_LEVEL: paling besar 3" in result.output
    assert "REPORTTIME: tidak dikenal" in result.output and "REPORT_TIME" in result.output


def test_check_fails_when_the_external_disk_path_is_not_there(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    result = check_output(
        tmp_path, monkeypatch, BASE + f"EXTERNAL_DISK_PATH={tmp_path / 'E-drive'}\n"
    )
    assert result.exit_code == 1
    assert "❌ Hard disk eksternal:" in result.output and "pasang hard disk" in result.output


async def test_a_role_missing_from_env_is_a_warning_the_kabid_can_fix_in_chat(
    server: BotApiServer, tmp_path: Path, disk: Path
) -> None:
    items = await run_checks(good(server, tmp_path, disk, kasi_ids=[], adb_ids=[]))
    roles = next(i for i in items if i.name == "Peran")
    assert roles.verdict is Verdict.WARN and "/tambah" in roles.detail
    assert "Kepala Seksi (Kasi) (KASI_IDS)" in roles.detail


async def test_the_check_shows_what_an_oracle_drill_needs(
    server: BotApiServer, tmp_path: Path, disk: Path
) -> None:
    """`sopbot check` and /cek carry the drill's prerequisites: here an 11.2 server that thin mode
    cannot reach (DPY-3010) and no impdp for DRILL_LEVEL 2, each named with its fix."""
    from fakes.oracledb_fake import Driver, Server

    settings = good(
        server,
        tmp_path,
        disk,
        dump_backend="oracle",
        oracle_user="system",
        oracle_password="p",
        oracle_dsn="siakdb:1521/SIAK",
        drill_level=2,
        impdp_path=str(tmp_path / "no-impdp"),
    )
    items = await run_checks(settings, oracle_driver=Driver(Server.oracle_11g(tmp_path), thin=True))
    drill = next(i for i in items if i.name == "Uji pulih Oracle")
    assert drill.verdict is Verdict.FAIL
    assert "impdp" in drill.detail and "ORACLE_CLIENT_LIB_DIR" in drill.detail
    assert any(i.name == "Uji Oracle" for i in items)  # when uji-oracle last passed
