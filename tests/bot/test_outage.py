"""Telegram outages, rate limits and blocked users: nothing is lost, nothing is sent twice."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
from conftest import ADB, GROUP, KABID, KASI, Chat, make_settings, open_app
from conftest import with_external_disk as settings_overrides  # noqa: F401

from bot.app import running, services_of
from core.clock import ManualClock
from devtools.botapi import BotApiServer
from sopbot.sample_db import create_sample_database

PERSONAL = (KABID, ADB, KASI, GROUP)


@pytest.fixture(autouse=True)
def _short_pauses(monkeypatch: pytest.MonkeyPatch) -> None:
    """Retry within half a second once Telegram is back (in production: up to a minute)."""
    monkeypatch.setattr("bot.outbox.MAX_PAUSE_SECONDS", 0.5)


def count(chat: Chat, chat_id: int, words: str) -> int:
    return sum(words in m.text for m in chat.server.sent_to(chat_id))


async def wait_for(condition: Any, timeout: float = 30.0) -> None:
    async with asyncio.timeout(timeout):
        while not condition():
            await asyncio.sleep(0.05)


async def test_outage_during_a_dump_and_a_copy_loses_nothing_and_repeats_nothing(
    chat: Chat,
) -> None:
    chat.server.down = 502
    dump = chat.services.dump.launch("chat", ADB)
    await asyncio.wait_for(dump, 30)  # the dump itself does not wait for Telegram
    copy = chat.services.copier.launch("chat", KASI)
    await asyncio.wait_for(copy, 30)
    assert copy.result().verified
    assert chat.services.outbox.counts().get("pending", 0) >= 6
    assert [m for m in chat.server.sent_to(KABID) if "sudah aktif" not in m.text] == []

    chat.server.down = None
    await wait_for(lambda: chat.services.outbox.counts().get("pending", 0) == 0)
    expected = {
        ADB: ["Back up database dimulai", "Laporan back up database"],
        KABID: ["Laporan back up database", "Salinan ke hard disk eksternal terverifikasi"],
        KASI: [
            "Menyalin back up",
            "Salinan ke hard disk eksternal terverifikasi",
            "langkah 11 tercatat",
        ],
        GROUP: ["Back up database dimulai", "Menyalin back up"],
    }
    for person, phrases in expected.items():
        for phrase in phrases:
            assert count(chat, person, phrase) == 1, (person, phrase)
    # In order: the start came before the result.
    adb = [m.text for m in chat.server.sent_to(ADB)]
    assert adb.index(next(t for t in adb if "dimulai" in t)) < adb.index(
        next(t for t in adb if "Laporan back up" in t)
    )


async def test_rate_limit_is_waited_out_and_the_message_sent_once(chat: Chat) -> None:
    chat.server.fail_next("sendMessage", 429, "Too Many Requests: retry after 1", retry_after=1)
    await chat.ask(KABID, "/instruksi adb")
    await wait_for(lambda: count(chat, ADB, "Instruksi #1") == 1)
    await chat.settle(KABID)
    assert count(chat, ADB, "Instruksi #1") == 1
    assert not chat.server._scripted_errors  # the 429 was really served


async def test_blocked_user_is_marked_undeliverable_and_the_kabid_told_once(chat: Chat) -> None:
    chat.server.people[KASI].blocked_bot = True
    await chat.send(KABID, "/instruksi kasi")
    first, second = await chat.receive(KABID), await chat.receive(KABID)
    texts = first.text + "\n" + second.text
    assert "Tidak terkirim kepada" in texts and "memblokir bot" in texts
    assert "tidak dapat dikirim kepada" in texts
    await chat.ask(KABID, "/instruksi kasi lagi")
    await chat.settle(KABID)
    assert count(chat, KABID, "tidak dapat dikirim kepada") == 1
    async with asyncio.timeout(10):  # the last reply is marked sent just after it arrives
        while chat.services.outbox.counts().get("pending", 0):
            await asyncio.sleep(0.02)
    assert chat.services.outbox.counts().get("undeliverable") == 2


async def test_messages_pending_at_a_stop_are_sent_after_the_next_start(
    server: BotApiServer, tmp_path: Path
) -> None:
    source = create_sample_database(tmp_path / "siak.db", residents=50)
    settings = make_settings(
        server.base_url,
        tmp_path / "data",
        sqlite_source_path=source,
        progress_interval_seconds=0.05,
    )
    clock = ManualClock(__import__("datetime").datetime(2026, 11, 25, 9, 0, tzinfo=settings.tz))
    first_app = open_app(settings, clock)
    first = services_of(first_app)
    async with running(first_app, poll_timeout=1):
        server.failing = {"sendMessage"}  # Telegram answers 502 to every message
        await asyncio.wait_for(first.dump.launch("chat", ADB), 30)
    assert first.outbox.counts().get("pending", 0) > 0
    server.failing = set()
    second_app = open_app(settings, clock)
    second = services_of(second_app)
    async with running(second_app, poll_timeout=1):
        await wait_for(lambda: second.outbox.counts().get("pending", 0) == 0)
    assert sum("Laporan back up database" in m.text for m in server.sent_to(KABID)) == 1


async def test_a_live_message_that_cannot_be_edited_ends_with_the_verdict_as_a_new_message(
    chat: Chat,
) -> None:
    for _ in range(50):  # every edit fails, as during an outage of editMessageText
        chat.server.fail_next("editMessageText", 502, "Bad Gateway")
    await chat.send(ADB, "/backup")
    started = await chat.receive(ADB)
    assert "Back up database dimulai" in started.text
    verdict = await chat.receive(ADB)  # the report arrives although the edit never did
    assert "Laporan back up database" in verdict.text
    assert "Laporan back up" not in started.text  # the stale message stayed as it was


async def test_a_busy_group_waits_for_its_own_limit_without_holding_anyone_else(
    chat: Chat,
) -> None:
    sender = chat.services.sender
    assert sender is not None
    for n in range(25):  # more than Telegram lets a group have in a minute
        await sender.send(GROUP, f"pesan grup {n}", wait=0)
    await sender.send(KABID, "untuk Kabid", wait=0)
    assert (await chat.receive(KABID)).text == "untuk Kabid"  # not behind the group's wait
    await chat.server.wait_until(lambda: len(chat.server.sent_to(GROUP)) >= 20)
    sent = chat.server.sent_to(GROUP)  # the welcome of the first start took one of the 20
    assert len(sent) == 20 and sum("pesan grup" in m.text for m in sent) == 19
    async with asyncio.timeout(10):  # the last acceptance is recorded off the loop, just after
        while chat.services.outbox.counts().get("pending") != 6:  # the rest wait their minute
            await asyncio.sleep(0.02)
