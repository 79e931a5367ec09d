"""The restore drill through the chat: asked for, scheduled, overdue, and what it says."""

from __future__ import annotations

import csv
import io
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from conftest import ADB, GROUP, KABID, KASI, WITA, Chat, until
from corruption import corrupt_silently

from jobs.schedule import DRILL_JOB_ID


@pytest.fixture
def settings_overrides(disk_path: Path) -> dict[str, Any]:
    # Drills here are asked for or scheduled (a disk that stays attached); the drill after a
    # copy is tested in test_drill_after_copy.py.
    return {
        "external_disk_path": disk_path,
        "external_auto_copy": False,
        "drill_every_days": 0,
        "drill_schedule": "0 2 * * sun",
    }


async def backed_up_and_copied(chat: Chat) -> None:
    await chat.send(ADB, "/backup")
    await until(chat, KABID, "Laporan back up database")
    await chat.send(KASI, "/salin")
    await until(chat, KABID, "terverifikasi")
    await chat.idle()


async def test_a_passed_drill_is_reported_with_what_it_proved_and_shown_in_status(
    chat: Chat,
) -> None:
    await backed_up_and_copied(chat)

    await chat.send(KABID, "/ujipulih")
    asked = await until(chat, KABID, "Uji pulih dimulai")
    assert "Uji pulih dimulai" in asked.text
    started = await until(chat, ADB, "Uji pulih back up dimulai")
    assert "atas permintaan oleh Kabid Kadek" in started.text
    report = await until(chat, KABID, "Uji pulih LULUS")
    for proved in (
        "SHA-256 cocok",
        "sama persis dengan dump asli",
        "lulus pemeriksaan integritas",
        "semua 3 tabel terbaca",
        "jumlah baris 3 tabel sama dengan saat dump",
        "Waktu pemulihan",
    ):
        assert proved in report.text, proved
    await chat.server.wait_until(lambda: "LULUS" in started.text)  # the ADB's message, edited
    await chat.idle()

    await chat.send(KASI, "/status")
    status = await until(chat, KASI, "Status SOP")
    assert "Uji pulih terakhir ✅ lulus" in status.text


async def test_a_drill_of_a_silently_corrupt_backup_alerts_the_adb_and_the_kabid(
    chat: Chat,
) -> None:
    source = chat.services.settings.sqlite_source_path
    assert source is not None
    corrupt_silently(source, f"99{77:014d}")
    await backed_up_and_copied(chat)  # the dump and the copy are ✅: only the drill can tell

    await chat.send(ADB, "/ujipulih")
    for person in (ADB, KABID):
        alert = await until(chat, person, "Uji pulih GAGAL")
        assert "TIDAK terbukti dapat dipulihkan" in alert.text
        assert "pemeriksaan integritas database hasil pemulihan gagal" in alert.text
    await chat.idle()
    await chat.send(KABID, "/status")
    status = await until(chat, KABID, "Status SOP")
    assert "Uji pulih terakhir ❌ GAGAL" in status.text
    assert "✅ lulus" not in status.text


async def test_the_scheduled_drill_runs_and_reports(chat: Chat) -> None:
    await backed_up_and_copied(chat)
    scheduler = chat.services.scheduler
    assert scheduler.next_drill() is not None  # DRILL_SCHEDULE: Sunday 02:00
    scheduler.scheduler.modify_job(DRILL_JOB_ID, next_run_time=datetime.now(WITA))
    scheduler.scheduler.wakeup()

    started = await until(chat, ADB, "Uji pulih back up dimulai")
    assert "terjadwal" in started.text
    await until(chat, KABID, "Uji pulih LULUS")


