"""Every chat command, declared once: name, who may use it, usage line, menu text and handler.

The application registers them in a loop behind the one access guard; /bantuan and Telegram's
command menu (setMyCommands) read the same table. A new command is one line here and its
handler.
"""

from __future__ import annotations

from bot import backup, central, checklist_chat, drill, external, handlers, lost, people, reports
from bot.command_types import ALL_ROLES, EVERY_ROLE, Button, Command
from core.sop import Role

COMMANDS: tuple[Command, ...] = (
    Command("start", EVERY_ROLE, "/start", "Perkenalan dan peran Anda", handlers.start),
    Command(
        "bantuan", EVERY_ROLE, "/bantuan", "Daftar perintah untuk peran Anda", handlers.bantuan
    ),
    Command(
        "instruksi",
        frozenset({Role.KABID}),
        "/instruksi adb|kasi [catatan]",
        "Tugaskan ADB (langkah 1) atau Kasi (langkah 10)",
        handlers.instruksi,
    ),
    Command(
        "selesai",
        frozenset({Role.ADB, Role.KASI}),
        "/selesai [nomor] [manual] [catatan]",
        "Laporkan instruksi sudah selesai",
        handlers.selesai,
    ),
    Command("status", ALL_ROLES, "/status", "Status SOP back up hari ini", handlers.status),
    Command(
        "riwayat",
        ALL_ROLES,
        "/riwayat [hari]",
        "Riwayat SOP beberapa hari terakhir",
        handlers.riwayat,
    ),
    Command(
        "backup",
        frozenset({Role.ADB}),
        "/backup",
        "Jalankan back up database sekarang",
        backup.backup,
    ),
    Command(
        "salin",
        frozenset({Role.KASI, Role.ADB}),
        "/salin",
        "Salin back up terbaru ke hard disk eksternal (langkah 11)",
        external.salin,
    ),
    Command(
        "daftar",
        ALL_ROLES,
        "/daftar [halaman]",
        "Daftar file back up di hard disk eksternal",
        external.daftar,
    ),
    Command(
        "verifikasi",
        frozenset({Role.KASI, Role.ADB}),
        "/verifikasi",
        "Periksa ulang semua file di hard disk eksternal",
        external.verifikasi,
    ),
    Command(
        "ujipulih",
        frozenset({Role.ADB, Role.KABID}),
        "/ujipulih",
        "Uji pulih: buktikan salinan di hard disk dapat dipulihkan",
        drill.ujipulih,
    ),
    Command(
        "hilang",
        frozenset({Role.KASI, Role.KABID}),
        "/hilang <label hard disk>",
        "Laporkan hard disk back up hilang (UU 27/2022)",
        lost.hilang,
    ),
    Command(
        "ketemu",
        frozenset({Role.KABID}),
        "/ketemu <label hard disk> <alasan>",
        "Hard disk yang hilang ditemukan: verifikasi penuh lalu pakai lagi",
        lost.ketemu,
    ),
    Command(
        "anggota",
        ALL_ROLES,
        "/anggota",
        "Daftar petugas dan perannya",
        people.anggota,
    ),
    Command(
        "tambah",
        frozenset({Role.KABID}),
        "/tambah adb|kasi|kabid <id> [nama]",
        "Tambahkan petugas (berlaku sekarang)",
        people.tambah,
    ),
    Command(
        "hapus",
        frozenset({Role.KABID}),
        "/hapus <id>",
        "Hapus petugas yang ditambahkan dari chat",
        people.hapus,
    ),
    Command(
        "laporan",
        frozenset({Role.KABID}),
        "/laporan [audit] [TTTT-BB]",
        "Laporan bulanan: grafik, ringkasan dan CSV; `audit`: laporan audit PDF",
        reports.laporan,
    ),
    Command(
        "cek",
        frozenset({Role.ADB, Role.KABID}),
        "/cek",
        "Periksa pengaturan, Telegram, database, dump dan hard disk",
        checklist_chat.cek,
    ),
    Command(
        "jadwal",
        ALL_ROLES,
        "/jadwal [JJ:MM]",
        "Lihat jadwal back up harian (ADB/Kabid: ubah jamnya)",
        backup.jadwal,
    ),
    Command(
        "kantor",
        frozenset({Role.PUSAT, Role.KABID, Role.ADB}),
        "/kantor [halaman]",
        "Bukti back up tiap kantor di database pusat (pengawas)",
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
