"""What the `sopbot` commands print at the terminal (click's own words are in `cli.py`), in Bahasa
Indonesia only; the names of settings and options stay as typed in `.env` and on the command line.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

# -- the group and the options every command shares
MAIN_HELP = (
    "Bot Telegram SOP-PIAK-02 Back Up Data Kependudukan.\n\n"
    "Nama pengaturan (TELEGRAM_BOT_TOKEN, DUMP_DIR, ...) tetap dalam bahasa Inggris, seperti di "
    "file .env."
)
VERSION_HELP = "Tampilkan versi lalu keluar."
HELP_OPTION = "Tampilkan bantuan ini lalu keluar."
ENV_FILE_HELP = "File pengaturan."
VERBOSE_HELP = "Catat rincian debug di log."


def env_file_missing(where: Path) -> str:
    return f"File pengaturan {where} tidak ditemukan."


# -- a failure to start: one line naming what to fix
def data_dir_not_private(data_dir: Path, detail: str) -> str:
    return f"DATA_DIR: {data_dir} tidak dapat dibuat privat ({detail})."


TOKEN_REFUSED = (
    "TELEGRAM_BOT_TOKEN: Telegram menolak token bot ini (periksa token dari @BotFather)."
)


def telegram_unreachable(api: str, error: str) -> str:
    return f"TELEGRAM_API_BASE_URL: Telegram tidak dapat dihubungi di {api} ({error})."


def telegram_refused(message: str) -> str:
    return f"Telegram menolak saat bot dimulai: {message}"


def log_unopenable(error: str, detail: str) -> str:
    return f"DATABASE_URL: basis data log SOP tidak dapat dibuka ({error}: {detail})."


def cannot_start(error: str, detail: str) -> str:
    return f"Bot tidak dapat dimulai: {error}: {detail}"


def already_running(database: str, lock: str | None) -> str:
    held = f" (kunci {lock})" if lock else ""
    return (
        f"sopbot sedang berjalan: sopbot lain memakai log SOP {database}{held}. "
        "Hentikan dulu, atau pakai perintahnya di chat (/backup, /salin, /ujipulih)."
    )


INTERRUPTED = "Dihentikan (Ctrl+C atau sinyal stop); pekerjaan dicatat terputus."

# -- sopbot sample-db
RESIDENTS_HELP = "Jumlah penduduk rekaan."


def sample_written(residents: int, path: Path) -> str:
    return f"Database contoh dengan {residents} penduduk rekaan: {path}"


# -- sopbot check
def check_no_env_file(icon: str, where: Path) -> str:
    return (
        f"{icon} File pengaturan: {where} tidak ditemukan (salin .env.example menjadi .env di "
        "folder ini, atau sebutkan --env-file)"
    )


def check_result(ok: bool) -> str:
    return "Hasil: semua siap." if ok else "Hasil: ada yang harus diperbaiki."


# -- sopbot disk
LABEL_HELP = "Nama yang ditulis di hard disk, mis. HDD-PIAK-1."
PATH_HELP = "Lokasi hard disk (bawaan: EXTERNAL_DISK_PATH)."
FRESH_HELP = (
    "Hard disk yang tercatat hilang dan sudah dikosongkan: daftarkan sebagai hard disk baru."
)
NO_DISK_PATH = "Hard disk tidak ada: EXTERNAL_DISK_PATH belum diatur"


def disk_ids_hint(disk_id: str) -> str:
    return f"Agar hanya hard disk kantor yang dipakai, tambahkan ke EXTERNAL_DISK_IDS: {disk_id}"


def disk_is_lost(label: str, lost_at: datetime | None) -> str:
    when = f" sejak {lost_at:%d/%m/%Y %H:%M} UTC" if lost_at else ""
    return (
        f"Hard disk ini adalah {label}, yang tercatat HILANG{when}: bot tidak memakainya.\n"
        f"- Ditemukan dan masih utuh: Kabid mengirim /ketemu {label} <alasan> di chat; bot "
        "memverifikasi penuh isinya dulu, lalu memakainya lagi.\n"
        "- Tidak dipercaya lagi: pensiunkan, hapus isi folder sopbot-backups, lalu daftarkan "
        "sebagai hard disk baru: sopbot disk init --baru --label <label baru>."
    )


FRESH_NOT_LOST = (
    "--baru hanya untuk hard disk yang tercatat hilang; hard disk ini tidak "
    "(identitasnya tidak diubah)."
)


def fresh_folder_not_empty(folder: Path, names: Sequence[str]) -> str:
    shown = ", ".join(names[:5]) + (" …" if len(names) > 5 else "")
    return (
        f"Folder {folder} masih berisi {len(names)} file ({shown}). Hapus dulu isinya, lalu "
        "ulangi sopbot disk init --baru."
    )


def old_identity_released(label: str, disk_id: str) -> str:
    return f"Identitas lama {label} (id {disk_id}) dilepas; tetap tercatat hilang."


def disk_unusable(problem: str) -> str:
    return f"Hard disk eksternal tidak dapat dipakai: {problem}"


# -- sopbot restore-file
OUT_HELP = "Tempat menulis file .dmp."
IDENTITY_HELP = (
    "File kunci age (kunci kantor, atau kunci cadangan dari brankas) untuk salinan .age."
)
DIRECTORY_HELP = "Directory object Oracle tempat dump akan diimpor."
OVERWRITE_HELP = "Timpa file --out yang sudah ada (bawaan: menolak)."


def restore_bad_names(directory: str, out: str) -> str:
    return (
        "❌ --directory harus nama directory object Oracle (mis. DATA_PUMP_DIR) dan --out "
        f"nama file biasa: {directory!r}, {out!r}"
    )


def restore_out_exists(out: Path) -> str:
    return f"❌ {out} sudah ada: tidak ditimpa. Pilih nama lain, atau tambahkan --timpa."


def restore_bad_key(problem: str) -> str:
    return f"❌ --identity: {problem}"


def restore_needs_key(name: str) -> str:
    return (
        f"❌ {name} terenkripsi: sebutkan file kuncinya dengan --identity kunci.txt "
        "(kunci kantor, atau kunci cadangan dari brankas)."
    )


def restore_not_regular(name: str, why: str) -> str:
    return f"❌ {name} bukan file biasa ({why}): tidak dipulihkan."


def restore_not_listed(name: str) -> str:
    return f"⚠️ {name} tidak ada di SHA256SUMS: keutuhannya tidak dapat dipastikan."


def restore_damaged(name: str) -> str:
    return f"❌ {name} tidak cocok dengan SHA256SUMS: salinan rusak."


def restore_matches(name: str) -> str:
    return f"✅ {name} cocok dengan SHA256SUMS."


def restore_too_large(name: str, folder: Path, room: int) -> str:
    return (
        f"❌ Dihentikan: {name} mengembang melebihi ruang aman di {folder} ({room} byte); "
        "kosongkan ruang atau pilih --out di disk lain."
    )


def restore_failed(problem: str) -> str:
    return f"❌ Tidak dapat dipulihkan: {problem}"


def restored(mark: str, out: Path, digest: str) -> str:
    return f"{mark} Dipulihkan: {out} (SHA-256 {digest})"


def export_log_unused(log_name: str) -> str:
    return (
        f"⚠️ Log ekspor {log_name} tidak ada atau tidak cocok dengan SHA256SUMS: tidak "
        "dipakai; file parameter mengimpor semuanya (full=y)."
    )


def parameter_file(path: Path) -> str:
    return f"File parameter impdp: {path}"


RECOVERY_HEADING = "\nLangkah pemulihan:"


def sqlite_recovery_steps(dump: str) -> list[str]:
    return [
        "Hentikan aplikasi yang memakai database.",
        f"Salin {dump} ke lokasi database (SQLITE_SOURCE_PATH), ganti file lama.",
        f'Periksa: sqlite3 {dump} "PRAGMA integrity_check" harus menjawab ok.',
        "Jalankan aplikasi lagi, lalu catat pemulihan dalam berita acara.",
    ]


def oracle_recovery_steps(
    dump: str, directory: str, parameter_file: str, import_log: str, had_export_log: bool
) -> list[str]:
    compare = "log ekspor di hard disk" if had_export_log else "laporan back up di chat"
    return [
        f"Pastikan database Oracle tujuan berjalan dan directory object {directory} ada "
        "(CREATE DIRECTORY ... AS '<folder>'), dengan pengguna yang punya "
        "DATAPUMP_IMP_FULL_DATABASE.",
        f"Salin {dump} ke folder directory object {directory} di server itu.",
        f"Jalankan: impdp system parfile={parameter_file} (kata sandi diminta impdp).",
        f'Baca {import_log}: baris terakhir "successfully completed", atau '
        '"completed with N error(s)" yang wajar untuk impor penuh bila setiap kesalahan '
        "termasuk yang tidak berbahaya: ORA-31684 (objek sudah ada), ORA-39082 (dibuat "
        "dengan peringatan kompilasi), ORA-39151 (tabel sudah ada, dilewati). Kesalahan "
        "NYATA: ORA-31693 (data tabel gagal dimuat), ORA-39083 (objek gagal dibuat, mis. "
        "ORA-01950 kuota), ORA-01653/ORA-01658 (tablespace penuh), ORA-39126 (kesalahan "
        f"internal). Bandingkan jumlah baris tiap tabel dengan {compare}.",
        "Laporkan ke Kabid dan catat pemulihan dalam berita acara.",
    ]


# -- sopbot verifikasi-log
PUBLIC_KEY_HELP = (
    "Kunci publik tanda tangan kantor (nama+hash+base64) atau file berisi kunci itu; "
    "tanpa ini dipakai EVIDENCE_KEY_FILE."
)
NOT_A_PUBLIC_KEY = "--kunci-publik: bukan kunci publik tanda tangan."
CHAIN_CANNOT_BE_CHECKED = "Rantai bukti tidak dapat diperiksa: log belum ada atau skemanya lama."
EVIDENCE_KEY_UNREADABLE = "EVIDENCE_KEY_FILE tidak dapat dibaca sebagai kunci tanda tangan."

# -- sopbot keys
KEYS_FOLDER_HELP = "Tempat kunci kantor dan lembar kunci cadangan ditulis."
KEYS_NAME_HELP = "Nama kunci tanda tangan (asal checkpoint), mis. disdukcapil-5108."
BAD_KEY_NAME = "--nama: tanpa spasi dan tanpa tanda +, paling banyak 120 karakter."


def keys_exist(where: Path | str) -> str:
    return f"Kunci sudah ada di {where}: tidak ada yang ditimpa."


def signing_key_made(key_file: Path | None, sheet: Path, public: str) -> list[str]:
    return [
        f"Kunci tanda tangan rantai bukti (rahasia): {key_file}",
        f"Lembarnya untuk brankas Kabid: {sheet} (cetak, lalu HAPUS).",
        f"Kunci publik untuk auditor dan pusat: {public}",
        "Isi di .env:",
        f"EVIDENCE_KEY_FILE={key_file}",
    ]


def keys_made(
    office_key: Path,
    sheet_text: Path,
    sheet_png: Path,
    recipients: str,
    signing_key: Path | None,
    signing_public: str,
) -> list[str]:
    return [
        f"Kunci kantor (rahasia, dipakai bot): {office_key}",
        f"Lembar kunci cadangan untuk brankas Kabid: {sheet_text}, {sheet_png}",
        "Cetak, lalu HAPUS file lembar itu dari komputer ini. Isi di .env:",
        "EXTERNAL_ENCRYPTION=age",
        f"EXTERNAL_AGE_RECIPIENTS={recipients}",
        f"EXTERNAL_AGE_IDENTITY_FILE={office_key}",
        f"EVIDENCE_KEY_FILE={signing_key}",
        f"Kunci publik tanda tangan (untuk auditor dan pusat): {signing_public}",
    ]


# -- sopbot report and sopbot laporan
MONTH_HELP = "Bulan, mis. 2026-11."
CHART_OUT_HELP = "File grafik (.png); CSV dan ringkasan ditulis di sebelahnya."
PDF_HELP = "Tulis laporan audit bulanan (PDF A4)."
AUDIT_MONTH_HELP = "Bulan TTTT-BB (bawaan: bulan ini)."
AUDIT_OUT_HELP = "Folder tempat PDF dan lampiran CSV-nya ditulis."
PDF_NEEDED = "Sebutkan --pdf (grafik dan CSV: sopbot report)."
AUDIT_MONTH_FORMAT = "--bulan: harus berformat TTTT-BB, misalnya 2026-11."


def written(paths: Sequence[Path]) -> str:
    *first, last = [str(p) for p in paths]
    return f"Ditulis: {', '.join(first)} dan {last}" if first else f"Ditulis: {last}"


def report_number(number: str) -> str:
    return f"Nomor laporan: {number}"


# -- sopbot pusat (the central database) and sopbot pusat web
CENTRAL_URL_HELP = (
    "URL PostgreSQL database pusat, mis. postgresql+psycopg://admin@host/pusat. Tulis tanpa "
    "kata sandi (pakai PGPASSWORD atau ~/.pgpass) agar tidak terlihat di daftar proses; "
    "bisa juga lewat CENTRAL_DATABASE_URL."
)
WEB_URL_HELP = (
    "URL login layanan web (dari sopbot pusat web-login add). Tulis tanpa kata sandi (pakai "
    "PGPASSWORD atau ~/.pgpass); bisa juga lewat CENTRAL_WEB_DATABASE_URL."
)
CSV_HELP = "Tulis tabel sebagai CSV."
GRID_HELP = "Tulis grafik kantor x hari (PNG)."
DAYS_HELP = "Jumlah hari di grafik."
TIMEZONE_HELP = "Zona waktu tampilan."
NEEDS_DATABASE_URL = "Sebutkan --database-url (atau CENTRAL_DATABASE_URL)."
CENTRAL_UNREADABLE = "Database pusat tidak dapat dibaca"
CENTRAL_NOT_PREPARED = "Database pusat tidak dapat disiapkan"
CENTRAL_UNREADABLE_INIT = "Database pusat tidak dapat dibaca (sudah sopbot pusat init?)"
LOGIN_NOT_MADE = "Login tidak dapat dibuat"
TOKEN_NOT_MADE = "Token tidak dapat dibuat"
TOKEN_NOT_REVOKED = "Token tidak dapat dicabut"


def central_unusable(error: str) -> str:
    return f"Database pusat tidak dapat dipakai: {error}"


def unknown_zone(name: str) -> str:
    return f"zona waktu {name!r} tidak dikenal (mis. Asia/Makassar)"


def failed_because(what: str, error: str) -> str:
    return f"{what}: {error}"


def csv_not_written(path: Path) -> str:
    return f"CSV tidak dapat ditulis ke {path}"


def grid_not_written(path: Path) -> str:
    return f"Grafik tidak dapat ditulis ke {path}"


def csv_written(path: Path) -> str:
    return f"CSV: {path}"


def grid_written(path: Path) -> str:
    return f"Grafik: {path}"


OFFICE_HOST_HELP = "Nama server pusat seperti dilihat dari kantor (bila berbeda)."
OFFICE_PORT_HELP = "Port server pusat seperti dilihat dari kantor."
OFFICE_KEY_HELP = (
    "Kunci publik tanda tangan rantai bukti kantor (nama+hash+base64, dari "
    "`sopbot keys init`): checkpoint kantor diperiksa dengannya sebelum disaksikan."
)
NOT_AN_OFFICE_KEY = "--kunci: bukan kunci publik tanda tangan (nama+hash+base64)."
WITNESS_KEY_HELP = "Kunci tanda tangan saksi pusat (dibuat bila belum ada; tidak pernah di kantor)."


def witness_key_refused(problem: str) -> str:
    return f"--kunci: {problem}"


CENTRAL_UNUSABLE = "Database pusat tidak dapat dipakai"
WITNESS_WAITING = "Menunggu checkpoint kantor (Ctrl+C untuk berhenti)…"
WITNESS_KEEP_GOING_HELP = (
    "Terus berjalan: saksikan setiap checkpoint begitu dikirim kantor (dan paling lambat "
    "tiap 60 detik). Untuk layanan (systemd/Task Scheduler saat start)."
)


def witness_counts(cosigned: int, refused: int) -> str:
    return f"Disaksikan: {cosigned} checkpoint; ditolak: {refused}."


def witness_public_key(public_key: str) -> str:
    return f"Kunci publik saksi (CENTRAL_WITNESS_KEY kantor): {public_key}"


def witness_done(public_key: str, cosigned: int, refused: int) -> list[str]:
    return [
        witness_public_key(public_key),
        witness_counts(cosigned, refused),
    ]


SUPERVISOR_HOST_HELP = "Nama server pusat seperti dilihat dari pengawas (bila berbeda)."
SUPERVISOR_PORT_HELP = "Port server pusat seperti dilihat dari pengawas."
SUPERVISOR_REGION_HELP = (
    "Batasi pengawas ke satu wilayah: kode provinsi atau kabupaten/kota (mis. 51)."
)


def supervisor_region(region: str) -> str:
    return f"Login ini hanya melihat kantor wilayah {region}."


def web_token_once(token: str) -> str:
    return f"Token tampilan web (sopbot pusat web), ditampilkan sekali: {token}"


def login_password_changed(role: str) -> str:
    return (
        f"⚠️ Login {role} sudah ada di server ini: kata sandinya DIGANTI. Pemakai kata sandi "
        "lama (juga database lain di server ini) tidak dapat masuk lagi."
    )


def login_ready(role: str) -> list[str]:
    return [f"Login {role} siap. Simpan kata sandinya: tidak ditampilkan lagi.", "Isi di .env bot:"]


WEB_HOST_HELP = "Alamat yang didengar."
SESSION_MINUTES_HELP = "Sesi berakhir setelah sekian menit tidak dipakai."
NO_HTTPS_HELP = "Cookie tanpa tanda Secure: hanya untuk mencoba di komputer ini, tanpa proxy TLS."
BEHIND_PROXY_HELP = (
    "Alamat pengunjung dari X-Forwarded-For (hanya bila proxy TLS di depan layanan ini)."
)
WEB_NEEDS_EXTRAS = 'Tampilan web memerlukan paket tambahan: pip install ".[web]"'
PASSWORDS_UNCHECKED = (
    "⚠️ Server database pusat tidak memeriksa kata sandi (pg_hba.conf: trust): masuk "
    "dengan nama login dan kata sandi DIMATIKAN, hanya token web. Atur scram-sha-256."
)


def web_serving(host: str, port: int) -> str:
    return f"Tampilan web: http://{host}:{port}/ (hentikan dengan Ctrl+C)"


WEB_LOGIN_HOST_HELP = "Nama server pusat seperti dilihat dari layanan web (bila berbeda)."
WEB_LOGIN_PORT_HELP = "Port server pusat seperti dilihat dari layanan web."
WEB_LOGIN_SETTING = "(untuk sopbot pusat web: CENTRAL_WEB_DATABASE_URL)"
TOKEN_REGION_HELP = "Hanya kantor wilayah ini: kode provinsi atau kabupaten/kota."


def metrics_token_ready(name: str) -> str:
    return f"Token {name} siap (ditampilkan sekali, simpan di Prometheus):"


def token_revoked(name: str, done: bool) -> str:
    return f"Token {name} dicabut." if done else f"Tidak ada token aktif bernama {name}."


# -- sopbot demo
DEMO_DONE = (
    "\nDemo selesai: satu hari SOP dijalankan — back up terjadwal dari database contoh, "
    "ringkasan pagi dan peringatan, instruksi, salinan terverifikasi sebagai bukti langkah "
    "11, uji pulih salinan dari hard disk, daftar file, status lengkap, laporan bulanan "
    "dan laporan audit PDF dengan checkpoint rantai bukti bertanda tangan."
)
