"""Texts of the province's web view (`sopbot pusat web`): what Python hands the templates
(states, kinds of evidence, drill levels, dates) and every sentence the pages say. The problem
words are the chat's and the CLI's own (`texts.central.problem_words`). Plain text: the
templates escape it (Jinja2's autoescape)."""

from __future__ import annotations

from datetime import datetime, timedelta, tzinfo
from functools import lru_cache

from markupsafe import Markup, escape

from core.indonesian import MONTHS
from storage.central.fleet import FleetRow, Standing, Witnessed
from storage.central.view import OfficeState
from texts.central import KIND_WORDS, problem_words
from texts.common import number, seconds_text, size
from texts.evidence import CHAIN_ALARM_WORDS

__all__ = [
    "BADGE",
    "BAD_REQUEST",
    "CELL",
    "CELL_HTML",
    "CENTRAL_DOWN",
    "CREDENTIALS_LOGIN_OFF",
    "END",
    "FACT",
    "LEFT_IN",
    "LEVEL",
    "LOCKED",
    "LOGIN_EMPTY",
    "LOGIN_EXPIRED_FORM",
    "LOGIN_REFUSED",
    "LOGIN_SLOW_DOWN",
    "METRICS_CENTRAL_DOWN",
    "METRICS_REFUSED",
    "NEVER",
    "NOT_FOUND",
    "NOT_LOCKED",
    "OUTCOME",
    "PAGE",
    "PAGE_NOT_FOUND",
    "SESSION_ENDED",
    "STANDING",
    "ZONE",
    "badge",
    "compliance_cell",
    "copy_cell",
    "days_ago",
    "disk_cell",
    "disk_plugged",
    "drill_cell",
    "fact",
    "fleet_summary",
    "kind",
    "login_hint",
    "month_title",
    "number",
    "problems",
    "queued",
    "seconds_text",
    "size",
    "unknown_kabupaten",
    "unknown_province",
    "when",
    "zone",
]

# Each state has a word and a sign as well as a colour: readable without telling colours apart.
STANDING = {
    Standing.UNSAFE: ("✖", "Tidak aman"),
    Standing.SILENT: ("?", "Diam"),
    Standing.ATTENTION: ("!", "Perlu perhatian"),
    Standing.SAFE: ("✔", "Aman"),
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
    "": ("n", "–", "Tidak ada back up yang baik"),
    "none": ("x", "·", "Belum ada data (sebelum kantor mulai melapor)"),
}

# One cell of the grid as HTML (constants only: nothing from outside goes into it); the letter
# says it without colour, the legend above the grid says what each letter means (a title on each
# of 16,000 cells would double the page).
CELL_HTML = {kind: f'<td class="g {css}">{letter}</td>' for kind, (css, letter, _) in CELL.items()}

