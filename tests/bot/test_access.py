"""Who may do what: strangers, wrong roles, wrong chats, forwarded and edited commands."""

from __future__ import annotations

import asyncio

import pytest
from conftest import ADB, GROUP, KABID, KASI, PUSAT, STRANGER, Chat

from bot.commands import COMMANDS
from core.sop import Role

ROLE_USERS = {Role.KABID: KABID, Role.ADB: ADB, Role.KASI: KASI, Role.PUSAT: PUSAT}
COMMAND_LINES = {
    "start": "/start",
    "bantuan": "/bantuan",
    "instruksi": "/instruksi adb catatan",
    "selesai": "/selesai 1",
    "status": "/status",
    "riwayat": "/riwayat",
    "backup": "/backup",
    "jadwal": "/jadwal",
    "salin": "/salin",
    "daftar": "/daftar",
    "verifikasi": "/verifikasi",
    "laporan": "/laporan",
    "cek": "/cek",
    "hilang": "/hilang HDD-TIDAK-ADA",
    "ketemu": "/ketemu HDD-TIDAK-ADA ditemukan",
    "ujipulih": "/ujipulih",
    "anggota": "/anggota",
    "tambah": "/tambah kasi 999000111 Ketut",
    "hapus": "/hapus 999000111",
    "kantor": "/kantor",
}
WRONG_ROLE_CASES = [
    (command.name, role) for command in COMMANDS for role in Role if role not in command.roles
]


def test_every_command_has_a_test_line() -> None:
    assert set(COMMAND_LINES) == {c.name for c in COMMANDS}


def _nothing_changed(chat: Chat) -> None:
    day = chat.services.soplog.day_status(chat.services.today())
    assert day.events == () and day.instructions == ()


@pytest.mark.parametrize("command", sorted(COMMAND_LINES))
async def test_stranger_is_refused_politely_and_logged(chat: Chat, command: str) -> None:
    reply = await chat.ask(STRANGER, COMMAND_LINES[command])
    assert "belum terdaftar" in reply.text
    assert str(STRANGER) in reply.text  # so they can ask to be registered
    assert chat.services.soplog.denials()[0] == (STRANGER, command, "stranger")
    _nothing_changed(chat)


@pytest.mark.parametrize(("command", "role"), WRONG_ROLE_CASES)
async def test_role_using_another_roles_command_is_refused(
    chat: Chat, command: str, role: Role
) -> None:
    reply = await chat.ask(ROLE_USERS[role], COMMAND_LINES[command])
    assert f"Perintah /{command} hanya untuk" in reply.text
    assert "Tidak ada yang diubah" in reply.text
    assert chat.services.soplog.denials()[0] == (ROLE_USERS[role], command, "wrong_role")
    _nothing_changed(chat)


async def test_crafted_selesai_button_from_the_wrong_role_changes_nothing(chat: Chat) -> None:
    confirmation = await chat.ask(KABID, "/instruksi adb")
    await chat.server.press_button(KABID, confirmation, "selesai:1")
    await chat.settle(KABID)
    assert chat.services.soplog.open_instructions([Role.ADB])
    assert chat.services.soplog.denials()[0] == (KABID, "selesai", "wrong_role")


async def test_kasi_button_for_the_adb_instruction_is_refused(chat: Chat) -> None:
    await chat.ask(KABID, "/instruksi adb")
    own = await chat.ask(KASI, "/bantuan")
    await chat.server.press_button(KASI, own, "selesai:1")
    reply = await chat.receive(KASI)
    assert "ditujukan kepada ADB" in reply.text
    assert chat.services.soplog.open_instructions([Role.ADB])


async def test_stranger_pressing_a_button_changes_nothing(chat: Chat) -> None:
    await chat.ask(KABID, "/instruksi kasi")
    order = await chat.receive(KASI)
    await chat.press(STRANGER, order, "Selesai")
    await chat.settle(KABID)
    assert chat.services.soplog.open_instructions([Role.KASI])
    assert chat.services.soplog.denials()[0] == (STRANGER, "selesai", "stranger")


async def test_unknown_button_data_is_answered_as_expired(chat: Chat) -> None:
    own = await chat.ask(ADB, "/bantuan")
    await chat.server.press_button(ADB, own, "hapus:semua")
    call = await chat.server.wait_for_call(lambda c: c.method == "answerCallbackQuery")
    assert call.params["text"] == "Tombol ini sudah tidak berlaku."


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("/instruksi", "Sebutkan tujuan instruksi"),
        ("/instruksi semua", "Tujuan instruksi harus adb atau kasi"),
        ("/instruksi adb " + "x" * 1001, "Catatan terlalu panjang"),
        ("/riwayat banyak", "Jumlah hari harus berupa angka"),
        ("/riwayat 0", "antara 1 dan 90"),
        ("/riwayat 1000", "antara 1 dan 90"),
    ],
)
async def test_malformed_arguments_get_a_usage_line(chat: Chat, text: str, expected: str) -> None:
    reply = await chat.ask(KABID, text)
    assert expected in reply.text
    assert "Cara pakai:" in reply.text
    _nothing_changed(chat)


