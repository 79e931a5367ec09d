"""Restarts: the schedule survives, a missed run runs once and says it was late, an interrupted
dump is marked as such, and a /jadwal change is kept."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from conftest import ADB, KABID, WITA, make_settings, open_app
from pydantic import SecretStr

from bot.app import running, services_of
from core.clock import ManualClock
from core.problems import Code
from core.settings import Settings
from devtools.botapi import BotApiServer, SentMessage
from jobs.schedule import DUMP_JOB_ID
from sopbot.sample_db import create_sample_database
from storage.database import make_engine


@pytest.fixture
def settings(server: BotApiServer, tmp_path: Path, database_url: str) -> Settings:
    source = create_sample_database(tmp_path / "siak.db", residents=100)
    return make_settings(
        server.base_url,
        tmp_path / "data",
        sqlite_source_path=source,
        progress_interval_seconds=0.05,
        database_url=database_url,
    )


async def past_welcome(server: BotApiServer, chat_id: int) -> SentMessage:
    """The next message after the first start's welcome (if it is still unread)."""
    message = await server.next_message(chat_id, timeout=10)
    if "sudah aktif" in message.text:
        message = await server.next_message(chat_id, timeout=10)
    return message


async def make_run_overdue(database_url: str, by: timedelta) -> None:
    """Move the stored job's next run into the past, as if the bot had been down then."""
    from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore

    scheduler = AsyncIOScheduler(
        jobstores={"default": SQLAlchemyJobStore(engine=make_engine(database_url))}
    )
    scheduler.start(paused=True)
    scheduler.modify_job(DUMP_JOB_ID, next_run_time=datetime.now(UTC) - by)
    scheduler.shutdown(wait=False)


async def test_missed_run_runs_once_on_start_and_says_it_was_late(
    server: BotApiServer, tmp_path: Path, settings: Settings
) -> None:
    clock = ManualClock(datetime(2026, 11, 25, 20, 0, tzinfo=WITA))
    async with running(open_app(settings, clock), poll_timeout=1):
        pass  # first start: the daily job is stored

    await make_run_overdue(settings.database_url, timedelta(hours=2))

    clock.set(datetime(2026, 11, 26, 3, 0, tzinfo=WITA))
    app = open_app(settings, clock)
    services = services_of(app)
    async with running(app, poll_timeout=1):
        started = await past_welcome(server, ADB)
        assert "terjadwal" in started.text and "Terlambat 2 jam" in started.text
        while "Laporan back up" not in (await server.next_message(KABID, timeout=10)).text:
            pass
        assert len(services.dumplog.latest(10)) == 1
        next_run = services.scheduler.next_run()
        assert next_run is not None and next_run > datetime.now(UTC)


async def test_schedule_changed_from_chat_survives_a_restart(
    server: BotApiServer, tmp_path: Path, settings: Settings
) -> None:
    clock = ManualClock(datetime(2026, 11, 25, 9, 0, tzinfo=WITA))
    async with running(open_app(settings, clock), poll_timeout=1):
        await server.send_text(ADB, "/jadwal 03:15")
        assert "03:15" in (await past_welcome(server, ADB)).text
    app = open_app(settings, clock)
    services = services_of(app)
    async with running(app, poll_timeout=1):
        assert services.scheduler.backup_time.strftime("%H:%M") == "03:15"
        next_run = services.scheduler.next_run()
        assert next_run is not None and next_run.astimezone(WITA).strftime("%H:%M") == "03:15"


async def test_editing_backup_time_in_env_wins_over_the_chat_change(
    server: BotApiServer, tmp_path: Path, settings: Settings
) -> None:
    clock = ManualClock(datetime(2026, 11, 25, 9, 0, tzinfo=WITA))
    async with running(open_app(settings, clock), poll_timeout=1):
        await server.send_text(ADB, "/jadwal 03:15")
        await server.next_message(ADB, timeout=10)
    edited = settings.model_copy(update={"backup_time": datetime(2026, 1, 1, 4, 45).time()})
    app = open_app(edited, clock)
    services = services_of(app)
    async with running(app, poll_timeout=1):
        assert services.scheduler.backup_time.strftime("%H:%M") == "04:45"


