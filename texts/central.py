"""Texts of the central view (/kantor, the supervisor's daily summary, `sopbot pusat`) and of the
office's link to the central database."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date, datetime, tzinfo

from storage.central.view import NO_COPY, NO_DRILL, NO_DUMP, NOT_ENCRYPTED, SILENT, OfficeState
from storage.central_queue import SetAside
from texts.common import escape

__all__ = [
    "KANTOR_PAGE",
    "NO_CENTRAL",
    "central_aside_line",
    "central_down",
    "central_line",
    "central_set_aside",
    "central_unreachable",
    "login_replaced",
    "office_line",
    "office_table",
    "problem_words",
    "pusat_ready",
    "pusat_summary",
]

KANTOR_PAGE = 20  # offices per /kantor page

NO_CENTRAL = (
    "Bot ini tidak terhubung ke database pusat (CENTRAL_DATABASE_URL belum diatur). "
    'ADB: lihat bagian "Banyak kantor" di README.'
)


def _when(moment: datetime | None, tz: tzinfo) -> str:
    return "belum pernah" if moment is None else f"{moment.astimezone(tz):%d/%m %H:%M}"


def problem_words(
    state: OfficeState,
    now: datetime,
    tz: tzinfo,
    when: Callable[[datetime | None, tzinfo], str] = _when,
) -> list[str]:
    """An office's problems in words, worst first (plain text: the caller escapes them); `when`
    writes a moment as the caller's page does."""
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


def office_line(state: OfficeState, now: datetime, tz: tzinfo) -> str:
    """One office on one line: id, name, last good dump, last verified copy (🔒 encrypted),
    last passed drill, days without a copy, last sign of life; its problems."""
    mark = "✅" if state.safe else "❌"
    lock = "" if state.last_copy is None else (" 🔒" if state.copy_encrypted else " 🔓")
    days = state.days_without_copy(now)
    parts = [
        f"dump {_when(state.last_dump, tz)}",
        f"salinan {_when(state.last_copy, tz)}{lock}",
        f"uji pulih {_when(state.last_drill, tz)}",
        f"{'-' if days is None else days} hari tanpa salinan",
        f"aktif {_when(state.seen_at, tz)}",
    ]
    if state.set_aside:
        parts.append(f"{state.set_aside} catatan ditolak pusat, disimpan di kantor")
    line = f"{mark} <b>{escape(state.office_id)}</b> {escape(state.name)} · " + " · ".join(parts)
    problems = problem_words(state, now, tz)
    return line + (f"\n    ⚠️ {escape('; '.join(problems))}" if problems else "")