async def test_selesai_with_an_absurd_number_gets_a_usage_line(chat: Chat) -> None:
    reply = await chat.ask(ADB, "/selesai 99999999999999999999")
    assert "Nomor instruksi tidak valid" in reply.text


async def test_commands_work_in_the_office_group(chat: Chat) -> None:
    await chat.send(KABID, "/status@sop_piak_bot", chat_id=GROUP)
    reply = await chat.receive(GROUP)
    assert "Status SOP-PIAK-02" in reply.text


async def test_commands_from_another_group_get_no_answer_and_change_nothing(chat: Chat) -> None:
    chat.server.add_group(-777, "Grup lain")
    await chat.send(KABID, "/instruksi adb", chat_id=-777)
    await chat.send(STRANGER, "/status", chat_id=-777)
    await chat.settle(KABID)
    await chat.quiet()  # the group's own updates, handled beside the Kabid's chat
    assert chat.server.sent_to(-777) == []  # the bot says nothing in groups it does not serve
    _nothing_changed(chat)
    assert [d[2] for d in chat.services.soplog.denials()] == ["foreign_group", "foreign_group"]


async def test_a_strangers_flood_gets_one_answer_and_never_delays_the_kabid(chat: Chat) -> None:
    chat.server.add_group(-888, "Grup orang asing")
    for _ in range(45):
        await chat.send(STRANGER, "/status", chat_id=-888)
        await chat.send(STRANGER, "/status")
    reply = await chat.ask(KABID, "/status", timeout=10)
    assert "Status SOP-PIAK-02" in reply.text
    refusals = lambda: [m for m in chat.server.sent_to(STRANGER) if "belum terdaftar" in m.text]  # noqa: E731
    await chat.server.wait_until(lambda: bool(refusals()))
    async with asyncio.timeout(10):  # the flood is handled (the stranger's chat runs alone)
        while chat.server.pending_updates():
            await asyncio.sleep(0.05)
    await asyncio.sleep(0.3)
    assert chat.server.sent_to(-888) == []
    assert len(refusals()) == 1  # one refusal a minute, not 45
    assert len(chat.services.soplog.denials()) <= 2


async def test_forwarded_command_does_nothing(chat: Chat) -> None:
    await chat.send(ADB, "/instruksi adb palsu", forwarded_from=KABID)
    await chat.send(KABID, "/instruksi adb asli", forwarded_from=KABID)
    await chat.settle(KABID)
    _nothing_changed(chat)
    assert not chat.drain(ADB)


async def test_edited_command_does_nothing(chat: Chat) -> None:
    await chat.send(KABID, "/instruksi adb diedit", edited=True)
    await chat.settle(KABID)
    _nothing_changed(chat)


async def test_unknown_command_gets_a_hint(chat: Chat) -> None:
    reply = await chat.ask(KASI, "/hapus_semua")
    assert "Perintah tidak dikenal" in reply.text


async def test_bantuan_lists_only_the_commands_of_the_role(chat: Chat) -> None:
    kasi = await chat.ask(KASI, "/bantuan")
    assert "/selesai" in kasi.text and "/instruksi" not in kasi.text
    kabid = await chat.ask(KABID, "/start")
    assert "/instruksi" in kabid.text and "/selesai" not in kabid.text
    assert "Kepala Bidang PIAK (Kabid)" in kabid.text


@pytest.mark.parametrize("role", [*Role, None], ids=lambda r: r.value if r else "stranger")
async def test_authorization_matrix_in_the_office_group(chat: Chat, role: Role | None) -> None:
    """Every command by every role (and a stranger) in the group: only the documented act."""
    user = ROLE_USERS[role] if role else STRANGER
    for command in COMMANDS:
        if command.name in ("backup", "salin", "verifikasi", "laporan", "cek"):
            line = f"/{command.name}@sop_piak_bot"  # acting ones: only check the refusal
            if role is not None and role in command.roles:
                continue
        else:
            line = COMMAND_LINES[command.name].replace(
                f"/{command.name}", f"/{command.name}@sop_piak_bot", 1
            )
        before = len(chat.server.sent_to(GROUP))
        chat.advance(minutes=2)  # a stranger is answered once a minute at most
        await chat.send(user, line, chat_id=GROUP)
        await chat.settle(KABID, GROUP)  # every reply to the line above has been sent
        replies = [m.text for m in chat.server.sent_to(GROUP)[before:]]
        refused = any("hanya untuk" in t or "belum terdaftar" in t for t in replies)
        allowed = role is not None and role in command.roles
        assert replies and refused is not allowed, (command.name, role, replies)
