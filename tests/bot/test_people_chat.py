"""People from the chat: the Kabid adds and removes them (/tambah, /hapus), everyone sees who is
who (/anggota); .env stays the bootstrap."""

from __future__ import annotations

from conftest import ADB, GROUP, KABID, KASI, STRANGER, Chat, until

from core.sop import Role
from storage.members import MemberLog, Roster


async def test_the_kabid_adds_a_kasi_who_works_at_once_and_removes_them_again(
    chat: Chat,
) -> None:
    refused = await chat.ask(STRANGER, "/start")
    assert f"ID Telegram Anda: {STRANGER}" in refused.text

    await chat.send(KABID, "/tambah kasi " + str(STRANGER) + " Ketut Arsana")
    done = await until(chat, KABID, "ditambahkan")
    assert f"Ketut Arsana (id {STRANGER}) ditambahkan sebagai Kepala Seksi" in done.text
    assert "Ketut Arsana" in (await until(chat, GROUP, "ditambahkan")).text
    welcome = await until(chat, STRANGER, "Anda ditambahkan")
    assert "/salin" in welcome.text and "/backup" not in welcome.text

    status = await chat.ask(STRANGER, "/status")
    assert "Status SOP" in status.text
    await chat.send(KABID, "/instruksi kasi salin ke HDD")
    assert "Instruksi #1" in (await until(chat, STRANGER, "Instruksi #1")).text  # a Kasi now
    assert "Instruksi #1" in (await until(chat, KASI, "Instruksi #1")).text

    await chat.send(ADB, "/anggota")
    listing = await until(chat, ADB, "Petugas SOP-PIAK-02")
    line = next(ln for ln in listing.text.splitlines() if str(STRANGER) in ln)
    assert "Ketut Arsana" in line and "chat" in line and "sudah memulai bot" in line
    assert any(str(KASI) in ln and ".env" in ln for ln in listing.text.splitlines())

    # Effective after a restart too: the roster is read back from the log.
    restarted = Roster(chat.services.settings, MemberLog(chat.services.roster.members.engine))
    assert STRANGER in restarted.ids_of(Role.KASI)

    await chat.send(KABID, f"/hapus {STRANGER}")
    assert "tidak lagi Kepala Seksi" in (await until(chat, KABID, "tidak lagi")).text
    await until(chat, GROUP, "tidak lagi")
    chat.advance(minutes=2)  # a stranger is answered once a minute
    gone = await chat.ask(STRANGER, "/status")
    assert "belum terdaftar" in gone.text
    trail = [action for _, action, _ in chat.services.audit.trail()]
    assert trail[:2] == ["member_removed", "member_added"]


async def test_env_ids_cannot_be_removed_from_the_chat(chat: Chat) -> None:
    reply = await chat.ask(KABID, f"/hapus {KASI}")
    assert "terdaftar di file .env" in reply.text
    assert KASI in chat.services.roster.ids_of(Role.KASI)


async def test_malformed_people_commands_get_their_usage_and_change_nothing(chat: Chat) -> None:
    for line, why in (
        ("/tambah", "Sebutkan peran"),
        ("/tambah bos 123456", "Peran harus adb, kasi atau kabid"),
        ("/tambah kasi 12ab", "ID Telegram harus angka"),
        ("/tambah kasi -5", "ID Telegram harus angka"),
        ("/hapus", "Sebutkan ID Telegram"),
        ("/hapus 777", "tidak terdaftar dari chat"),
    ):
        reply = await chat.ask(KABID, line)
        assert why in reply.text, line
    again = await chat.ask(KABID, f"/tambah kasi {KASI}")
    assert "sudah terdaftar" in again.text
    assert chat.services.roster.chat_members() == []
