"""Every chat command, declared once: name, who may use it, usage line, menu text and handler.

The application registers them in a loop behind the one access guard; /bantuan and Telegram's
command menu (setMyCommands) read the same table. A new command is one line here and its
handler.
"""

from __future__ import annotations

from bot import backup, central, checklist_chat, drill, external, handlers, lost, people, reports
from bot.command_types import ALL_ROLES, EVERY_ROLE, Button, Command
from core.sop import Role
from texts.menu import MENU

COMMANDS: tuple[Command, ...] = (
    Command("start", EVERY_ROLE, "/start", MENU["start"], handlers.start),
    Command("bantuan", EVERY_ROLE, "/bantuan", MENU["bantuan"], handlers.bantuan),
    Command(
        "instruksi",
        frozenset({Role.KABID}),
        "/instruksi adb|kasi [catatan]",
        MENU["instruksi"],
        handlers.instruksi,
    ),
    Command(
        "selesai",
        frozenset({Role.ADB, Role.KASI}),
        "/selesai [nomor] [manual] [catatan]",
        MENU["selesai"],
        handlers.selesai,
    ),
    Command("status", ALL_ROLES, "/status", MENU["status"], handlers.status),
    Command(
        "riwayat",
        ALL_ROLES,
        "/riwayat [hari]",
        MENU["riwayat"],
        handlers.riwayat,
    ),
    Command(
        "backup",
        frozenset({Role.ADB}),
        "/backup",
        MENU["backup"],
        backup.backup,
    ),
    Command(
        "salin",
        frozenset({Role.KASI, Role.ADB}),
        "/salin",
        MENU["salin"],
        external.salin,
    ),
    Command(
        "daftar",
        ALL_ROLES,
        "/daftar [halaman]",
        MENU["daftar"],
        external.daftar,
    ),
    Command(
        "verifikasi",
        frozenset({Role.KASI, Role.ADB}),
        "/verifikasi",
        MENU["verifikasi"],
        external.verifikasi,
    ),
    Command(
        "ujipulih",
        frozenset({Role.ADB, Role.KABID}),
        "/ujipulih",
        MENU["ujipulih"],
        drill.ujipulih,
    ),
    Command(
        "hilang",
        frozenset({Role.KASI, Role.KABID}),
        "/hilang <label hard disk>",
        MENU["hilang"],
        lost.hilang,
    ),
    Command(
        "ketemu",
        frozenset({Role.KABID}),
        "/ketemu <label hard disk> <alasan>",
        MENU["ketemu"],
        lost.ketemu,
    ),
    Command(
        "anggota",
        ALL_ROLES,
        "/anggota",
        MENU["anggota"],
        people.anggota,
    ),
    Command(
        "tambah",
        frozenset({Role.KABID}),
        "/tambah adb|kasi|kabid <id> [nama]",
        MENU["tambah"],
        people.tambah,
    ),
    Command(
        "hapus",
        frozenset({Role.KABID}),
        "/hapus <id>",
        MENU["hapus"],
        people.hapus,
    ),
    Command(
        "laporan",
        frozenset({Role.KABID}),
        "/laporan [audit] [TTTT-BB]",
        MENU["laporan"],
        reports.laporan,
    ),
    Command(
        "cek",
        frozenset({Role.ADB, Role.KABID}),
        "/cek",
        MENU["cek"],
        checklist_chat.cek,
    ),
    Command(
        "jadwal",
        ALL_ROLES,
        "/jadwal [JJ:MM]",
        MENU["jadwal"],
        backup.jadwal,
    ),
    Command(
        "kantor",
        frozenset({Role.PUSAT, Role.KABID, Role.ADB}),
        "/kantor [halaman]",
        MENU["kantor"],
        central.kantor,
    ),
)

BUTTONS: tuple[Button, ...] = (
    Button(handlers.DONE_BUTTON, "selesai", handlers.selesai_button),
    Button(handlers.INSTRUCT_BUTTON, "instruksi", handlers.instruksi_button),
    Button(handlers.COPY_BUTTON, "salin", external.salin_button),
    Button(lost.LOST_BUTTON, "hilang", lost.hilang_button),
)

COMMAND_BY_NAME: dict[str, Command] = {command.name: command for command in COMMANDS}