def office_table(
    states: Sequence[OfficeState],
    now: datetime,
    tz: tzinfo,
    page: int = 1,
    per_page: int = 0,
    *,
    supervisor: bool = True,
) -> str:
    unsafe = sum(1 for s in states if not s.safe)
    lines = [
        f"🏛️ <b>Bukti back up kantor</b> — {len(states)} kantor, "
        f"{unsafe} tidak aman · {now.astimezone(tz):%d/%m/%Y %H:%M}"
    ]
    if not supervisor:
        lines.append("ℹ️ Login ini milik satu kantor: hanya kantor ini yang terlihat.")
    if not states:
        lines.append("Belum ada kantor yang terdaftar di database pusat.")
    shown = states
    if per_page:
        last_page = max(1, -(-len(states) // per_page))
        shown = states[(page - 1) * per_page : page * per_page]
        if last_page > 1:
            more = f" · kirim /kantor {page + 1} untuk berikutnya" if page < last_page else ""
            lines.append(f"Halaman {page} dari {last_page}{more}")
    lines.extend(office_line(state, now, tz) for state in shown)
    return "\n".join(lines)


def pusat_summary(states: Sequence[OfficeState], now: datetime, tz: tzinfo) -> str:
    """The supervisor's morning message: the unsafe offices only (worst first), or all clear."""
    unsafe = [s for s in states if not s.safe]
    if not unsafe:
        return (
            f"🏛️ <b>Ringkasan pusat</b> {now.astimezone(tz):%d/%m/%Y}: semua {len(states)} "
            "kantor aman (dump, salinan terenkripsi, uji pulih, bot aktif)."
        )
    head = (
        f"🏛️ <b>Ringkasan pusat</b> {now.astimezone(tz):%d/%m/%Y}: "
        f"<b>{len(unsafe)} dari {len(states)} kantor tidak aman</b>"
    )
    lines = [head, *(office_line(s, now, tz) for s in unsafe[:KANTOR_PAGE])]
    if len(unsafe) > KANTOR_PAGE:
        lines.append(f"… dan {len(unsafe) - KANTOR_PAGE} kantor lainnya: kirim /kantor.")
    return "\n".join(lines)


def pusat_ready(revision: str | None, logins: int, legacy: Sequence[str], no_temp: bool) -> str:
    """`sopbot pusat init`: what was set up, and what the administrator still has to do."""
    lines = [
        f"Database pusat siap (skema {revision}): peran sopbot_kantor dan sopbot_pusat; batas "
        f"sesi dan koneksi diterapkan pada {logins} login."
    ]
    if legacy:
        lines.append(
            f"⚠️ {len(legacy)} login masih bernama lama yang menyebut kode kantor atau nama "
            "pengawas (terlihat oleh semua login): jalankan lagi `sopbot pusat kantor add <kode> "
            "<nama>` / `sopbot pusat pengawas add <nama>` untuk masing-masing dan berikan baris "
            "barunya ke kantor atau pengawas itu."
        )
    if no_temp:
        lines.append(
            "⚠️ temp_file_limit tidak dapat dipasang (perlu superuser PostgreSQL): berkas "
            "sementara sebuah login tidak dibatasi."
        )
    return "\n".join(lines)


def login_replaced(old: str) -> str:
    return (
        f"⚠️ Login lama {old} (namanya menyebut pemiliknya) dihapus dan diganti login baru: "
        "berikan baris di bawah ini ke pemakainya; baris lama tidak dapat dipakai lagi."
    )


def central_line(
    queued: int, oldest: datetime | None, last_sent: datetime | None, error: str, tz: tzinfo
) -> str:
    """The office's own /status line on its reports to the central database."""
    if queued == 0:
        return f"🏛️ Laporan ke pusat: ✅ semua terkirim (terakhir {_when(last_sent, tz)})"
    trouble = " · pusat belum dapat dihubungi" if error else ""
    return (
        f"🏛️ Laporan ke pusat: ⏳ {queued} catatan menunggu sejak {_when(oldest, tz)}{trouble} "
        "(tidak hilang, dikirim saat tersambung)"
    )


def central_down(oldest: datetime, queued: int, error: str, tz: tzinfo) -> str:
    reason = f"\nKeterangan teknis: <code>{escape(error)}</code>" if error else ""
    return (
        f"⚠️ Bukti back up belum terkirim ke database pusat sejak {_when(oldest, tz)}: "
        f"{queued} catatan menunggu di server kantor dan akan dikirim otomatis. Back up kantor "
        "tetap berjalan seperti biasa. ADB: periksa jaringan, CENTRAL_DATABASE_URL dan "
        f"OFFICE_ID (sopbot check).{reason}"
    )


KIND_WORDS = {
    "dump": "dump",
    "copy": "salinan",
    "drill": "uji pulih",
    "day": "hari SOP",
    "check": "pemeriksaan salinan",
    "disk": "disk hilang atau ditemukan",
}


def central_set_aside(records: Sequence[SetAside], tz: tzinfo) -> str:
    """Records the central database refused for good: kept at the office, not in the queue's
    way (the rest is still sent), and tried again once a day."""
    lines = [
        f"⚠️ {len(records)} catatan bukti tidak dapat disimpan di database pusat dan "
        "<b>disisihkan</b> (tetap tersimpan di server kantor; catatan lain tetap dikirim; dicoba "
        "lagi sekali sehari):"
    ]
    for record in records[:10]:
        what = KIND_WORDS.get(record.kind, record.kind)
        lines.append(
            f"• {escape(what)} <code>{escape(record.key[-40:])}</code> "
            f"({_when(record.at, tz)}): <code>{escape(record.reason[:200])}</code>"
        )
    if len(records) > 10:
        lines.append(f"… dan {len(records) - 10} lainnya.")
    lines.append("ADB: periksa isi catatan itu (mis. label disk yang terlalu panjang).")
    return "\n".join(lines)


def central_aside_line(count: int) -> str:
    """The office's /status line on records the central database refused for good."""
    return f"🏛️ ⚠️ {count} catatan disisihkan: database pusat menolak menyimpannya"


def central_unreachable() -> str:
    return (
        "⚠️ Database pusat tidak dapat dihubungi saat ini. Coba lagi beberapa saat lagi; "
        "bila berlanjut, ADB memeriksa jaringan dan CENTRAL_DATABASE_URL."
    )


def guard_ended_line(role: str, group: str, state: str, seconds: int) -> str:
    """One session `sopbot pusat penjaga` ended (printed for the central administrator)."""
    who = {"sopbot_kantor": "kantor", "sopbot_pusat": "pengawas"}.get(group, "tampilan web")
    doing = "menjalankan perintah" if state == "active" else "membiarkan transaksi terbuka"
    return f"Diakhiri: sesi login {who} {role}, {doing} selama {seconds} detik (melewati batas)."


def guard_summary(ended: int) -> str:
    if not ended:
        return "Penjaga: tidak ada sesi yang melewati batas waktunya."
    return f"Penjaga: {ended} sesi diakhiri karena melewati batas waktu loginnya."


# The supervisor's chart, offices x days (`central/chart.py`): one legend per cell, in cell order.
GRID_LEGEND = (
    "Belum ada data",  # before the office began reporting
    "Tidak ada back up baik",
    "Dump baik, belum disalin",
    "Salinan terverifikasi",
)


def grid_title(first: date, last: date) -> str:
    return f"Back up per kantor, {first:%d/%m/%Y}–{last:%d/%m/%Y}"
