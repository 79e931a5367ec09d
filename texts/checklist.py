"""The verdicts of the checklist behind /cek and `sopbot check` (`bot/checklist.py`): one line
each, in Indonesian, with the settings' English names."""

from __future__ import annotations

from pathlib import Path

from core.envfile import EnvFinding, EnvKind
from core.sop import ROLE_TITLES, Role

TELEGRAM = "Token bot Telegram"
TOKEN_REFUSED = "token ditolak Telegram; periksa TELEGRAM_BOT_TOKEN"


def telegram_unreachable(api: str, message: str) -> str:
    return f"Telegram tidak dapat dihubungi ({api}): {message}"


def telegram_refused(message: str) -> str:
    return f"Telegram menolak: {message}"


ROLES = "Peran"
NO_KABID = (
    f"belum ada {ROLE_TITLES[Role.KABID]} di KABID_IDS (Kabid yang menambahkan petugas lain "
    "dari chat)"
)


def roles_missing(names: str) -> str:
    return f"belum ada di .env: {names}; Kabid dapat menambahkan dengan /tambah (lihat /anggota)"


LOG_DATABASE = "Basis data log SOP"
LOG_NOT_MADE = "belum dibuat; dibuat otomatis saat bot pertama kali berjalan"
LOG_OLD_SCHEMA = "skema versi lama; diperbarui otomatis saat bot berjalan"


def log_connected(backend: str) -> str:
    return f"terhubung ({backend}), skema terbaru"


def log_unreachable(error: str) -> str:
    return f"tidak dapat terhubung: {error} (periksa DATABASE_URL)"


DUMP_DIR = "Folder dump"


def dump_dir_missing(folder: Path) -> str:
    return f"{folder} tidak ada (DUMP_DIR harus folder directory object)"


def dump_dir_cannot_be_made(folder: Path, parent: Path | None) -> str:
    return f"{folder} tidak ada dan tidak dapat dibuat di {parent}"


def dump_dir_later(folder: Path, free_mb: int) -> str:
    return f"{folder} belum ada (dibuat saat back up pertama), ruang kosong {free_mb} MB"


def dump_dir_unwritable(folder: Path, why: str | None) -> str:
    return f"{folder} tidak dapat ditulisi ({why})"


def dump_dir_too_small(folder: Path, free: int, need: int) -> str:
    return f"{folder}: ruang kosong {free} byte, dump terakhir butuh ±{need} byte"


def dump_dir_ready(folder: Path, free_mb: int) -> str:
    return f"{folder} dapat ditulisi, ruang kosong {free_mb} MB"


EXTERNAL = "Hard disk eksternal"
NO_EXTERNAL_PATH = "EXTERNAL_DISK_PATH belum diatur (langkah 11 SOP tidak dapat dijalankan bot)"


def external_absent_at_setup(problem: str, root: Path) -> str:
    return (
        f"{problem}; pasang hard disk lalu ulangi pemeriksaan "
        f"(EXTERNAL_DISK_PATH harus ada; dilihat: {root})"
    )


def external_trouble(problem: str, root: Path) -> str:
    return f"{problem} (dilihat: {root})"


def external_ready(label: str, disk_id: str, root: Path, free_mb: int) -> str:
    return f"{label} (id {disk_id}) di {root}, ruang kosong {free_mb} MB"


ENCRYPTION = "Enkripsi salinan"
NOT_ENCRYPTED = (
    "salinan di hard disk TIDAK terenkripsi: hard disk yang hilang membocorkan NIK "
    "(UU 27/2022). Jalankan `sopbot keys init` dan isi EXTERNAL_ENCRYPTION=age"
)
NO_OFFICE_KEY = (
    "terenkripsi (age), tetapi kunci kantor (EXTERNAL_AGE_IDENTITY_FILE) tidak ada: "
    "bot tidak dapat membuktikan salinan dapat dibuka"
)
KEY_NOT_A_RECIPIENT = (
    "kunci kantor (EXTERNAL_AGE_IDENTITY_FILE) bukan salah satu EXTERNAL_AGE_RECIPIENTS: "
    "bot tidak akan dapat membuka salinannya sendiri"
)
ONE_KEY_ONLY = (
    "hanya satu kunci: tanpa kunci cadangan (escrow) di brankas, salinan tidak dapat "
    "dibuka bila kunci kantor hilang bersama server"
)


