"""Texts of the monthly report: the chat's summary, the chart's labels and the CSV's words."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta

from storage.month import GOOD, NO_DATA, MonthReport
from storage.states import DrillOutcome
from texts.common import escape, minutes, month_name, seconds_text

# --- the monthly report -----------------------------------------------------------------------


def report_summary(report: MonthReport, names: Mapping[int, str] | None = None) -> str:
    if not report.days:
        return f"📈 Laporan {month_name(report.month)}: belum ada hari yang dapat dilaporkan."
    percent = f"{report.compliance * 100:.0f}%"
    counted = len(report.recorded_days)
    lines = [
        f"📈 <b>Laporan SOP-PIAK-02 — {month_name(report.month)}</b> ({len(report.days)} hari)",
        f"Kepatuhan SOP: {report.copied_days} dari {counted} hari dengan salinan "
        f"eksternal terverifikasi ({percent}).",
    ]
    if counted < len(report.days):
        lines.append(
            f"{len(report.days) - counted} hari pertama belum ada data (bot belum terpasang); "
            "tidak dihitung sebagai terlewat."
        )
    good = sum(1 for d in report.days if d.dump in GOOD)
    lines.append(
        f"Dump berhasil: {good} hari · gagal/tidak ada: {len(report.missed_days)} hari"
        + (
            " (" + ", ".join(str(d.day) for d in report.missed_days[:15]) + ")"
            if report.missed_days
            else ""
        )
    )
    if report.late_days:
        lines.append(
            "Hari dengan langkah terlambat: " + ", ".join(str(d.day) for d in report.late_days[:15])
        )
    drills = report.drill_days
    if drills:
        passed = [d for d in drills if d.drill == DrillOutcome.PASSED]
        line = f"Uji pulih: {len(drills)} hari diuji, {len(passed)} lulus"
        if passed and passed[-1].restore_seconds is not None:
            line += f"; waktu pemulihan terakhir {seconds_text(passed[-1].restore_seconds)}"
        failed = [str(d.day.day) for d in drills if d.drill == DrillOutcome.FAILED]
        if failed:
            line += " · gagal: tanggal " + ", ".join(failed)
        cut = [str(d.day.day) for d in drills if d.drill == DrillOutcome.INTERRUPTED]
        if cut:
            line += " · terputus: tanggal " + ", ".join(cut)
        unable = [str(d.day.day) for d in drills if d.drill == DrillOutcome.UNTESTABLE]
        if unable:
            line += " · tidak dapat diuji: tanggal " + ", ".join(unable)
        lines.append(line)
    else:
        lines.append("Uji pulih: belum ada bulan ini (/ujipulih).")
    if report.steps:
        lines.append("Rata-rata waktu per langkah (standar):")
        for stat in report.steps:
            mark = "✅" if stat.on_time else "⚠️"
            lines.append(
                f"{mark} langkah {stat.number}: "
                f"{minutes(timedelta(seconds=stat.average_seconds))} "
                f"({minutes(timedelta(seconds=stat.standard_seconds))}, "
                f"{stat.count}×)"
            )
    if report.people:
        lines.append("Per orang (terlambat/jumlah, per langkah):")
        known = names or {}
        for person in report.people:
            mark = "⚠️" if person.late else "✅"
            who = escape(known.get(person.actor_id, f"id {person.actor_id}"))
            lines.append(
                f"{mark} {who}, langkah {person.step}: {person.late}/{person.count} terlambat"
            )
    return "\n".join(lines)


REPORT_USAGE_PROBLEM = "Bulan harus berformat TTTT-BB (tahun 2000–2999), misalnya 2026-11."


def chart_caption(month: date) -> str:
    return f"Grafik back up {month_name(month)}"


CSV_CAPTION = "Data harian (CSV) untuk arsip kantor"


@dataclass(frozen=True)
class ChartWords:
    """The monthly chart's labels; `{name}` fields are filled where it is drawn."""

    title: str  # {month} {year}
    compliance: str  # {copied} {recorded} {share}
    outcomes: tuple[tuple[str, str], ...]  # (a day's dump outcome, its legend), in legend order
    copied: str
    dump_size: str  # {unit}
    dump_duration: str
    restore_passed: str
    restore_failed: str
    duration: str  # {unit}
    day: str
    minutes: str
    seconds: str


# The monthly chart's labels (drawn by `reports/chart.py`).
CHART_WORDS = ChartWords(
    title="Back up data kependudukan — {month} {year}",
    compliance=(
        "Kepatuhan SOP (salinan eksternal terverifikasi): {copied}/{recorded} hari ({share})"
    ),
    outcomes=(
        ("success", "Berhasil"),
        ("warning", "Peringatan"),
        ("failed", "Gagal"),
        ("incomplete", "Tidak lengkap"),
        ("missing", "Tidak ada dump"),
        ("no_data", "Belum ada data (bot belum terpasang)"),
    ),
    copied="Salinan eksternal terverifikasi",
    dump_size="Ukuran dump ({unit})",
    dump_duration="Durasi dump",
    restore_passed="Waktu pemulihan (uji pulih lulus)",
    restore_failed="Uji pulih gagal",
    duration="Durasi ({unit})",
    day="Tanggal",
    minutes="menit",
    seconds="detik",
)


# The monthly CSV (`reports/month_csv.py`): its columns, and one vocabulary for every status.
CSV_COLUMNS = (
    "tanggal",
    "status_dump",
    "file_dump",
    "ukuran_mb",
    "durasi_menit",
    "salinan_eksternal_terverifikasi",
    "langkah_selesai",
    "langkah_wajib",
    "langkah_terlambat",
    "uji_pulih",
    "waktu_pulih_menit",
)
CSV_DUMP_WORDS = {
    "success": "berhasil",
    "warning": "peringatan",
    "failed": "gagal",
    "incomplete": "tidak lengkap",
    "interrupted": "terputus",
    "missing": "tidak ada",
    NO_DATA: "belum ada data",
}
CSV_DRILL_WORDS = {
    "passed": "lulus",
    "failed": "gagal",
    "untestable": "tidak dapat diuji",
    "interrupted": "terputus",
}
CSV_YES, CSV_NO = "ya", "tidak"
