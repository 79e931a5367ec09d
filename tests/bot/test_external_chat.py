"""SOP step 11 and the warnings through the chat, on a real (tmpfs when root) external disk."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web
from conftest import ADB, GROUP, KABID, KASI, WITA, Chat
from disks import external_disk

from jobs.external.disk import init_disk


@pytest.fixture
def disk_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    path = tmp_path / "external"
    with external_disk(path, "32m", monkeypatch):
        init_disk(path, "HDD-PIAK-1")
        yield path


@pytest.fixture
def settings_overrides(disk_path: Path) -> dict[str, Any]:
    return {"external_disk_path": disk_path, "external_auto_copy": False}


async def until(chat: Chat, chat_id: int, contains: str) -> Any:
    while True:
        message = await chat.receive(chat_id)
        if contains in message.text:
            return message


async def test_kasi_copies_from_the_instruction_and_confirms(chat: Chat, disk_path: Path) -> None:
    await chat.send(ADB, "/backup")
    await until(chat, KABID, "Laporan back up database")
    await chat.ask(KABID, "/instruksi kasi salin ke HDD")
    order = await until(chat, KASI, "Instruksi #1")
    assert [d for _, d in order.buttons] == ["salin:1", "selesai:1"]

    chat.advance(minutes=3)
    await chat.press(KASI, order, "Salin sekarang")
    progress = await until(chat, KASI, "Menyalin back up ke hard disk eksternal")
    assert "dari instruksi" in progress.text
    assert "dengan /selesai" in (await until(chat, KASI, "terverifikasi")).text
    kabid = await until(chat, KABID, "Salinan ke hard disk eksternal terverifikasi")
    assert "HDD-PIAK-1" in kabid.text and "SHA-256" in kabid.text
    await chat.server.wait_until(lambda: "terverifikasi" in progress.text)

    chat.advance(minutes=1)
    done = await chat.ask(KASI, "/selesai 1")
    assert "ditutup" in done.text
    day = chat.services.log.day_status(chat.services.today())
    copy_events = day.events_for(11)
    assert len(copy_events) == 1 and copy_events[0].actor_id == KASI  # recorded by the copy
    assert day.complete is False  # step 1 and 9 never happened in this test
    await until(chat, KABID, "Laporan Kasi")
    listing = await chat.ask(KABID, "/daftar")
    assert "HDD-PIAK-1" in listing.text and "✅ SIAK_20261125_0800.dmp" in listing.text
    assert "Ruang kosong" in listing.text and "hari lagi" in listing.text
    await chat.send(ADB, "/verifikasi")
    await until(chat, ADB, "Memeriksa ulang")
    result = await chat.receive(ADB)
    assert "1 file cocok" in result.text and "utuh" in result.text


async def test_salin_with_nothing_new_says_so(chat: Chat) -> None:
    await chat.send(ADB, "/backup")
    await until(chat, KABID, "Laporan back up database")
    await chat.send(KASI, "/salin")
    await until(chat, KASI, "terverifikasi")
    await chat.idle()
    await chat.send(KASI, "/salin")
    assert "Tidak ada back up baru" in (await until(chat, KASI, "Tidak ada")).text


@pytest.mark.parametrize("settings_overrides", [{"external_disk_path": Path("/nonexistent/disk")}])
async def test_missing_disk_tells_kasi_and_kabid_and_writes_nothing(chat: Chat) -> None:
    await chat.send(ADB, "/backup")
    await until(chat, KABID, "Laporan back up database")
    await chat.send(KASI, "/salin")
    kasi = await until(chat, KASI, "belum disalin")
    assert "tidak terpasang" in kasi.text and "tetap aman di server" in kasi.text
    assert "tidak terpasang" in (await until(chat, KABID, "belum disalin")).text
    await chat.send(KABID, "/daftar")
    assert "tidak terpasang" in (await until(chat, KABID, "Hard disk eksternal")).text


async def test_disk_appearing_after_a_dump_is_copied_automatically(
    chat: Chat, disk_path: Path
) -> None:
    chat.services.settings.external_auto_copy = True
    await chat.send(ADB, "/backup")
    await until(chat, KABID, "Laporan back up database")
    await chat.idle()
    await chat.tick()
    await until(chat, KABID, "terverifikasi")
    await chat.idle()
    await chat.tick()  # nothing left to copy: no second copy
    await chat.idle()
    copies = chat.services.copylog.latest(5)
    assert [(c.trigger, c.outcome) for c in copies] == [("auto", "verified")]
    assert any("terverifikasi" in m.text for m in chat.server.sent_to(KASI))


async def test_missing_dump_alerts_everyone_after_the_deadline_and_repeats_sparingly(
    chat: Chat,
) -> None:
    chat.clock.set(datetime(2026, 11, 26, 3, 59, tzinfo=WITA))
    await chat.tick()
    await chat.settle(KABID)
    assert not [m for m in chat.drain(ADB) if "BELUM ADA" in m.text]  # before the deadline

    chat.clock.set(datetime(2026, 11, 26, 4, 1, tzinfo=WITA))
    await chat.tick()
    for person in (KABID, ADB, KASI, GROUP):
        alert = await until(chat, person, "BACK UP HARIAN BELUM ADA")
        assert "tidak ada data pengganti" in alert.text
    chat.advance(minutes=30)
    await chat.tick()  # within the repeat interval: quiet
    await chat.settle(KABID)
    assert not [m for m in chat.drain(KASI) if "BELUM ADA" in m.text]
    chat.advance(hours=2)
    await chat.tick()  # repeated
    await until(chat, KASI, "BACK UP HARIAN BELUM ADA")

    await chat.send(ADB, "/backup")
    await until(chat, KABID, "Laporan back up database")
    chat.advance(hours=3)
    await chat.tick()  # resolved: no more alerts
    await chat.settle(KABID)
    assert not [m for m in chat.drain(KASI) if "BELUM ADA" in m.text]


async def test_stale_external_copy_alerts_everyone(chat: Chat) -> None:
    await chat.send(ADB, "/backup")
    await until(chat, KABID, "Laporan back up database")
    chat.advance(hours=37)
    await chat.tick()
    alert = await until(chat, KASI, "SALINAN HARD DISK EKSTERNAL SUDAH TERLALU LAMA")
    assert "Belum pernah ada salinan" in alert.text


async def test_daily_summary_once_a_day(chat: Chat) -> None:
    await chat.send(ADB, "/backup")
    await until(chat, KABID, "Laporan back up database")
    await chat.send(KASI, "/salin")
    await until(chat, KABID, "terverifikasi")
    chat.clock.set(datetime(2026, 11, 26, 7, 0, tzinfo=WITA))
    await chat.tick()
    summary = await until(chat, ADB, "Ringkasan back up")
    assert "SIAK_20261125_0800.dmp" in summary.text
    assert "✅ terverifikasi" in summary.text and "Ruang kosong hard disk eksternal" in summary.text
    chat.advance(minutes=5)
    await chat.tick()
    await chat.settle(ADB)
    assert not [m for m in chat.drain(ADB) if "Ringkasan" in m.text]


async def test_overdue_instruction_reminds_the_kasi_and_tells_the_kabid_once(chat: Chat) -> None:
    await chat.ask(KABID, "/instruksi kasi")
    await until(chat, KASI, "Instruksi #1")
    chat.advance(minutes=4)
    await chat.tick()
    await chat.settle(KABID)
    assert not [m for m in chat.drain(KASI) if "Pengingat" in m.text]
    chat.advance(minutes=2)
    await chat.tick()
    assert "Pengingat" in (await until(chat, KASI, "Pengingat")).text
    assert "terlambat 1 menit" in (await until(chat, KABID, "belum selesai")).text
    chat.advance(minutes=15)
    await chat.tick()
    await until(chat, KASI, "Pengingat")
    await chat.settle(KABID)
    assert not [m for m in chat.drain(KABID) if "belum selesai" in m.text]


async def test_healthcheck_gets_start_and_success_pings_and_a_dead_one_breaks_nothing(
    chat: Chat,
) -> None:
    pings: list[str] = []

    async def record(request: web.Request) -> web.Response:
        pings.append(request.path)
        return web.Response(text="OK")

    app = web.Application()
    app.router.add_route("POST", "/{tail:.*}", record)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]
    from jobs.healthcheck import HealthcheckPinger

    pinger = HealthcheckPinger(f"http://127.0.0.1:{port}/ping/abc")
    chat.services.dump.observers.append(pinger)
    try:
        await chat.send(ADB, "/backup")
        await until(chat, KABID, "Laporan back up database")
        for _ in range(200):  # the success ping follows the report: wait up to 10 s
            if len(pings) >= 2:
                break
            await asyncio.sleep(0.05)
        assert pings == ["/ping/abc/start", "/ping/abc"]
    finally:
        await runner.cleanup()
    dead = HealthcheckPinger("http://127.0.0.1:9/ping/abc")  # nothing listens there
    assert await dead.ping("start") is False
