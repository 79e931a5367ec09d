"""The whole SOP chain through the chat: Kabid → ADB → Kabid → Kasi → Kabid, then /status.

Step 11 is evidence: only a verified copy on a registered external disk completes it."""

from __future__ import annotations

from datetime import datetime

from conftest import ADB, GROUP, KABID, KASI, WITA, Chat, until
from conftest import with_external_disk as settings_overrides  # noqa: F401

from core.sop import Role
from texts.menu import MENU


async def test_full_sop_day_is_recorded_and_status_shows_it_complete(chat: Chat) -> None:
    confirm = await chat.ask(KABID, "/instruksi adb Mohon back up harian")
    order = await chat.receive(ADB)
    assert "Instruksi #1" in order.text
    assert "Mohon back up harian" in order.text
    assert "14 menit" in order.text  # steps 2-9 add up to 14 minutes
    assert order.buttons == [("✅ Selesai", "selesai:1")]
    assert "Instruksi #1" in (await chat.receive(GROUP)).text
    assert "Instruksi #1 untuk ADB tercatat" in confirm.text
    assert "Terkirim kepada: ADB Made" in confirm.text

    await chat.send(ADB, "/backup")  # step 8: the dump the ADB's report rests on
    await until(chat, KABID, "Laporan back up database")
    await chat.idle()
    chat.drain(ADB)
    chat.advance(minutes=12)
    await chat.press(ADB, order, "Selesai")
    thanks = await until(chat, ADB, "ditutup")
    assert "Instruksi #1 ditutup" in thanks.text
    assert "12 menit (standar 14 menit): tepat waktu" in thanks.text
    report = await until(chat, KABID, "Laporan ADB")
    assert "langkah 9" in report.text
    assert "Made" in report.text
    assert report.buttons == [("📋 Tugaskan Kasi (langkah 10)", "instruksi:kasi")]
    await until(chat, GROUP, "Laporan ADB")
    # The delivered instruction loses its button and says who closed it.
    assert order.buttons == []
    assert "Selesai oleh ADB Made" in order.text

    chat.advance(minutes=4)
    await chat.press(KABID, report, "Kasi")
    kasi_order = await chat.receive(KASI)
    assert "Instruksi #2" in kasi_order.text and "hard disk eksternal" in kasi_order.text
    assert "Instruksi #2 untuk Kasi tercatat" in (await chat.receive(KABID)).text

    chat.advance(minutes=2)
    refused = await chat.ask(KASI, "/selesai 2 sudah disalin ke HDD")  # a claim, no copy yet
    assert "Instruksi #2 belum ditutup" in refused.text
    assert "belum ada salinan terverifikasi" in refused.text
    assert refused.buttons == [("💾 Salin sekarang", "salin:2")]
    chat.advance(minutes=5)
    await chat.press(KASI, refused, "Salin sekarang")
    await until(chat, KASI, "ditutup otomatis")
    kasi_report = await until(chat, KABID, "Laporan Kasi")
    assert "7 menit (standar 5 menit): terlambat 2 menit" in kasi_report.text
    assert "Bukti: SIAK_20261125_0800.dmp di hard disk HDD-PIAK-1" in kasi_report.text
    assert kasi_report.buttons == []
    assert kasi_order.buttons == []  # the delivered instruction says it was closed

    status = await chat.ask(KABID, "/status")
    assert "Lengkap" in status.text
    assert "✅ 1." in status.text and "✅ 10." in status.text and "✅ 11." in status.text
    assert "4 menit (standar 5 menit): tepat waktu" in status.text  # step 10 after the report

    day = chat.services.soplog.day_status(chat.services.today())
    assert day.complete
    steps = {e.step_number: e for e in day.events}
    assert steps[1].actor_id == KABID and steps[9].actor_id == ADB and steps[11].actor_id == KASI
    assert steps[8].outcome == "done" and steps[8].actor_id == ADB  # the dump job
    assert all(i.status == "done" for i in day.instructions)
    assert not chat.services.soplog.open_instructions(Role)


