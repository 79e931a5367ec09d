"""The chat commands: who may use each one, its usage line and its menu text, in one table.

The access guard, /bantuan and the Telegram command menu (setMyCommands) all read it.
"""

from __future__ import annotations

from dataclasses import dataclass

from core.sop import Role

ALL_ROLES = frozenset(Role)


@dataclass(frozen=True)
class Command:
    name: str
    roles: frozenset[Role]
    usage: str
    description: str  # Indonesian, shown in Telegram's menu and /bantuan


COMMANDS: tuple[Command, ...] = (
    Command("start", ALL_ROLES, "/start", "Perkenalan dan peran Anda"),
    Command("bantuan", ALL_ROLES, "/bantuan", "Daftar perintah untuk peran Anda"),
    Command(
        "instruksi",
        frozenset({Role.KABID}),
        "/instruksi adb|kasi [catatan]",
        "Tugaskan ADB (langkah 1) atau Kasi (langkah 10)",
    ),
    Command(
        "selesai",
        frozenset({Role.ADB, Role.KASI}),
        "/selesai [nomor] [catatan]",
        "Laporkan instruksi sudah selesai",
    ),
    Command("status", ALL_ROLES, "/status", "Status SOP back up hari ini"),
    Command("riwayat", ALL_ROLES, "/riwayat [hari]", "Riwayat SOP beberapa hari terakhir"),
    Command("backup", frozenset({Role.ADB}), "/backup", "Jalankan back up database sekarang"),
    Command(
        "salin",
        frozenset({Role.KASI, Role.ADB}),
        "/salin",
        "Salin back up terbaru ke hard disk eksternal (langkah 11)",
    ),
    Command("daftar", ALL_ROLES, "/daftar", "Daftar file back up di hard disk eksternal"),
    Command(
        "verifikasi",
        frozenset({Role.KASI, Role.ADB}),
        "/verifikasi",
        "Periksa ulang semua file di hard disk eksternal",
    ),
    Command(
        "laporan",
        frozenset({Role.KABID}),
        "/laporan [TTTT-BB]",
        "Laporan bulanan: grafik, ringkasan dan CSV",
    ),
    Command(
        "cek",
        frozenset({Role.ADB, Role.KABID}),
        "/cek",
        "Periksa pengaturan, Telegram, database, dump dan hard disk",
    ),
    Command(
        "jadwal",
        ALL_ROLES,
        "/jadwal [JJ:MM]",
        "Lihat jadwal back up harian (ADB/Kabid: ubah jamnya)",
    ),
)

# Commands whose arguments only some of their roles may use.
SCHEDULE_CHANGERS = frozenset({Role.ADB, Role.KABID})

COMMAND_BY_NAME: dict[str, Command] = {command.name: command for command in COMMANDS}


def commands_for(roles: frozenset[Role]) -> list[Command]:
    return [command for command in COMMANDS if command.roles & roles]