async def test_no_passed_drill_for_too_long_warns_everyone_once_a_day(chat: Chat) -> None:
    await backed_up_and_copied(chat)
    await chat.tick()  # the watch starts counting from here
    chat.advance(days=14, minutes=1)
    await chat.tick()
    for person in (KABID, ADB, KASI, GROUP):
        warning = await until(chat, person, "Uji pulih terlambat")
        assert "belum pernah ada yang lulus" in warning.text
    chat.advance(minutes=30)
    await chat.tick()
    await chat.idle()
    assert not [m for m in chat.drain(KABID) if "Uji pulih terlambat" in m.text]

    await chat.send(ADB, "/ujipulih")
    await until(chat, KABID, "Uji pulih LULUS")
    await chat.idle()
    chat.advance(days=1)
    await chat.tick()
    await chat.idle()
    assert not [m for m in chat.drain(KABID) if "Uji pulih terlambat" in m.text]


async def test_ujipulih_without_an_external_disk_says_so(chat: Chat) -> None:
    chat.services.settings.external_disk_path = None
    await chat.send(ADB, "/ujipulih")
    reply = await until(chat, ADB, "belum diatur")
    assert "Hard disk eksternal" in reply.text
    assert chat.services.drilllog.latest() == []


async def test_the_morning_summary_shows_the_last_drill(chat: Chat) -> None:
    await backed_up_and_copied(chat)
    await chat.send(ADB, "/ujipulih")
    await until(chat, KABID, "Uji pulih LULUS")
    await chat.idle()
    summary_at = chat.services.settings.report_time
    now = chat.clock.now().astimezone(WITA)
    chat.clock.set(
        datetime.combine(now.date() + timedelta(days=1), summary_at, tzinfo=WITA)
        + timedelta(minutes=1)
    )
    await chat.tick()
    summary = await until(chat, KABID, "Ringkasan back up")
    assert "Uji pulih terakhir ✅ lulus" in summary.text


async def test_the_monthly_report_counts_drills_and_their_restore_time(chat: Chat) -> None:
    source = chat.services.settings.sqlite_source_path
    assert source is not None
    await backed_up_and_copied(chat)
    await chat.send(ADB, "/ujipulih")
    await until(chat, KABID, "Uji pulih LULUS")
    await chat.idle()
    chat.advance(days=1)
    corrupt_silently(source, f"99{5:014d}")
    await backed_up_and_copied(chat)
    await chat.send(ADB, "/ujipulih")
    await until(chat, KABID, "Uji pulih GAGAL")
    await chat.idle()
    chat.drain(KABID)

    await chat.send(KABID, "/laporan")
    photo = await chat.receive(KABID)
    assert photo.photo is not None and photo.photo[:4] == b"\x89PNG"
    summary = await until(chat, KABID, "Laporan SOP-PIAK-02")
    assert "Uji pulih: 2 hari diuji, 1 lulus; waktu pemulihan terakhir" in summary.text
    assert "gagal: tanggal 26" in summary.text
    document = await chat.receive(KABID)
    assert document.document is not None
    text = document.document.decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text), delimiter=";"))
    drilled = {row["tanggal"]: row["uji_pulih"] for row in rows if row["uji_pulih"]}
    assert drilled == {"2026-11-25": "lulus", "2026-11-26": "gagal"}
    assert all(row["waktu_pulih_menit"] != "" for row in rows if row["uji_pulih"])


async def test_untestable_drills_are_a_to_do_for_the_adb_and_the_overdue_warning_still_speaks(
    chat: Chat, disk_path: Path
) -> None:
    await backed_up_and_copied(chat)
    await chat.tick()
    chat.services.settings.external_disk_path = disk_path / "stored-away"
    chat.advance(days=7)
    await chat.services.drill.run("schedule")  # a drill at the schedule, the disk stored away
    todo = await until(chat, ADB, "Uji pulih tidak dapat dijalankan")
    assert "❌" not in todo.text and "hard disk eksternal tidak terpasang" in todo.text
    await chat.idle()
    assert not [m for m in chat.drain(KABID) if "Uji pulih" in m.text]  # no alarm for the Kabid

    await chat.send(KABID, "/status")
    status = await until(chat, KABID, "Status SOP")
    assert "Uji pulih: belum pernah teruji" in status.text and "GAGAL" not in status.text

    chat.advance(days=7, minutes=1)
    await chat.tick()
    warning = await until(chat, KABID, "Uji pulih terlambat")
    assert "belum pernah ada yang lulus" in warning.text
