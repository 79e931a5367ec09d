"""The watchdog (jobs/watchdog.py) through the chat: auto copy, missed-backup and stale-copy
alerts, the daily summary and overdue reminders, driven by the clock."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

from conftest import ADB, GROUP, KABID, KASI, WITA, Chat, until
from conftest import with_external_disk as settings_overrides  # noqa: F401
from disks import external_disk, needs_mount

from jobs.external.disk import init_disk


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
    assert "Tidak ada salinan terverifikasi yang masih berlaku" in alert.text


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


@needs_mount
async def test_a_disk_that_cannot_take_the_copy_is_tried_once_in_a_while_not_every_minute(
    chat: Chat, tmp_path: Path
) -> None:
    with external_disk(tmp_path / "ro-disk", "16m") as disk:
        init_disk(disk.path, "HDD-RO")
        disk.read_only()  # readable (so it looks present), not writable
        settings = chat.services.settings
        settings.external_disk_path, settings.external_auto_copy = disk.path, True
        await chat.send(ADB, "/backup")
        await until(chat, KABID, "Laporan back up database")
        await chat.idle()
        for _ in range(5):  # five minutes in a row
            await chat.tick()
            await chat.idle()
            chat.advance(minutes=1)
        attempts = [c for c in chat.services.copylog.latest(10) if c.trigger == "auto"]
        assert len(attempts) == 1 and attempts[0].outcome == "disk_problem"
        chat.advance(minutes=settings.alert_repeat_minutes)
        await chat.tick()
        await chat.idle()
        assert len([c for c in chat.services.copylog.latest(10) if c.trigger == "auto"]) == 2


async def test_housekeeping_forgets_old_marks_and_delivered_messages_once_a_day(
    chat: Chat,
) -> None:
    svc = chat.services
    long_ago = chat.clock.now() - timedelta(days=120)
    for key in ("summary:2026-07-01", "alert:missing_dump:2026-07-01", "reminder:7"):
        svc.state.set(key, long_ago.isoformat(), long_ago)
    svc.state.set("breach:disk-1", long_ago.isoformat(), long_ago)  # never forgotten
    svc.state.set("summary:2026-11-24", chat.clock.now().isoformat(), chat.clock.now())
    old_sent = svc.outbox.add(chat_id=KABID, text="lama", reply_markup="", ref="", at=long_ago)
    svc.outbox.mark(old_sent, status="sent", at=long_ago, message_id=1)
    chat.server.down = 502  # a message still waiting for Telegram is never dropped
    waiting = svc.outbox.add(chat_id=KABID, text="tertunda", reply_markup="", ref="", at=long_ago)
    sent_before = svc.outbox.counts().get("sent", 0)

    await chat.tick()

    assert svc.state.get("summary:2026-07-01") is None
    assert svc.state.get("alert:missing_dump:2026-07-01") is None
    assert svc.state.get("reminder:7") is None
    assert svc.state.get("breach:disk-1") is not None
    assert svc.state.get("summary:2026-11-24") is not None
    assert waiting in [item.id for item in svc.outbox.pending(limit=100)]
    assert svc.outbox.counts().get("sent", 0) == sent_before - 1  # only the old delivered one
    svc.state.set("summary:2026-07-02", long_ago.isoformat(), long_ago)
    await chat.tick()  # once a day: the next tick leaves it
    assert svc.state.get("summary:2026-07-02") is not None
    chat.server.down = None
