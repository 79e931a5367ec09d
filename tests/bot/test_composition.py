"""One composition root: `build_app` builds each bot once, its services frozen and reached typed
through PTB's context; a stored APScheduler job runs with the services of the bot that owns it,
not with whatever a module global last held."""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import AsyncIterator
from datetime import datetime
from pathlib import Path

import pytest
from conftest import NAMES, TOKEN, WITA, make_settings, open_app

from bot.app import BotApp, running, services_of
from core.clock import ManualClock
from devtools.botapi import BotApiServer
from sopbot.sample_db import create_sample_database


@pytest.fixture
async def second_server() -> AsyncIterator[BotApiServer]:
    fake = BotApiServer(TOKEN)
    for user_id, name in NAMES.items():
        fake.add_person(user_id, name)
    await fake.start()
    yield fake
    await fake.stop()


def office_app(server: BotApiServer, folder: Path) -> BotApp:
    source = create_sample_database(folder / "siak.db", residents=50)
    settings = make_settings(
        server.base_url,
        folder / "data",
        sqlite_source_path=source,
        progress_interval_seconds=0.05,
        database_url=f"sqlite:///{(folder / 'data' / 'sopbot.db').as_posix()}",
    )
    return open_app(settings, ManualClock(datetime(2026, 11, 26, 1, 0, tzinfo=WITA)))


async def test_two_bots_in_one_process_each_run_their_own_scheduled_dump(
    server: BotApiServer, second_server: BotApiServer, tmp_path: Path
) -> None:
    first_app = office_app(server, tmp_path / "first")
    second_app = office_app(second_server, tmp_path / "second")
    first, second = services_of(first_app), services_of(second_app)
    async with running(first_app, poll_timeout=1), running(second_app, poll_timeout=1):
        first.scheduler.fire_now()  # each stored job is due now, in its own bot's log
        second.scheduler.fire_now()
        async with asyncio.timeout(30):
            while not (first.dumplog.latest(1) and second.dumplog.latest(1)):
                await asyncio.sleep(0.05)
        await first.dump.wait_idle()
        await second.dump.wait_idle()
    for services in (first, second):
        runs = services.dumplog.latest(5)
        assert [(run.trigger, run.outcome) for run in runs] == [("schedule", "success")]


async def test_the_services_are_built_once_frozen_and_reached_typed(
    server: BotApiServer, tmp_path: Path
) -> None:
    app = office_app(server, tmp_path)
    services = services_of(app)
    assert app.bot_data.services is services
    assert services.sender is not None and services.watchdog is not None
    with pytest.raises(dataclasses.FrozenInstanceError):
        services.sender = None  # type: ignore[misc]
    with pytest.raises(RuntimeError):
        app.bot_data.bind(services)  # bound once, when built