async def test_status_before_anything_shows_every_step_pending(chat: Chat) -> None:
    status = await chat.ask(ADB, "/status")
    assert "0 dari 5 langkah wajib selesai" in status.text
    assert "⏳ 1." in status.text and "⏳ 11." in status.text
    assert "⚙️ 2–7." in status.text


async def test_open_instruction_past_its_standard_shows_as_late_in_status(chat: Chat) -> None:
    await chat.ask(KABID, "/instruksi kasi")  # no dump yet: nothing to copy, stays open
    chat.advance(minutes=9)
    status = await chat.ask(KABID, "/status")
    assert "Instruksi #1 untuk Kasi masih terbuka (terlambat 4 menit, standar 5 menit)" in (
        status.text
    )


async def test_selesai_without_number_asks_which_when_several_are_open(chat: Chat) -> None:
    await chat.ask(KABID, "/instruksi adb pertama")
    await chat.ask(KABID, "/instruksi adb kedua")
    assert len(chat.drain(ADB)) == 2
    choice = await chat.ask(ADB, "/selesai")
    assert "beberapa instruksi terbuka" in choice.text
    assert [d for _, d in choice.buttons] == ["selesai:1", "selesai:2"]
    await chat.press(ADB, choice, "#2")
    while "ditutup" not in (reply := await chat.receive(ADB)).text:
        pass
    assert "Instruksi #2 ditutup" in reply.text
    assert [i.id for i in chat.services.soplog.open_instructions([Role.ADB])] == [1]


async def test_selesai_with_nothing_open_says_so(chat: Chat) -> None:
    reply = await chat.ask(KASI, "/selesai")
    assert "Tidak ada instruksi terbuka" in reply.text


async def test_an_instruction_is_closed_once_even_if_pressed_twice(chat: Chat) -> None:
    await chat.ask(KABID, "/instruksi adb")
    order = await chat.receive(ADB)
    assert "ditutup" in (await chat.ask(ADB, "/selesai 1")).text
    again = await chat.ask(ADB, "/selesai 1")
    assert "sudah ditutup oleh ADB Made" in again.text
    day = chat.services.soplog.day_status(chat.services.today())
    assert len(day.events_for(9)) == 1
    await chat.server.wait_until(lambda: order.buttons == [])


async def test_the_kasi_cannot_close_step_11_without_a_verified_copy(chat: Chat) -> None:
    await chat.ask(KABID, "/instruksi kasi")
    chat.drain(KASI)
    chat.drain(KABID)
    reply = await chat.ask(KASI, "/selesai 1 sudah")
    assert "belum ditutup" in reply.text and "belum ada back up database" in reply.text
    assert [i.id for i in chat.services.soplog.open_instructions([Role.KASI])] == [1]
    status = await chat.ask(KABID, "/status")  # the Kabid was told nothing before this
    assert "⏳ 11." in status.text and "Instruksi #1 untuk Kasi masih terbuka" in status.text


async def test_a_copy_made_by_other_means_is_recorded_unverified_and_never_compliant(
    chat: Chat,
) -> None:
    await chat.ask(KABID, "/instruksi kasi")
    chat.drain(KASI)
    chat.drain(KABID)
    reply = await chat.ask(KASI, "/selesai 1 manual disalin lewat Explorer ke HDD-2")
    assert "Instruksi #1 ditutup" in reply.text
    report = await until(chat, KABID, "Laporan Kasi")
    assert "tidak terverifikasi" in report.text and "HDD-2" in report.text
    status = await chat.ask(KABID, "/status")
    assert "⚠️ 11." in status.text and "tidak terverifikasi" in status.text
    assert "Lengkap" not in status.text
    day = chat.services.soplog.day_status(chat.services.today())
    assert [e.outcome for e in day.events_for(11)] == ["unverified"]
    assert not day.is_done(11)
    usage = await chat.ask(KASI, "/selesai 1 manual")
    assert "keterangan" in usage.text


async def test_adb_cannot_close_the_kasi_instruction(chat: Chat) -> None:
    await chat.ask(KABID, "/instruksi kasi")
    assert not chat.drain(ADB)
    reply = await chat.ask(ADB, "/selesai 1")
    assert "ditujukan kepada Kasi" in reply.text
    assert chat.services.soplog.open_instructions([Role.KASI])


