"""The menu text of every chat command, by its name: Telegram's command menu (setMyCommands) and
/bantuan show it. The command itself (who may use it, its usage line, its handler) is its line in
`bot/commands.py`, which takes its text from here."""

from __future__ import annotations

MENU: dict[str, str] = {
    "start": "Perkenalan dan peran Anda",
    "bantuan": "Daftar perintah untuk peran Anda",
    "instruksi": "Tugaskan ADB (langkah 1) atau Kasi (langkah 10)",
    "selesai": "Laporkan instruksi sudah selesai",
    "status": "Status SOP back up hari ini",
    "riwayat": "Riwayat SOP beberapa hari terakhir",
    "backup": "Jalankan back up database sekarang",
    "salin": "Salin back up terbaru ke hard disk eksternal (langkah 11)",
    "daftar": "Daftar file back up di hard disk eksternal",
    "verifikasi": "Periksa ulang semua file di hard disk eksternal",
    "ujipulih": "Uji pulih: buktikan salinan di hard disk dapat dipulihkan",
    "hilang": "Laporkan hard disk back up hilang (UU 27/2022)",
    "ketemu": "Hard disk yang hilang ditemukan: verifikasi penuh lalu pakai lagi",
    "anggota": "Daftar petugas dan perannya",
    "tambah": "Tambahkan petugas (berlaku sekarang)",
    "hapus": "Hapus petugas yang ditambahkan dari chat",
    "laporan": "Laporan bulanan: grafik, ringkasan dan CSV; `audit`: laporan audit PDF",
    "cek": "Periksa pengaturan, Telegram, database, dump dan hard disk",
    "jadwal": "Lihat jadwal back up harian (ADB/Kabid: ubah jamnya)",
    "kantor": "Bukti back up tiap kantor di database pusat (pengawas)",
}