FACT = {
    "outcome": "hasil",
    "size_bytes": "ukuran",
    "total_rows": "baris",
    "backend": "cara",
    "disk": "disk",
    "compressed": "dikompresi",
    "level": "level",
    "restore_seconds": "waktu pulih",
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
PAGE_NOT_FOUND = "Halaman tidak ditemukan. Periksa alamatnya."
CENTRAL_DOWN = "Database pusat tidak dapat dibaca saat ini. Coba muat ulang sebentar lagi."
BAD_REQUEST = "Permintaan tidak dapat dibaca."
# /metrics answers a scraper in plain text.
METRICS_REFUSED = "401 token tidak berlaku\n"
METRICS_CENTRAL_DOWN = "503 database pusat tidak dapat dibaca\n"

# The sentences of the pages, by the page that says them.
PAGE = {
    "footer": "Hanya baca. Setiap halaman yang dibuka dicatat.",
    "back_to_fleet": "Kembali ke daftar kantor",
    "no_offices": (
        "Belum ada kantor yang terlihat. Kantor muncul di sini setelah didaftarkan dengan "
        "sopbot pusat kantor add; login yang dibatasi ke satu wilayah hanya melihat wilayah itu."
    ),
    "no_match": "Tidak ada kantor dengan saringan ini.",
    "no_drill": "Belum pernah ada uji pulih.",
    "no_disks": "Belum ada salinan ke hard disk.",
    "no_evidence": "Belum ada bukti bulan ini.",
    "grid_note": (
        "Setiap kotak berisi tanda (S, D, –, ·) selain warna, untuk dibaca tanpa membedakan "
        "warna dan saat dicetak hitam putih."
    ),
    "disk_note": (
        "Hard disk back up harus dicabut setelah disalin: disk yang tetap tercolok ikut "
        "terenkripsi bila server terkena ransomware."
    ),
    "one_office": "Login ini milik satu kantor: hanya kantor ini yang terlihat.",
    "no_checkpoint": (
        "Belum ada checkpoint rantai bukti dari kantor ini di pusat: catatannya belum dapat "
        "dibuktikan tidak diubah."
    ),
    "chain_note": (
        "Setiap checkpoint ditandatangani kunci kantor; saksi pusat (sopbot pusat saksi) "
        "memeriksa tanda tangannya dan ikut menandatangani. Checkpoint yang belum disaksikan "
        "belum menjadi bukti dari luar kantor."
    ),
}

# What the central witness made of a checkpoint: mark, words, and the CSS class.
WITNESSED = {
    Witnessed.COSIGNED: ("✔ disaksikan pusat", "ok"),
    Witnessed.REFUSED: ("✖ DITOLAK: tanda tangan tidak cocok dengan kunci kantor", "bad"),
    Witnessed.WAITING: ("… belum disaksikan", "warn"),
}


def chain_alarm(reason: str) -> str:
    return CHAIN_ALARM_WORDS.get(reason, reason)


def login_hint(idle_minutes: int, max_hours: int) -> str:
    return (
        f"Sesi berakhir sendiri setelah {idle_minutes} menit tidak dipakai, dan paling lama "
        f"{max_hours} jam setelah masuk."
    )


def fleet_summary(
    total: int,
    in_region: int,
    region_name: str,
    shown: int,
    state: Standing | None,
    now: datetime,
    tz: tzinfo,
) -> str:
    """The fleet page's first line, before the counts of each state."""
    parts = [f"{total} kantor terlihat"]
    if region_name:
        parts.append(f"{in_region} di {region_name}")
    if state is not None:
        parts.append(f"{shown} {STANDING[state][1].lower()}")
    where = " di wilayah ini" if region_name else ""
    return f"{'; '.join(parts)}. Keadaan{where} per {when(now, tz)} {zone(tz)}:"


def queued(count: int | None) -> str:
    return f"{count} catatan menunggu dikirim" if count else ""


def unknown_province(code: str) -> str:
    return f"Provinsi {code}"


def unknown_kabupaten(code: str) -> str:
    return f"Kabupaten/kota {code}"


def zone(tz: tzinfo) -> str:
    return ZONE.get(str(tz), str(tz))


@lru_cache(maxsize=4096)  # a fleet page writes 1,500 moments, many of them the same
def when(moment: datetime | None, tz: tzinfo) -> str:
    """A moment as a supervisor reads it: 25 Nov 2026 10.00 (the zone is on the page)."""
    if moment is None:
        return "belum pernah"
    local = moment.astimezone(tz)
    return f"{local.day} {MONTHS[local.month - 1][:3]} {local.year} {local:%H.%M}"


def month_title(moment: datetime, tz: tzinfo) -> str:
    local = moment.astimezone(tz)
    return f"{MONTHS[local.month - 1]} {local.year}"


def days_ago(moment: datetime | None, now: datetime, tz: tzinfo) -> str:
    """Calendar days, as a person counts them: the 22nd is "3 hari lalu" on the 25th."""
    if moment is None:
        return "belum pernah"
    days = max(0, (now.astimezone(tz).date() - moment.astimezone(tz).date()).days)
    return {0: "hari ini", 1: "kemarin"}.get(days, f"{days} hari lalu")


def problems(state: OfficeState, now: datetime, tz: tzinfo) -> list[str]:
    """The same words as the chat's /kantor and `sopbot pusat`, dated as the page dates."""
    return problem_words(state, now, tz, when)


def disk_plugged(row: FleetRow, tz: tzinfo) -> str:
    """The external disk at the last heartbeat, in words."""
    plugged = row.disk_plugged
    if plugged is None:
        return "tidak dilaporkan"
    if not plugged:
        return "tidak ada yang tercolok"
    label = row.disk_label or "?"
    if plugged < timedelta(hours=1):
        return f"{label} tercolok sejak {when(row.disk_plugged_since, tz)} (kurang dari 1 jam)"
    if plugged < timedelta(days=1):
        return f"{label} tercolok {int(plugged.total_seconds() // 3600)} jam"
    return f"{label} tercolok {plugged.days} hari, sejak {when(row.disk_plugged_since, tz)}"


def kind(name: str) -> str:
    words = KIND_WORDS.get(name, name)
    return words[:1].upper() + words[1:]


def fact(name: str, value: object) -> str:
    """One fact of a record as the office page shows it."""
    if name == "size_bytes":
        return size(value) if isinstance(value, int) else "-"
    if name == "outcome":
        return OUTCOME.get(str(value), str(value))
    if name == "level" and isinstance(value, int):
        return f"{value} ({LEVEL.get(value, '?')})"
    if name == "restore_seconds" and isinstance(value, int | float):
        return seconds_text(float(value))
    if isinstance(value, bool):
        return "ya" if value else "tidak"
    if isinstance(value, int):
        return number(value)
    return str(value)


# The cells of an office's line, as HTML: the fleet page has 514 lines, too many for a template
# macro per cell. Whatever comes from outside (a disk label) is escaped here.
def badge(standing: Standing) -> Markup:
    return BADGE[standing]


NEVER = Markup('<span class="bad">belum pernah</span>')
LOCKED = Markup(' <span class="lock">terenkripsi</span>')
NOT_LOCKED = Markup(' <span class="nolock">TIDAK terenkripsi</span>')
LEFT_IN = Markup('<span class="bad">⚠ ')
END = Markup("</span>")
BADGE = {
    standing: Markup('<span class="badge {}"><span aria-hidden="true">{}</span> {}</span>').format(
        standing.value, sign, word
    )
    for standing, (sign, word) in STANDING.items()
}


def copy_cell(row: FleetRow, tz: tzinfo) -> Markup:
    state = row.state
    if state.last_copy is None:
        return NEVER
    return escape(when(state.last_copy, tz)) + (LOCKED if state.copy_encrypted else NOT_LOCKED)


def drill_cell(row: FleetRow, now: datetime, tz: tzinfo) -> Markup:
    if row.state.last_drill is None:
        return NEVER
    level = f", level {row.drill_level}" if row.drill_level else ""
    return escape(days_ago(row.state.last_drill, now, tz) + level)


def compliance_cell(row: FleetRow) -> Markup:
    if not row.days_reported:
        return escape("belum ada laporan")
    words = escape(f"{row.days_compliant} dari {row.days_reported} hari lengkap")
    if not row.breaches:
        return words
    return words + Markup(' <span class="warn">(') + str(row.breaches) + " tidak lengkap)" + END


def disk_cell(row: FleetRow, tz: tzinfo) -> Markup:
    words = escape(disk_plugged(row, tz))
    return LEFT_IN + words + END if row.disk_left_in else words