async def test_unknown_instruction_number_is_reported(chat: Chat) -> None:
    reply = await chat.ask(ADB, "/selesai 42")
    assert "Instruksi #42 tidak ditemukan" in reply.text


async def test_notes_are_escaped_not_interpreted_as_html(chat: Chat) -> None:
    await chat.ask(KABID, "/instruksi adb <b>segera</b> & <script>")
    order = await chat.receive(ADB)
    # Telegram shows the escaped note literally; unescaped, <script> would be rejected.
    assert "Catatan: <b>segera</b> & <script>" in order.text


async def test_riwayat_lists_one_line_per_day(chat: Chat) -> None:
    await chat.ask(KABID, "/instruksi adb")
    chat.drain(ADB)
    assert "ditutup" in (await chat.ask(ADB, "/selesai")).text
    chat.drain(KABID)
    assert "Laporan ADB" in (await chat.receive(KABID)).text
    reply = await chat.ask(KABID, "/riwayat 3")
    lines = reply.text.splitlines()
    assert lines[0].startswith("🗓️ Riwayat SOP-PIAK-02 (3 hari terakhir)")
    assert len(lines) == 4
    assert "Rab 25/11: 3/5 langkah" in lines[1]
    assert "Sel 24/11: tidak ada kegiatan" in lines[2]


async def test_bot_publishes_its_command_menu_on_start(chat: Chat) -> None:
    names = [c["command"] for c in chat.server.commands]
    assert names == [
        "start", "bantuan", "instruksi", "selesai", "status", "riwayat", "backup", "salin",
        "daftar", "verifikasi", "ujipulih", "hilang", "ketemu", "anggota", "tambah", "hapus",
        "laporan",
        "cek", "jadwal", "kantor",
    ]  # fmt: skip
    # Each with its menu text from the text package, and no menu text left without a command.
    assert {c["command"]: c["description"] for c in chat.server.commands} == MENU


async def test_the_night_never_makes_a_person_late(chat: Chat) -> None:
    chat.clock.set(datetime(2026, 11, 25, 1, 0, tzinfo=WITA))
    await chat.send(ADB, "/backup")  # the night's dump, at 01:00
    await until(chat, KABID, "Laporan back up database")
    await chat.idle()
    chat.clock.set(datetime(2026, 11, 25, 7, 33, tzinfo=WITA))  # the office opens at 07:30
    await chat.ask(KABID, "/instruksi adb")
    chat.drain(KABID)
    await chat.send(KABID, "/status")
    status = await until(chat, KABID, "Status SOP")
    line = next(x for x in status.text.splitlines() if x.startswith("✅ 1."))
    assert "3 menit (standar 5 menit): tepat waktu" in line, line


async def test_pressing_tugaskan_kasi_twice_gives_one_instruction(chat: Chat) -> None:
    await chat.ask(KABID, "/instruksi adb")
    order = await chat.receive(ADB)
    await chat.press(ADB, order, "Selesai")
    report = await until(chat, KABID, "Laporan ADB")
    await chat.press(KABID, report, "Kasi")
    await until(chat, KABID, "Instruksi #2 untuk Kasi tercatat")
    await chat.press(KABID, report, "Kasi")
    assert "sudah diberikan hari ini" in (await until(chat, KABID, "Instruksi #2")).text
    day = chat.services.soplog.day_status(chat.services.today())
    assert len(day.events_for(10)) == 1


async def test_status_fits_a_phone_and_bantuan_has_the_sops_own_words(chat: Chat) -> None:
    await chat.send(ADB, "/backup")
    await until(chat, KABID, "Laporan back up database")
    await chat.idle()
    status = await chat.ask(KASI, "/status")
    assert "8. Back up database — ADB Made" in status.text
    assert max(len(line) for line in status.text.splitlines()) <= 100
    help_text = await chat.ask(KASI, "/bantuan")
    assert "8. Start program back up data (1 menit)" in help_text.text
    assert "11. Back up data kependudukan ke dalam hard disk eksternal (5 menit)" in help_text.text
