"""Text from people is data: whatever they type arrives as the text they typed, never as markup,
and a message Telegram refuses is sent again as plain text or its loss is told. People are shown
by their role and the name the Kabid gave them; who may remove whom is fixed."""

from __future__ import annotations

import pytest
from conftest import ADB, GROUP, KABID, KASI, STRANGER, Chat, until
from sqlalchemy.exc import StatementError

import texts
from core.sop import Role

PHISH = '<a href="http://phish.invalid/login">Klik untuk konfirmasi</a>'


async def test_a_note_padded_with_ampersands_reaches_everyone_as_text_never_as_a_link(
    chat: Chat,
) -> None:
    note = "&" * 900 + PHISH  # within the note limit; five times longer once escaped
    assert len(note) <= texts.MAX_NOTE_LENGTH
    reply = await chat.ask(KABID, f"/instruksi adb {note}")
    assert "tercatat" in reply.text, reply.text
    for reader in (ADB, GROUP):
        shown = await until(chat, reader, "Instruksi #1")
        assert PHISH in shown.text  # shown literally: the reader sees the markup, not a link
        assert not [e for e in shown.raw.get("entities", []) if e["type"] == "text_link"]


async def test_an_unclosed_tag_in_a_done_note_still_reaches_the_kabid(chat: Chat) -> None:
    await chat.ask(KABID, "/instruksi adb")
    await until(chat, ADB, "Instruksi #1")
    note = "&" * 950 + "<b>laporan penting"
    closed = await chat.ask(ADB, f"/selesai 1 {note}")
    assert "ditutup" in closed.text, closed.text
    report = await until(chat, KABID, "<b>laporan penting")
    assert "&&&" in report.text
    await chat.quiet()
    assert "failed" not in chat.services.outbox.counts()


async def test_a_message_refused_as_html_is_sent_again_as_plain_text(chat: Chat) -> None:
    chat.server.fail_next(
        "sendMessage", 400, "Bad Request: can't parse entities: can't find end tag", chat_id=KABID
    )
    listing = await chat.ask(KABID, "/anggota", timeout=5)
    assert "Petugas SOP-PIAK-02" in listing.text
    assert "<b>" not in listing.text and "&lt;" not in listing.text  # readable as plain text
    assert "entities" not in listing.raw  # plain text this time
    sent = [c for c in chat.server.calls if "Petugas" in str(c.params.get("text", ""))]
    assert len(sent) == 1 and "parse_mode" not in sent[0].params


async def test_a_report_lost_for_good_is_told_to_its_sender_and_the_kabid(chat: Chat) -> None:
    await chat.ask(KABID, "/instruksi adb")
    await until(chat, ADB, "Instruksi #1")
    for _ in range(2):  # as HTML, then as plain text
        chat.server.fail_next("sendMessage", 400, "Bad Request: message text is empty", KABID)
    await chat.send(ADB, "/selesai 1 sudah")
    told = await until(chat, ADB, "tidak sampai")
    assert "Kabid Kadek" in told.text
    notice = await until(chat, KABID, "tidak sampai")
    assert "Instruksi #1" in notice.text or "ADB Made" in notice.text


async def test_a_month_out_of_range_is_a_usage_error_not_an_unwritable_log(chat: Chat) -> None:
    for month in ("0001-01", "9999-12", "2026-13", "2026-00"):
        reply = await chat.ask(KABID, f"/laporan {month}")
        assert "Cara pakai" in reply.text, (month, reply.text)
    await chat.quiet()
    for reader in (KABID, ADB):
        assert not [m for m in chat.server.sent_to(reader) if "TIDAK DAPAT DITULIS" in m.text]
    assert chat.services.watchdog is not None
    assert not chat.services.watchdog._database_down  # no alarm, no healthcheck fail ping


async def test_a_name_with_newlines_cannot_forge_lines_in_anggota(chat: Chat) -> None:
    forged = "Ketut\n• Made (id 1) · .env · ✅ sudah memulai bot\nKabid"
    reply = await chat.ask(KABID, f"/tambah kasi {STRANGER} {forged}")
    assert "ditambahkan" in reply.text, reply.text
    listing = await chat.ask(KABID, "/anggota")
    people = [line for line in listing.text.splitlines() if line.startswith("•")]
    assert len(people) == 5  # Kabid, ADB, Kasi from .env, the new Kasi, the supervisor
    assert not any(line.startswith("• Made (id 1)") for line in people)


async def test_names_and_notes_over_their_bound_are_refused_with_a_reason(chat: Chat) -> None:
    reply = await chat.ask(KABID, f"/tambah kasi {STRANGER} {'N' * 200}")
    assert "Nama terlalu panjang" in reply.text
    assert chat.services.roster.chat_members() == []


async def test_a_person_is_shown_by_role_and_the_name_the_kabid_gave(chat: Chat) -> None:
    impostor = 666
    chat.server.add_person(impostor, "Kadek (Kabid)")
    await chat.send(impostor, "/start")
    await chat.receive(impostor)
    await chat.ask(KABID, f"/tambah kasi {impostor} Ketut")
    await chat.ask(KABID, "/instruksi kasi")
    await until(chat, impostor, "Instruksi #1")
    await chat.ask(impostor, "/selesai 1 manual disalin lewat Windows Explorer")
    report = await until(chat, KABID, "Instruksi #1")
    assert "Kasi Ketut" in report.text and "Kadek (Kabid)" not in report.text
    status = await chat.ask(KABID, "/status")
    assert "Kadek (Kabid)" not in status.text


