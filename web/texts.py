"""The web view's words (Bahasa Indonesia) for what Python hands the templates: states,
problems, kinds of evidence, drill levels, messages. The page layouts are the templates."""

from __future__ import annotations

from datetime import datetime, tzinfo

from storage.central.fleet import Standing
from storage.central.view import NO_COPY, NO_DRILL, NO_DUMP, NOT_ENCRYPTED, SILENT, OfficeState

# Each state has a word and a sign as well as a colour: readable without telling colours apart.
STANDING = {
    Standing.UNSAFE: ("✖", "Tidak aman"),
    Standing.SILENT: ("?", "Diam"),
    Standing.ATTENTION: ("!", "Perlu perhatian"),
    Standing.SAFE: ("✔", "Aman"),
}

KIND = {
    "dump": "Dump",
    "copy": "Salinan",
    "drill": "Uji pulih",
    "day": "Hari SOP",
    "check": "Periksa ulang salinan",
}

LEVEL = {1: "header", 2: "metadata", 3: "impor penuh"}

OUTCOME = {
    "success": "berhasil",
    "warning": "berhasil, ada peringatan",
    "failed": "gagal",
    "interrupted": "terputus",
    "nothing": "tidak ada",
    "verified": "terverifikasi",
    "passed": "lulus",
    "untestable": "tidak dapat diuji (bukan salinan rusak)",
}

ZONE = {
    "Asia/Jakarta": "WIB",
    "Asia/Pontianak": "WIB",
    "Asia/Makassar": "WITA",
    "Asia/Jayapura": "WIT",
}

# The offices x days grid: (css class, letter, meaning).
CELL = {
    "copy": ("c", "S", "Salinan terverifikasi"),
    "dump": ("d", "D", "Dump baik, belum disalin"),
    "": ("n", "–", "Tidak ada back up baik"),
}

# One cell of the grid as HTML (constants only: nothing from outside goes into it).
CELL_HTML = {kind: f'<td class="g {css}">{letter}</td>' for kind, (css, letter, _) in CELL.items()}

FACT = {
    "outcome": "hasil",
    "size_bytes": "ukuran",
    "total_rows": "baris",
    "backend": "cara",
    "disk": "disk",
    "compressed": "dikompresi",
    "level": "level",
    "restore_seconds": "waktu pulih (detik)",
    "mismatches": "selisih",
    "steps_done": "langkah selesai",
    "steps_required": "langkah wajib",
    "late_steps": "langkah terlambat",
}

LOGIN_REFUSED = "Nama login atau kata sandi salah, atau token tidak berlaku."
CREDENTIALS_LOGIN_OFF = (
    "Masuk dengan kata sandi dimatikan di layanan ini (server database pusat tidak memeriksa "
    "kata sandi). Pakai token web."
)
LOGIN_EMPTY = "Isi nama login dan kata sandi, atau token."
LOGIN_SLOW_DOWN = "Terlalu banyak percobaan masuk. Coba lagi beberapa menit lagi."
LOGIN_EXPIRED_FORM = "Formulir sudah kedaluwarsa. Silakan coba lagi."
SESSION_ENDED = "Sesi berakhir. Silakan masuk lagi."
NOT_FOUND = "Kantor tidak ditemukan, atau tidak termasuk wilayah Anda."
CENTRAL_DOWN = "Database pusat tidak dapat dibaca saat ini. Coba muat ulang sebentar lagi."
BAD_REQUEST = "Permintaan tidak dapat dibaca."


def when(moment: datetime | None, tz: tzinfo) -> str:
    return "belum pernah" if moment is None else f"{moment.astimezone(tz):%d/%m/%Y %H:%M}"


def days_ago(moment: datetime | None, now: datetime, tz: tzinfo) -> str:
    """Calendar days, as a person counts them: the 22nd is "3 hari lalu" on the 25th."""
    if moment is None:
        return "belum pernah"
    days = max(0, (now.astimezone(tz).date() - moment.astimezone(tz).date()).days)
    return {0: "hari ini", 1: "kemarin"}.get(days, f"{days} hari lalu")


def problems(state: OfficeState, now: datetime, tz: tzinfo) -> list[str]:
    words = {
        NO_COPY: (
            "belum pernah ada salinan terverifikasi"
            if state.last_copy is None
            else f"{state.days_without_copy(now)} hari tanpa salinan terverifikasi"
        ),
        NOT_ENCRYPTED: "salinan terakhir tidak terenkripsi",
        NO_DUMP: "tidak ada dump yang baik dalam 36 jam",
        NO_DRILL: "tidak ada uji pulih yang lulus dalam 14 hari",
        SILENT: (
            "bot belum pernah melapor"
            if state.seen_at is None
            else f"bot diam sejak {when(state.seen_at, tz)}"
        ),
    }
    return [words[p] for p in state.problems]


def zone(tz: tzinfo) -> str:
    return ZONE.get(str(tz), str(tz))


def fact(name: str, value: object) -> str:
    """One fact of a record as the office page shows it."""
    if name == "size_bytes":
        return size(value)
    if name == "outcome":
        return OUTCOME.get(str(value), str(value))
    if name == "level" and isinstance(value, int):
        return f"{value} ({LEVEL.get(value, '?')})"
    if isinstance(value, bool):
        return "ya" if value else "tidak"
    return str(value)


def size(value: object) -> str:
    if not isinstance(value, int | float):
        return "-"
    amount = float(value)
    for unit in ("B", "KB", "MB", "GB"):
        if amount < 1024 or unit == "GB":
            return f"{amount:.0f} {unit}" if unit == "B" else f"{amount:.1f} {unit}"
        amount /= 1024
    return f"{amount:.1f} TB"
