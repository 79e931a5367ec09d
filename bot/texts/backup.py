"""Texts of the dump (SOP step 8), its report (step 9) and the schedule; errors in Indonesian."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime, timedelta, tzinfo

from bot.texts.common import (
    clock_time,
    escape,
    long_date,
    minutes,
    number,
    seconds_text,
    size,
    warning_footer,
)
from jobs.dump.result import DumpResult

# --- the dump (SOP step 8) and its report (step 9) --------------------------------------------


TRIGGERS = {"schedule": "terjadwal", "chat": "atas permintaan", "cli": "dari baris perintah"}


def dump_started(
    file_name: str, backend: str, trigger: str, late_by: timedelta, requester: str | None
) -> str:
    lines = [
        f"⏳ <b>Back up database dimulai</b> ({TRIGGERS.get(trigger, trigger)}"
        + (f" oleh {escape(requester)}" if requester else "")
        + ")",
        f"File: <code>{escape(file_name)}</code> · metode: {escape(backend)}",
    ]
    if late_by > timedelta():
        lines.append(
            f"⚠️ Terlambat {minutes(late_by)} dari jadwal (bot tidak berjalan pada "
            "waktunya); back up dijalankan sekarang."
        )
    return "\n".join(lines)


def dump_progress(started_text: str, percent: float | None, message: str) -> str:
    bar = ""
    if percent is not None:
        filled = int(max(0.0, min(percent, 100.0)) // 10)
        bar = f"[{'█' * filled}{'░' * (10 - filled)}] {percent:.0f}%"
    detail = " · ".join(part for part in (bar, escape(message)) if part)
    return f"{started_text}\nProgres: {detail}" if detail else started_text


OUTCOME_WORDS = {
    "success": "✅ berhasil",
    "warning": "⚠️ selesai dengan peringatan",
    "failed": "❌ gagal",
    "interrupted": "❌ terputus",
}


def dump_report(result: DumpResult, tz: tzinfo, *, with_button: bool) -> str:
    """SOP step 9: the report to the Kabid on a finished dump."""
    lines = [
        f"💾 <b>Laporan back up database</b> (SOP langkah 8–9): "
        f"{OUTCOME_WORDS[result.outcome.value]}",
        f"File: <code>{escape(result.dump_path.name)}</code>",
        f"Ukuran: {size(result.size_bytes)} · durasi {seconds_text(result.duration_seconds)} "
        f"({clock_time(result.started_at, tz)}–{clock_time(result.finished_at, tz)})",
    ]
    if result.sha256:
        lines.append(f"SHA-256: <code>{result.sha256}</code>")
    if result.total_rows is not None:
        lines.append(f"Baris diekspor: {number(result.total_rows)} dari {len(result.tables)} tabel")
        biggest = sorted(result.tables, key=lambda t: t.rows, reverse=True)[:3]
        lines += [f"  • {escape(t.name)}: {number(t.rows)}" for t in biggest]
    for warning in result.warnings[:5]:
        lines.append(f"⚠️ {escape(in_indonesian(warning))}")
    for error in result.errors[:5]:
        lines.append(f"❌ {escape(in_indonesian(error))}")
    if result.ok and with_button:
        lines.append(
            "Langkah berikutnya (10): tugaskan Kasi menyalin file ini ke hard disk "
            "eksternal — tekan tombol di bawah atau kirim /instruksi kasi."
        )
    return "\n".join(lines)


def dump_failed_alert(result: DumpResult) -> str:
    reasons = (
        "\n".join(f"• {escape(in_indonesian(e))}" for e in result.errors[:5])
        or "• sebab tidak diketahui"
    )
    return (
        "🚨 <b>BACK UP DATABASE GAGAL</b>\n"
        f"File yang direncanakan: <code>{escape(result.dump_path.name)}</code>\n"
        f"Penyebab:\n{reasons}\n"
        "ADB: periksa server dan jalankan ulang dengan /backup.\n"
        f"{warning_footer()}"
    )


def dump_busy(file_name: str | None, percent: float | None) -> str:
    where = f" ({percent:.0f}%)" if percent is not None else ""
    name = f" <code>{escape(file_name)}</code>" if file_name else ""
    return f"Back up{name} sedang berjalan{where}. Tunggu sampai selesai."


def dump_interrupted(paths: Sequence[str]) -> str:
    names = ", ".join(f"<code>{escape(p)}</code>" for p in paths)
    return (
        f"⚠️ Back up {names} terputus karena bot berhenti saat back up berjalan. "
        "File tersebut tidak dihitung sebagai back up. ADB: jalankan ulang dengan /backup."
    )


def schedule_line(backup_time: str, pattern: str, next_run: datetime | None, tz: tzinfo) -> str:
    nxt = (
        f"{long_date(next_run.astimezone(tz).date())} {clock_time(next_run, tz)}"
        if next_run
        else "-"
    )
    return f"harian pukul {backup_time}, file <code>{escape(pattern)}</code>, berikutnya {nxt}"


def schedule_view(
    backup_time: str,
    pattern: str,
    next_run: datetime | None,
    tz: tzinfo,
    backend: str,
    can_change: bool,
) -> str:
    lines = [
        "🗓️ <b>Jadwal back up database</b> (SOP langkah 2–7)",
        f"Waktu: setiap hari pukul {backup_time}",
        f"Nama file: <code>{escape(pattern)}</code>",
        f"Metode: {escape(backend)}",
    ]
    if next_run is not None:
        lines.append(
            f"Berikutnya: {long_date(next_run.astimezone(tz).date())} {clock_time(next_run, tz)}"
        )
    if can_change:
        lines.append("Ubah dengan /jadwal JJ:MM (contoh /jadwal 01:30).")
    return "\n".join(lines)


def schedule_changed(old: str, new: str, who: str) -> str:
    return f"🗓️ Jadwal back up harian diubah dari {old} menjadi {new} oleh {escape(who)}."


SCHEDULE_NOT_ALLOWED = "Hanya ADB atau Kabid yang dapat mengubah jadwal back up."


# Our own English error and warning lines (kept as they are in logs and the database), put in
# Indonesian for the chat. Oracle's coded errors are explained from their code.
_INDONESIAN: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern), template)
    for pattern, template in (
        (
            r"^source database not found: (?P<path>.+?)( \(|$)",
            "database sumber tidak ditemukan: {path}",
        ),
        (
            r"^cannot start (?P<program>.+?): (?P<why>.+)$",
            "program {program} tidak dapat dijalankan ({why}); periksa EXPDP_PATH",
        ),
        (
            r"^(?P<program>.+?) exited with code (?P<code>-?\d+) and wrote no log$",
            "program {program} berhenti (kode {code}) tanpa menulis log",
        ),
        (
            r"^dump did not finish within (?P<minutes>\d+) minutes$",
            "back up tidak selesai dalam {minutes} menit dan dihentikan",
        ),
        (
            r"^the dump file (?P<path>.+) was not found after the job finished$",
            "file dump {path} tidak ditemukan setelah job selesai",
        ),
        (r"^the bot stopped while the dump was running$", "bot berhenti saat back up berjalan"),
        (
            r"^dump is (?P<size>\d+) bytes, much smaller than the last good one "
            r"\((?P<last>\d+) bytes\)$",
            "ukuran dump {size} byte, jauh lebih kecil dari back up baik terakhir ({last} byte)",
        ),
        (
            r"^(?P<rows>\d+) rows exported, much fewer than last time \((?P<last>\d+)\)$",
            "baris diekspor {rows}, jauh lebih sedikit dari back up terakhir ({last})",
        ),
        (
            r"^expdp exited with code (?P<code>-?\d+) although the job completed$",
            "program expdp berhenti dengan kode {code}, tetapi job Data Pump selesai",
        ),
        (
            r"^Data Pump job completed with (?P<count>\d+) error\(s\)$",
            "job Data Pump selesai dengan {count} kesalahan",
        ),
        (
            r"^leftover Data Pump job (?P<job>\S+) \((?P<state>[^)]+)\)",
            "job Data Pump lama {job} ({state}) masih tertinggal; hapus tabel masternya",
        ),
        (r"^log file (?P<path>.+?) not found", "file log {path} tidak ditemukan; periksa DUMP_DIR"),
        (r"^job ended in state (?P<state>.+)$", "job Data Pump berakhir dengan status {state}"),
        (
            r"(database or disk is full|No space left on device)",
            "ruang disk untuk dump di server habis (DUMP_DIR penuh); kosongkan ruang lalu /backup",
        ),
    )
)


def in_indonesian(line: str) -> str:
    """One error or warning line as the chat shows it."""
    from jobs.dump.datapump_log import KNOWN_ERRORS, explain

    for pattern, template in _INDONESIAN:
        if match := pattern.search(line):
            return template.format(**match.groupdict())
    code = line.split(":", 1)[0]
    if code in KNOWN_ERRORS:
        return explain(line)
    if re.match(r"^(ORA|UDE|LRM|KUP|DPY)-\d{5}", line):
        return f"kesalahan Oracle {line}"
    return f"kesalahan: {line}"
