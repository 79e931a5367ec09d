"""The dump through the chat: /backup, progress, the report to the Kabid, failures, /jadwal."""

from __future__ import annotations

import hashlib
import sqlite3
from contextlib import closing
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from conftest import ADB, GROUP, KABID, KASI, WITA, Chat

from jobs.dump.result import BackendResult
from jobs.job import Outcome


async def wait_for_report(chat: Chat, chat_id: int, contains: str) -> Any:
    while True:
        message = await chat.receive(chat_id)
        if contains in message.text:
            return message


async def test_backup_from_chat_dumps_reports_and_records_step_8(chat: Chat) -> None:
    await chat.send(ADB, "/backup")
    started = await chat.receive(ADB)
    assert "Back up database dimulai" in started.text and "oleh ADB Made" in started.text
    assert "SIAK_20261125_0800.dmp" in started.text
    assert "Back up database dimulai" in (await chat.receive(GROUP)).text

    report = await wait_for_report(chat, KABID, "Laporan back up database")
    assert "berhasil" in report.text
    dump = chat.services.settings.dumps / "SIAK_20261125_0800.dmp"
    digest = hashlib.sha256(dump.read_bytes()).hexdigest()
    assert f"SHA-256: {digest[:16]}…" in report.text and digest not in report.text  # short
    assert chat.services.dumplog.last_good().sha256 == digest  # type: ignore[union-attr]
    assert "Baris diekspor: " in report.text and "MAIN.BIODATA_WNI: 300" in report.text
    assert report.buttons == [("📋 Tugaskan Kasi (langkah 10)", "instruksi:kasi")]
    with closing(sqlite3.connect(dump)) as copy:  # the dump is a consistent, usable database
        assert copy.execute("SELECT COUNT(*) FROM BIODATA_WNI").fetchone()[0] == 300
    # The start message became the final report, in place.
    await chat.server.wait_until(lambda: "Laporan back up" in started.text)

    day = chat.services.soplog.day_status(chat.services.today())
    step8 = day.events_for(8)[0]
    assert step8.outcome == "done" and step8.actor_id == ADB
    record = chat.services.dumplog.latest(1)[0]
    assert record.outcome == "success" and record.total_rows is not None

    status = await chat.ask(KABID, "/status")
    assert "✅ 8." in status.text


async def test_a_second_backup_while_one_runs_is_told_so(chat: Chat) -> None:
    service = chat.services.dump
    release = __import__("asyncio").Event()
    original = service.backend.run

    async def slow(request: Any, report: Any, stop: Any) -> Any:
        await release.wait()
        return await original(request, report, stop)

    service.backend.run = slow  # type: ignore[method-assign]
    await chat.send(ADB, "/backup")
    assert "dimulai" in (await chat.receive(ADB)).text
    busy = await chat.ask(ADB, "/backup")
    assert "sedang berjalan" in busy.text
    release.set()
    await wait_for_report(chat, KABID, "Laporan back up database")
    assert len(chat.services.dumplog.latest(5)) == 1


@pytest.mark.parametrize("settings_overrides", [{"sqlite_source_path": Path("/nonexistent.db")}])
async def test_failed_dump_alerts_every_role_with_the_sop_warning(chat: Chat) -> None:
    await chat.send(ADB, "/backup")
    for person in (KABID, ADB, KASI, GROUP):
        alert = await wait_for_report(chat, person, "BACK UP DATABASE GAGAL")
        assert "tidak ada data pengganti" in alert.text
        assert "database sumber tidak ditemukan: /nonexistent.db" in alert.text
    day = chat.services.soplog.day_status(chat.services.today())
    assert day.events_for(8)[0].outcome == "failed"
    assert not day.is_done(8)


async def test_dump_much_smaller_than_the_last_good_one_is_a_warning(
    chat: Chat, tmp_path: Path
) -> None:
    await chat.send(ADB, "/backup")
    await wait_for_report(chat, KABID, "Laporan back up database")
    await chat.idle()  # the report goes out before the job has ended
    with closing(sqlite3.connect(tmp_path / "siak.db")) as source:
        source.execute("DELETE FROM BIODATA_WNI WHERE rowid % 2 = 0")
        source.commit()
    chat.advance(minutes=1)
    await chat.send(ADB, "/backup")
    report = await wait_for_report(chat, KABID, "Laporan back up database")
    assert "selesai dengan peringatan" in report.text
    latest, previous = chat.services.dumplog.latest(2)
    assert latest.outcome == Outcome.WARNING.value
    assert (
        f"baris diekspor {latest.total_rows}, jauh lebih sedikit dari back up terakhir "
        f"({previous.total_rows})" in report.text
    )


async def test_scheduled_run_fires_and_reports(chat: Chat) -> None:
    scheduler = chat.services.scheduler
    chat.clock.set(datetime(2026, 11, 26, 1, 0, tzinfo=WITA))
    scheduler.fire_now()
    started = await chat.receive(ADB)
    assert "terjadwal" in started.text and "Terlambat" not in started.text
    report = await wait_for_report(chat, KABID, "Laporan back up database")
    assert "SIAK_20261126_0100.dmp" in report.text


async def test_jadwal_shows_and_changes_the_schedule_and_logs_who(chat: Chat) -> None:
    view = await chat.ask(KASI, "/jadwal")
    assert "setiap hari pukul 01:00" in view.text and "SIAK_%Y%m%d_%H%M.dmp" in view.text
    assert "Ubah dengan" not in view.text
    refused = await chat.ask(KASI, "/jadwal 02:00")
    assert "Hanya ADB atau Kabid" in refused.text
    bad = await chat.ask(ADB, "/jadwal 25:00")
    assert "Cara pakai" in bad.text
    await chat.send(ADB, "/jadwal 02:30")
    changed = await chat.receive(ADB)
    assert "diubah dari 01:00 menjadi 02:30 oleh ADB Made" in changed.text
    assert "02:30" in (await chat.receive(KABID)).text
    assert chat.services.scheduler.backup_time.strftime("%H:%M") == "02:30"
    next_run = chat.services.scheduler.next_run()
    assert next_run is not None and next_run.astimezone(WITA).strftime("%H:%M") == "02:30"
    assert chat.services.audit.trail()[0] == (ADB, "schedule_changed", "01:00 -> 02:30")


async def test_progress_edits_the_start_message_without_repeating_itself(chat: Chat) -> None:
    import asyncio

    from jobs.job import Progress, Unit

    service = chat.services.dump
    steps = [
        Progress(10.0, 10, 100, Unit.PAGES),
        Progress(10.0, 10, 100, Unit.PAGES),
        Progress(55.0, 55, 100, Unit.PAGES),
    ]

    async def reporting(request: Any, report: Any, stop: Any) -> Any:
        for step in steps:
            report(step)
            await asyncio.sleep(0.2)  # several progress intervals (0.05 s in tests)
        request.dump_path.write_bytes(b"dump")
        return BackendResult(Outcome.SUCCESS)

    service.backend.run = reporting  # type: ignore[method-assign]
    await chat.send(ADB, "/backup")
    started = await chat.receive(ADB)
    await chat.server.wait_until(lambda: "55%" in started.text)
    assert "[█████░░░░░] 55%" in started.text and "55/100 halaman" in started.text
    await wait_for_report(chat, KABID, "Laporan back up database")
    await chat.server.wait_until(lambda: "Laporan back up" in started.text)
    # 10% once, 55% once, the final report once: unchanged progress is not sent again.
    assert started.edits == 3