def readable_by_others(path: Path) -> str:
    return f"{path} dapat dibaca pengguna lain; jalankan: chmod 600 {path}"


def encrypted_for(keys: int) -> str:
    return f"terenkripsi (age) untuk {keys} kunci; kunci kantor ada"


CENTRAL = "Database pusat"
CENTRAL_UNUSED = "tidak dipakai (CENTRAL_DATABASE_URL kosong)"
NO_POSTGRES_DRIVER = (
    'driver PostgreSQL belum terpasang: di folder sopbot jalankan pip install ".[postgres]"'
)
CENTRAL_OLD_SCHEMA = (
    "skema database pusat lebih lama dari bot ini: pengelola pusat perlu menjalankan "
    "sopbot pusat init"
)
SUPERVISOR_WITH_OFFICE = "ini login pengawas: hapus OFFICE_ID"
AS_SUPERVISOR = "terhubung sebagai pengawas (semua kantor)"


def central_login_refused(error: str) -> str:
    return f"login ditolak server pusat ({error})"


def central_unreachable(error: str) -> str:
    return f"belum dapat dihubungi ({error})"


def office_id_empty(login_office: str | None) -> str:
    return (
        f"login ini milik kantor {login_office or '-'} tetapi OFFICE_ID kosong: tidak ada "
        f"yang dilaporkan (isi OFFICE_ID={login_office or '…'})"
    )


def other_office(login_office: str | None, office: str) -> str:
    return f"login ini milik kantor {login_office or '-'}, bukan OFFICE_ID {office}"


def as_office(office: str) -> str:
    return f"terhubung sebagai kantor {office}"


ENV_FILE = "Izin file .env"


def env_file_readable(env_file: Path, mode: str) -> str:
    return f"{env_file} dapat dibaca pengguna lain ({mode}); jalankan: chmod 600 {env_file}"


CHAIN_LATER = "dibuat saat bot berjalan"
CHAIN_LOG_UNREADABLE = "basis data log tidak dapat dibaca"


def verdict(ok: bool) -> str:
    """The last line of /cek."""
    return "Semua siap." if ok else "Ada yang harus diperbaiki."


def env_setting(finding: EnvFinding) -> str:
    return f"Pengaturan {finding.key}" if finding.key else f"Pengaturan baris {finding.line}"


def env_finding(finding: EnvFinding) -> str:
    """What the look at .env found, one line (`core/envfile.py`)."""
    line = finding.line
    match finding.kind:
        case EnvKind.NOT_KEY_VALUE:
            return f"bukan KUNCI=nilai: {finding.seen!r}"
        case EnvKind.UNKNOWN_KEY:
            hint = f"; maksud Anda {' atau '.join(finding.close)}?" if finding.close else ""
            return f"tidak dikenal (baris {line}), diabaikan bot{hint}"
        case EnvKind.EXAMPLE_TOKEN:
            return "masih token contoh dari .env.example; isi token @BotFather"
        case EnvKind.EXAMPLE_IDS:
            return (
                "masih ID contoh dari .env.example; isi ID Telegram petugas yang sebenarnya "
                "(terlihat saat ia mengirim /start ke bot)"
            )
        case EnvKind.ESCAPES_IN_QUOTES:
            return (
                f"nilai dalam tanda kutip ganda berisi \\ (baris {line}): \\ dibaca sebagai kode "
                "khusus (\\a menjadi bunyi bel). Tulis tanpa tanda kutip, dengan tanda kutip "
                "tunggal, atau dengan /"
            )
