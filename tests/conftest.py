"""Shared fixtures: the real bot application talking HTTP to a loopback Bot API server."""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from bot.app import BotApp, running, services_of
from bot.context import Services
from core.clock import Clock, ManualClock
from core.settings import Settings
from devtools.botapi import BotApiServer, SentMessage
from jobs.dump.result import DumpBackend
from sopbot.compose import build_app, open_runtime
from sopbot.sample_db import create_sample_database

FAKE_EXPDP = Path(__file__).parent / "jobs" / "fakes" / "expdp.py"
# Settings that run the fake expdp program instead of Oracle's.
EXPDP_SETTINGS: dict[str, Any] = {
    "dump_backend": "expdp",
    "expdp_path": str(FAKE_EXPDP),
    "oracle_user": "system",
    "oracle_password": "pw-123456",
    "oracle_dsn": "db",
}

TOKEN = "987654:TEST-token-AbCdEfGhIjKlMnOp"
KABID, ADB, KASI, STRANGER = 111, 222, 333, 999
PUSAT = 444  # a supervisor (province): PUSAT_IDS
GROUP = -1001234
WITA = ZoneInfo("Asia/Makassar")
NAMES = {KABID: "Kadek", ADB: "Made", KASI: "Nyoman", PUSAT: "Wayan", STRANGER: "Orang Asing"}


def make_settings(base_url: str, data_dir: Path, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "telegram_bot_token": TOKEN,
        "telegram_api_base_url": base_url,
        "kabid_ids": [KABID],
        "adb_ids": [ADB],
        "kasi_ids": [KASI],
        "pusat_ids": [PUSAT],
        "notify_chat_id": GROUP,
        "data_dir": data_dir,
        # The drill after a copy (DRILL_EVERY_DAYS, 7 in production) is tested on its own
        # (tests/bot/test_drill_after_copy.py); elsewhere a copy ends with the unplug request.
        "drill_every_days": 0,
    }
    values.update(overrides)
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


def open_services(
    settings: Settings, clock: Clock | None = None, backend: DumpBackend | None = None
) -> Services:
    """The services without a chat (no outbox sender, watchdog or central reporter)."""
    return Services.from_runtime(open_runtime(settings, clock, backend))


def open_app(
    settings: Settings, clock: Clock | None = None, backend: DumpBackend | None = None
) -> BotApp:
    """The bot as `sopbot run` builds it, without its minute loop (tests call tick())."""
    return build_app(settings, clock, backend, watch_loop=False)


@dataclass
class Chat:
    """The Telegram side of a conversation with the bot under test."""

    server: BotApiServer
    clock: ManualClock
    services: Services
    app: Any = None  # the PTB application, to see when it has handled everything

    async def send(self, user_id: int, text: str, **kwargs: Any) -> None:
        await self.server.send_text(user_id, text, **kwargs)

    async def receive(self, chat_id: int, timeout: float = 30.0) -> SentMessage:
        return await self.server.next_message(chat_id, timeout)

    async def ask(self, user_id: int, text: str, timeout: float = 30.0) -> SentMessage:
        """Send a command in the user's private chat and return the bot's next reply there."""
        await self.send(user_id, text)
        return await self.receive(user_id, timeout)

    def drain(self, chat_id: int) -> list[SentMessage]:
        """Mark every message the bot sent to `chat_id` so far as read, and return them."""
        unread = self.server.unread(chat_id)
        for _ in unread:
            self.server._read[chat_id] += 1
        return unread

    async def press(self, user_id: int, message: SentMessage, label_part: str) -> None:
        data = next(d for t, d in message.buttons if label_part in t)
        await self.server.press_button(user_id, message, data)

    async def settle(self, user_id: int = KABID, chat_id: int | None = None) -> None:
        """Wait until every update sent so far in one chat (the user's own by default) has been
        handled: each chat's updates are handled in order, so once the reply to a /bantuan sent
        there now arrives, everything before it in that chat is done. In a group, wait until the
        bot has nothing left to handle or send instead (a reply there could be anyone's)."""
        if chat_id is not None and chat_id != user_id:
            await self.quiet()
            return
        await self.send(user_id, "/bantuan")
        while True:
            message = await self.receive(user_id)
            if "Perintah yang dapat Anda gunakan" in message.text:
                return

    async def quiet(self, timeout: float = 30.0) -> None:
        """Wait until every update has been fetched and handled and every reply sent."""

        def idle() -> bool:
            return (
                self.server.pending_updates() == 0
                and self.app.update_queue.qsize() == 0
                and self.app.update_processor.current_concurrent_updates == 0
                and not self.services.outbox.pending(limit=1)
            )

        async with asyncio.timeout(timeout):
            calm = 0
            while calm < 3:  # idle three times in a row, 20 ms apart
                calm = calm + 1 if idle() else 0
                await asyncio.sleep(0.02)

    async def idle(self, timeout: float = 30.0) -> None:
        """Wait until no dump, copy or drill runs (their last messages may still be on the way)."""
        async with asyncio.timeout(timeout):
            while self.services.dump.busy or self.services.copier.busy or self.services.drill.busy:
                await asyncio.sleep(0.02)

    async def tick(self) -> None:
        """One run of the minute watchdog at the clock's current time."""
        assert self.services.watchdog is not None
        await self.services.watchdog.tick()

    def advance(self, **delta: float) -> None:
        self.clock.advance(timedelta(**delta))