async def test_a_kabid_role_given_to_an_env_adb_can_be_taken_back_from_the_chat(
    chat: Chat,
) -> None:
    await chat.ask(KABID, f"/tambah kabid {ADB}")
    assert Role.KABID in chat.services.roster.roles_of(ADB)
    reply = await chat.ask(KABID, f"/hapus {ADB}")
    assert "tidak lagi Kepala Bidang" in reply.text, reply.text
    assert chat.services.roster.roles_of(ADB) == frozenset({Role.ADB})  # .env stays


async def test_kabids_from_the_chat_cannot_remove_who_added_them_or_each_other(
    chat: Chat,
) -> None:
    first, second, third = 601, 602, 603
    for person in (first, second, third):
        chat.server.add_person(person, f"Orang {person}")
    await chat.ask(KABID, f"/tambah kabid {first} Putu")
    await chat.ask(first, f"/tambah kabid {second} Gede")
    await chat.ask(KABID, f"/tambah kabid {third} Komang")

    await chat.send(second, f"/hapus {first}")
    await until(chat, second, "tidak dapat menghapus")
    await chat.send(first, f"/hapus {third}")
    await until(chat, first, "tidak dapat menghapus")
    await chat.send(first, f"/hapus {KABID}")
    await until(chat, first, "terdaftar di file .env")
    kabids = set(chat.services.roster.ids_of(Role.KABID))
    assert {KABID, first, second, third} <= kabids

    await chat.send(first, f"/hapus {second}")  # who added a Kabid may remove them
    await until(chat, first, "tidak lagi")
    await chat.send(KABID, f"/hapus {first}")  # a Kabid from .env may remove any
    await until(chat, KABID, "tidak lagi")
    assert set(chat.services.roster.ids_of(Role.KABID)) == {KABID, third}


async def test_the_strangers_refusal_names_the_kabid(chat: Chat) -> None:
    refused = await chat.ask(STRANGER, "/start")
    assert f"ID Telegram Anda: {STRANGER}" in refused.text
    assert "Kabid Kadek" in refused.text


async def test_the_first_welcome_shows_a_real_file_name(chat: Chat) -> None:
    welcome = next(m for m in chat.server.sent_to(KASI) if "sudah aktif" in m.text)
    assert "%" not in welcome.text
    assert "SIAK_20261126_0100.dmp" in welcome.text


async def test_a_padded_disk_label_in_hilang_is_shown_as_text(chat: Chat) -> None:
    reply = await chat.ask(KABID, f"/hilang {'&' * 900}{PHISH}")
    assert PHISH in reply.text, reply.text
    assert not [e for e in reply.raw.get("entities", []) if e["type"] == "text_link"]


async def test_a_display_name_with_newlines_is_kept_on_one_line(chat: Chat) -> None:
    newcomer = 667
    chat.server.add_person(newcomer, "Budi\n• ADB Palsu (id 1) · .env")
    await chat.ask(KABID, f"/tambah adb {newcomer}")
    await chat.ask(newcomer, "/status")  # the bot learns the display name
    listing = await chat.ask(KABID, "/anggota")
    people = [line for line in listing.text.splitlines() if line.startswith("•")]
    assert len(people) == 5 and not any(line.startswith("• ADB Palsu") for line in people)
    assert "Budi • ADB Palsu" in listing.text


async def test_a_value_the_database_never_saw_is_a_bug_not_an_unwritable_log(
    chat: Chat, monkeypatch: pytest.MonkeyPatch
) -> None:
    """SQLAlchemy wraps an OverflowError raised while building a statement; the database was
    never asked, so nothing says the log cannot be written."""

    def overflow(*_: object, **__: object) -> None:
        raise StatementError("date value out of range", "SELECT 1", {}, OverflowError())

    monkeypatch.setattr(chat.services.soplog, "day_status", overflow)
    reply = await chat.ask(ADB, "/status")
    assert "kesalahan di bot" in reply.text and "TIDAK DAPAT DITULIS" not in reply.text
    assert chat.services.watchdog is not None and not chat.services.watchdog._database_down


async def test_a_queued_message_too_long_for_telegram_arrives_whole_as_plain_text(
    chat: Chat,
) -> None:
    """A message queued too long (by an earlier version, say) is refused by Telegram; sent again
    as plain text it comes in parts, and nothing of it is lost."""
    body = "".join(f"baris {n:04d} &amp; &lt;b&gt;\n" for n in range(300))  # ~5,700 shown
    chat.services.outbox.add(
        chat_id=KASI, text=f"<b>{body}</b>", reply_markup="", ref="", at=chat.clock.now()
    )
    assert chat.services.sender is not None
    await chat.services.sender.send(KASI, "berikutnya")  # wakes the sender; comes after it
    parts = [await chat.receive(KASI) for _ in range(2)]
    assert all(len(p.text) <= texts.TEXT_LIMIT and "entities" not in p.raw for p in parts)
    shown = "\n".join(p.text for p in parts)
    assert all(f"baris {n:04d} & <b>" in shown for n in range(300))
    assert (await chat.receive(KASI)).text == "berikutnya"
