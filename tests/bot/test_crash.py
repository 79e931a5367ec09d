"""The real `sopbot run` process killed with SIGKILL during a dump and during a copy, then
started again: nothing counted that should not be, nothing open forgotten, one instance only."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import subprocess
import sys
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import ADB, FAKE_EXPDP, KABID, KASI, TOKEN
from disks import can_mount, external_disk

from core.problems import Code
from core.sop import Role
from devtools.botapi import BotApiServer
from jobs.external.disk import init_disk
from storage.copies import CopyLog
from storage.database import make_engine
from storage.dumps import DumpLog
from storage.soplog import SopLog

POSIX = os.name == "posix"
PASSWORD = "Crash-Test-Oracle-pw"


class BotProcess:
    """`python -m sopbot.cli run` in its own process group, configured through the environment.

    A service stop is what the service manager sends: SIGTERM to the bot's process group on
    POSIX (systemd with KillMode=mixed, `docker stop`); on Windows a console control event
    (WinSW sends Ctrl+C to the bot's console; a test can only send Ctrl+Break to a process group,
    which the bot handles the same way)."""

    def __init__(self, env: dict[str, str], workdir: Path) -> None:
        self.env, self.workdir = env, workdir
        self.process: subprocess.Popen[bytes] | None = None
        self.runs = 0

    def start(self, **extra: str) -> subprocess.Popen[bytes]:
        self.runs += 1
        log = (self.workdir / f"bot-{self.runs}.log").open("wb")
        group: dict[str, Any] = (
            {"start_new_session": True}
            if POSIX
            else {"creationflags": getattr(subprocess, "CREATE_NEW_PROCESS_GROUP", 0x200)}
        )
        process = subprocess.Popen(
            [sys.executable, "-m", "sopbot.cli", "run", "--env-file", str(self.workdir / "none")],
            env={**self.env, **extra},
            cwd=self.workdir,
            stdout=log,
            stderr=subprocess.STDOUT,
            **group,
        )
        self.process = process
        return process

    def kill(self) -> None:
        """The bot and its expdp (in its own process group), without warning: a power cut."""
        assert self.process is not None
        if POSIX:
            os.killpg(self.process.pid, signal.SIGKILL)
        else:
            self.process.kill()  # TerminateProcess
        self.kill_expdp()
        self.process.wait(timeout=30)

    def service_stop(self) -> None:
        assert self.process is not None
        if POSIX:
            os.killpg(os.getpgid(self.process.pid), signal.SIGTERM)
        else:
            os.kill(self.process.pid, signal.CTRL_BREAK_EVENT)  # type: ignore[attr-defined,unused-ignore]

    def expdp_pid(self) -> int | None:
        record = self.workdir / "rec.json"
        return json.loads(record.read_text())["pid"] if record.exists() else None

    def kill_expdp(self) -> None:
        pid = self.expdp_pid()
        if pid is not None:
            with contextlib.suppress(OSError):  # gone already (ProcessLookupError on POSIX)
                os.kill(pid, signal.SIGKILL if POSIX else signal.SIGTERM)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.service_stop()
            try:
                self.process.wait(timeout=200)
            except subprocess.TimeoutExpired:
                self.process.kill()
        self.kill_expdp()


@pytest.fixture
def disk_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    path = tmp_path / "external"
    with external_disk(path, "1600m", monkeypatch):
        init_disk(path, "HDD-1")
        yield path


@pytest.fixture
async def bot(
    server: BotApiServer, tmp_path: Path, database_url: str, disk_path: Path
) -> AsyncIterator[BotProcess]:
    data = tmp_path / "data"
    env = {
        **os.environ,
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "TELEGRAM_API_BASE_URL": server.base_url,
        "KABID_IDS": str(KABID),
        "ADB_IDS": str(ADB),
        "KASI_IDS": str(KASI),
        "DATA_DIR": str(data),
        "DATABASE_URL": database_url,
        "DUMP_BACKEND": "expdp",
        "EXPDP_PATH": str(FAKE_EXPDP),
        "ORACLE_USER": "system",
        "ORACLE_PASSWORD": PASSWORD,
        "ORACLE_DSN": "siak",
        "FAKE_EXPDP_DIR": str(data / "dumps"),
        "FAKE_EXPDP_RECORD": str(tmp_path / "rec.json"),
        "EXTERNAL_DISK_PATH": str(disk_path),
        "EXTERNAL_AUTO_COPY": "false",
        "PROGRESS_INTERVAL_SECONDS": "0.2",
        "REMINDER_MINUTES": "0",
        "REPORT_TIME": "00:00",
        "BACKUP_DEADLINE": "23:59",
    }
    process = BotProcess(env, tmp_path)
    yield process
    process.stop()


async def until(server: BotApiServer, chat_id: int, words: str, timeout: float = 30) -> Any:
    while True:
        message = await server.next_message(chat_id, timeout)
        if words in message.text:
            return message


async def wait_for(condition: Any, timeout: float = 30.0) -> None:
    async with asyncio.timeout(timeout):
        while not condition():
            await asyncio.sleep(0.05)


def write_random(path: Path, mebibytes: int) -> None:
    with path.open("wb") as stream:
        block = os.urandom(1024 * 1024)
        for _ in range(mebibytes):
            stream.write(block)


async def bot_is_up(server: BotApiServer, count: int) -> None:
    await wait_for(lambda: sum(c.method == "setMyCommands" for c in server.calls) >= count)


async def test_sigkill_during_a_dump_then_restart(
    bot: BotProcess, server: BotApiServer, tmp_path: Path, database_url: str
) -> None:
    bot.start(FAKE_EXPDP_MODE="hang")
    await bot_is_up(server, 1)
    await server.send_text(KABID, "/instruksi adb tolong back up")
    await until(server, ADB, "Instruksi #1")
    await server.send_text(ADB, "/backup")
    started = await until(server, ADB, "Back up database dimulai")
    await wait_for(lambda: (tmp_path / "rec.json").exists())  # expdp is running
    # A second bot on the same log refuses to start while the first runs.
    second = subprocess.run(
        [sys.executable, "-m", "sopbot.cli", "run", "--env-file", str(tmp_path / "none")],
        env=bot.env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert second.returncode == 75 and "sopbot sedang berjalan" in second.stderr
    assert "another sopbot" not in second.stderr  # said in Indonesian only
    bot.kill()

    engine = make_engine(database_url)
    assert DumpLog(engine).latest(1)[0].outcome == "running"  # died with the process
    bot.start(FAKE_EXPDP_MODE="success")
    await bot_is_up(server, 2)
    alert = await until(server, ADB, "terputus")
    name = started.text.split("File: ")[1].split(" ")[0]
    assert name in alert.text
    record = DumpLog(engine).latest(1)[0]
    assert record.outcome == "interrupted" and DumpLog(engine).last_good() is None
    assert [i.id for i in SopLog(engine).open_instructions([Role.ADB])] == [1]
    await server.send_text(KASI, "/jadwal")
    assert "setiap hari pukul 01:00" in (await until(server, KASI, "Jadwal back up")).text
    # The restarted bot works: a new dump succeeds, nothing from the killed one is copied.
    await server.send_text(ADB, "/backup")
    await until(server, KABID, "Laporan back up database")
    assert DumpLog(engine).last_good() is not None
    logs = "".join(p.read_text(errors="replace") for p in tmp_path.glob("bot-*.log"))
    assert PASSWORD not in logs and TOKEN not in logs


@pytest.mark.skipif(not can_mount(), reason="needs root and tmpfs for a 1 GiB copy target")
@pytest.mark.timeout(420)  # its own waits add up past the suite's default of 120 s
async def test_sigkill_during_a_copy_then_restart(
    bot: BotProcess, server: BotApiServer, tmp_path: Path, database_url: str, disk_path: Path
) -> None:
    # A large dump (as if last night's), so the copy is still running when the bot is killed.
    # Written before the bot starts: a gigabyte written on the test's loop would keep the
    # loopback Bot API server from answering the bot's start.
    big = tmp_path / "data" / "dumps" / "SIAK_20261124_0100.dmp"
    big.parent.mkdir(parents=True, exist_ok=True)
    await asyncio.to_thread(write_random, big, 1024)
    bot.start(FAKE_EXPDP_MODE="success")
    await bot_is_up(server, 1)
    engine = make_engine(database_url)
    dumplog = DumpLog(engine)
    from datetime import UTC, datetime

    now = datetime.now(UTC)
    run_id = dumplog.start(
        run_date=now.date(),
        trigger="schedule",
        requested_by=None,
        backend="expdp",
        job_name="J",
        started_at=now,
        file_path=str(big),
        log_path=str(big.with_suffix(".log")),
    )
    dumplog.finish(
        run_id,
        finished_at=now,
        outcome="success",
        size_bytes=big.stat().st_size,
        sha256="",
        tables=[],
        errors=[],
        warnings=[],
    )
    partial = disk_path / "sopbot-backups" / (big.name + ".partial")
    await server.send_text(KASI, "/salin")
    # Bounded generously: on a loaded two-core machine the bot's start, the disk checks and the
    # first 50 MB of a compressed, hashed copy have been seen to take longer than half a minute.
    await wait_for(
        lambda: partial.exists() and partial.stat().st_size > 50 * 1024 * 1024, timeout=180
    )
    bot.kill()

    assert partial.exists()  # the half-written copy is still on the disk ...
    bot.start(FAKE_EXPDP_MODE="success")
    await bot_is_up(server, 2)
    alert = await until(server, KASI, "terputus")
    assert big.name in alert.text
    copylog = CopyLog(engine)
    assert copylog.latest(1)[0].outcome == "interrupted" and copylog.verified() == []
    await server.send_text(KABID, "/daftar")
    listing = await until(server, KABID, "Daftar back up")
    assert "❌ tidak lengkap" in listing.text and "✅" not in listing.text  # ... never as good
    await server.send_text(KASI, "/salin")
    await until(server, KASI, "Salinan sudah terverifikasi", timeout=120)
    assert [Path(c.dest_path).name for c in copylog.verified()] == [big.name]
    assert big.exists()  # retention never removed the only dump


async def test_sigterm_during_a_dump_stops_it_everywhere_and_tells_everyone_once(
    bot: BotProcess, server: BotApiServer, tmp_path: Path, database_url: str
) -> None:
    process = bot.start(FAKE_EXPDP_MODE="hang")
    await bot_is_up(server, 1)
    await server.send_text(ADB, "/backup")
    await until(server, ADB, "Back up database dimulai")
    dumps = tmp_path / "data" / "dumps"
    await wait_for(lambda: list(dumps.glob("*.state")))  # the export runs on the "server"
    bot.service_stop()  # what systemctl stop and a Windows service stop send
    await asyncio.to_thread(process.wait, 200)
    [state] = list(dumps.glob("*.state"))
    assert state.read_text() == "STOPPED"  # stopped on the server, not only the client
    engine = make_engine(database_url)
    record = DumpLog(engine).latest(1)[0]
    assert record.outcome == "interrupted" and [e.code for e in record.errors] == [Code.STOPPED]
    assert not list((tmp_path / "data" / "private").glob("*.par"))  # no password left behind
    bot.start(FAKE_EXPDP_MODE="success")
    await bot_is_up(server, 2)
    await server.send_text(ADB, "/status")
    await until(server, ADB, "Status SOP")
    alerts = [m for m in server.sent_to(ADB) if "BACK UP DATABASE GAGAL" in m.text]
    assert len(alerts) == 1, [m.text for m in alerts]  # told once: before the stop or after


async def stop_mid_dump_and_restart(
    bot: BotProcess, server: BotApiServer, tmp_path: Path, database_url: str, *, also_expdp: bool
) -> None:
    """A service stop during an export: SIGTERM to the bot's process group (what systemd's
    KillMode=mixed and `docker stop` deliver: the bot alone, expdp runs in its own group), or
    also to expdp at the same moment (KillMode=control-group, a console Ctrl+C reaching it)."""
    process = bot.start(FAKE_EXPDP_MODE="hang")
    await bot_is_up(server, 1)
    await server.send_text(ADB, "/backup")
    await until(server, ADB, "Back up database dimulai")
    dumps = tmp_path / "data" / "dumps"
    await wait_for(lambda: list(dumps.glob("*.state")) and bot.expdp_pid() is not None)
    expdp = bot.expdp_pid()
    assert expdp is not None
    if POSIX:
        assert os.getpgid(expdp) != os.getpgid(process.pid)  # expdp has its own process group
    bot.service_stop()
    if also_expdp:
        os.kill(expdp, signal.SIGTERM)
    await asyncio.to_thread(process.wait, 200)
    [state] = list(dumps.glob("*.state"))
    # Stopped on the server, not only the client: the fake's job, like Oracle's, outlives its
    # client and ends only through `expdp attach` + KILL_JOB.
    assert state.read_text() == "STOPPED"
    engine = make_engine(database_url)
    record = DumpLog(engine).latest(1)[0]
    assert record.outcome == "interrupted" and [e.code for e in record.errors] == [Code.STOPPED]
    bot.start(FAKE_EXPDP_MODE="success")
    await bot_is_up(server, 2)
    await server.send_text(ADB, "/status")
    await until(server, ADB, "Status SOP")
    alerts = [m.text for m in server.sent_to(ADB) if "BACK UP DATABASE GAGAL" in m.text]
    assert len(alerts) == 1, alerts  # told once: before the stop or after the restart
    assert "terputus karena layanan bot dihentikan" in alerts[0]


async def test_a_service_stop_reaches_the_bot_first_and_the_server_job_is_killed(
    bot: BotProcess, server: BotApiServer, tmp_path: Path, database_url: str
) -> None:
    await stop_mid_dump_and_restart(bot, server, tmp_path, database_url, also_expdp=False)


@pytest.mark.skipif(not POSIX, reason="a POSIX signal to expdp (Windows: CREATE_NEW_PROCESS_GROUP)")
async def test_expdp_ended_by_the_same_stop_still_gets_its_server_job_killed(
    bot: BotProcess, server: BotApiServer, tmp_path: Path, database_url: str
) -> None:
    await stop_mid_dump_and_restart(bot, server, tmp_path, database_url, also_expdp=True)


async def test_a_password_file_left_by_a_crash_is_removed_at_the_next_start(
    bot: BotProcess, server: BotApiServer, tmp_path: Path
) -> None:
    bot.start(FAKE_EXPDP_MODE="hang")
    await bot_is_up(server, 1)
    await server.send_text(ADB, "/backup")
    await until(server, ADB, "Back up database dimulai")
    await wait_for(lambda: (tmp_path / "rec.json").exists())
    private = tmp_path / "data" / "private"
    # Once expdp has logged in it has read its parameters: the password is not left waiting.
    await wait_for(lambda: not list(private.glob("*.par")))
    bot.kill()
    # A crash before the login (the only moment a parameter file exists) leaves one behind:
    leftover = private / "sopbot-left-by-a-crash.par"
    leftover.write_text(f'userid=system/"{PASSWORD}"@siak\n')
    bot.start(FAKE_EXPDP_MODE="success")
    await bot_is_up(server, 2)
    assert not leftover.exists() and not list(private.glob("*.par"))


async def test_a_telegram_blip_while_polling_starts_is_retried_not_fatal(
    bot: BotProcess, server: BotApiServer
) -> None:
    """getMe answered, then Telegram fails the polling's own start once (deleteWebhook: a 502
    from its front end, as during its incidents): the bot retries instead of exiting."""
    server.fail_next("deleteWebhook", 502, "Bad Gateway")
    process = bot.start(FAKE_EXPDP_MODE="success")
    await bot_is_up(server, 1)
    await server.send_text(KASI, "/status")
    await until(server, KASI, "Status SOP", timeout=60)
    assert process.poll() is None  # polling began only past the failed deleteWebhook