STOP_SECONDS = 45.0


def _print_waiting_tasks() -> None:
    import sys

    for task in asyncio.all_tasks():
        print(f"--- still waiting at the bot's stop: {task!r}", file=sys.stderr)
        task.print_stack(file=sys.stderr)


async def until(chat: Chat, chat_id: int, words: str) -> Any:
    """The next message to `chat_id` containing `words` (each wait bounded by `receive`)."""
    while True:
        message = await chat.receive(chat_id)
        if words in message.text:
            return message


@pytest.fixture
def disk_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A registered external disk: a real tmpfs as root, a plain folder otherwise."""
    from disks import external_disk

    from jobs.external.disk import init_disk

    path = tmp_path / "external"
    with external_disk(path, "32m", monkeypatch):
        init_disk(path, "HDD-PIAK-1")
        yield path


@pytest.fixture
def with_external_disk(disk_path: Path) -> dict[str, Any]:
    """Settings with that disk (and no automatic copies): import it as `settings_overrides`."""
    return {"external_disk_path": disk_path, "external_auto_copy": False}


POSTGRES_URL = os.environ.get("SOPBOT_TEST_POSTGRES_URL", "")


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """The SOP log on SQLite, and on a fresh PostgreSQL database when one is available."""
    if request.param == "sqlite":
        yield f"sqlite:///{(tmp_path / 'data' / 'sopbot.db').as_posix()}"
        return
    if not POSTGRES_URL:
        pytest.skip("PostgreSQL variant: set SOPBOT_TEST_POSTGRES_URL (.ci/run starts a server)")
    name = f"sopbot_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    yield make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False)
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(datetime(2026, 11, 25, 8, 0, tzinfo=WITA))


@pytest.fixture
def settings_overrides() -> dict[str, Any]:
    return {}


@pytest.fixture
async def server() -> AsyncIterator[BotApiServer]:
    fake = BotApiServer(TOKEN)
    for user_id, name in NAMES.items():
        fake.add_person(user_id, name)
    fake.add_group(GROUP, "Bidang PIAK")
    await fake.start()
    yield fake
    await fake.stop()


@pytest.fixture
async def chat(
    server: BotApiServer,
    clock: ManualClock,
    tmp_path: Path,
    settings_overrides: dict[str, Any],
    database_url: str,
) -> AsyncIterator[Chat]:
    source = create_sample_database(tmp_path / "siak.db", residents=300)
    overrides = {
        "sqlite_source_path": source,
        "progress_interval_seconds": 0.05,
        "database_url": database_url,
    }
    overrides.update(settings_overrides)
    settings = make_settings(server.base_url, tmp_path / "data", **overrides)
    app = open_app(settings, clock)  # tests drive the watchdog with chat.tick()
    services = services_of(app)
    loop = asyncio.get_running_loop()
    report = None
    try:
        async with asyncio.timeout(None) as bound, running(app, poll_timeout=1):
            chat = Chat(server, clock, services, app)
            await chat.quiet()  # the first start's welcome, to everyone: read before the test
            for chat_id in (KABID, ADB, KASI, GROUP):
                chat.drain(chat_id)
            yield chat
            # The bot's stop is bounded too: a stop that hangs fails the test, saying what every
            # task was waiting for, instead of holding the whole run.
            bound.reschedule(loop.time() + STOP_SECONDS)
            report = loop.call_later(STOP_SECONDS - 5, _print_waiting_tasks)
    finally:
        if report is not None:
            report.cancel()