async def test_dump_running_when_the_bot_stopped_is_marked_interrupted(
    server: BotApiServer, tmp_path: Path, settings: Settings
) -> None:
    clock = ManualClock(datetime(2026, 11, 25, 9, 0, tzinfo=WITA))
    services = services_of(open_app(settings, clock))
    services.dumplog.start(
        run_date=clock.now().date(),
        trigger="schedule",
        requested_by=None,
        backend="sqlite",
        job_name="SOPBOT_X",
        started_at=clock.now(),
        file_path=str(tmp_path / "x.dmp"),
        log_path=str(tmp_path / "x.log"),
    )
    async with running(open_app(settings, clock), poll_timeout=1):
        alert = await past_welcome(server, ADB)
        assert "terputus" in alert.text and "x.dmp" in alert.text
    assert services.dumplog.latest(1)[0].outcome == "interrupted"


async def test_stopping_the_bot_during_a_scheduled_expdp_dump_stops_the_server_job_and_tells(
    server: BotApiServer, tmp_path: Path, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake = Path(__file__).parents[1] / "jobs" / "fakes" / "expdp.py"
    dumps = tmp_path / "data" / "dumps"
    monkeypatch.setenv("FAKE_EXPDP_MODE", "hang")
    monkeypatch.setenv("FAKE_EXPDP_DIR", str(dumps))
    expdp = settings.model_copy(
        update={
            "dump_backend": "expdp",
            "expdp_path": str(fake),
            "oracle_user": "system",
            "oracle_password": SecretStr("pw-123456"),
            "oracle_dsn": "db",
        }
    )
    clock = ManualClock(datetime(2026, 11, 25, 1, 0, tzinfo=WITA))
    app = open_app(expdp, clock)
    services = services_of(app)
    async with running(app, poll_timeout=1):
        services.scheduler.fire_now()  # the dump runs inside APScheduler's own task
        async with asyncio.timeout(20):
            while not list(dumps.glob("*.state")):
                await asyncio.sleep(0.05)
    # Leaving `running` is what a service stop does: the dump was stopped through its
    # contract, on the server too, recorded once and announced.
    [state] = list(dumps.glob("*.state"))
    assert state.read_text() == "STOPPED"
    [run] = services.dumplog.latest(5)
    assert run.outcome == "interrupted" and [e.code for e in run.errors] == [Code.STOPPED]
    # Told now if Telegram answered in time, otherwise queued for the next start.
    told = [m.text for m in server.sent_to(ADB)] + [m.text for m in services.outbox.pending()]
    assert any("BACK UP DATABASE GAGAL" in text for text in told), told


async def test_the_first_start_is_calm_and_welcomes_each_role_once(
    server: BotApiServer, tmp_path: Path, settings: Settings
) -> None:
    # Installed at noon, long after the 01:00 dump and its 04:00 deadline, with no dump at all.
    clock = ManualClock(datetime(2026, 11, 25, 12, 0, tzinfo=WITA))
    app = open_app(settings, clock)
    services = services_of(app)
    async with running(app, poll_timeout=1):
        for person in (KABID, ADB):
            welcome = await server.next_message(person, timeout=10)
            assert "sudah aktif" in welcome.text and "harian pukul 01:00" in welcome.text
        assert services.watchdog is not None
        await services.watchdog.tick()
        clock.set(datetime(2026, 11, 26, 0, 30, tzinfo=WITA))  # before the first scheduled run
        await services.watchdog.tick()
        await asyncio.sleep(0.3)
        assert server.unread(KABID) == []  # no alarm for a run that was never scheduled

    clock.set(datetime(2026, 11, 26, 4, 1, tzinfo=WITA))  # the first run's deadline has passed
    app = open_app(settings, clock)
    services = services_of(app)
    async with running(app, poll_timeout=1):
        assert services.watchdog is not None
        await services.watchdog.tick()
        alarm = await server.next_message(KABID, timeout=10)
        assert "sudah aktif" not in alarm.text  # welcomed once only
        assert "BACK UP" in alarm.text.upper() and "belum" in alarm.text.lower()
