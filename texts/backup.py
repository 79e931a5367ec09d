"""Texts of the dump (SOP step 8), its report (step 9) and the schedule; errors in Indonesian."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta, tzinfo

from jobs.dump.result import DumpResult
from jobs.job import JobAlreadyRunning, JobKind, Progress, Unit
from storage.states import DumpOutcome, Trigger
from texts.common import (
    clock_time,
    escape,
    long_date,
    minutes,
    number,
    seconds_text,
    short_date,
    short_hash,
    size,
    warning_footer,
)
from texts.problems import say

# --- the dump (SOP step 8) and its report (step 9) --------------------------------------------


TRIGGERS: dict[str, str] = {
    Trigger.SCHEDULE: "terjadwal",
    Trigger.CHAT: "atas permintaan",
    Trigger.CLI: "dari baris perintah",
}


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


def progress_detail(progress: Progress) -> str:
    """What a running job has done so far, in words (the bar is drawn by `with_progress`)."""
    done, total = progress.done, progress.total
    if progress.unit is Unit.PAGES and done is not None:
        return f"{done}/{total} halaman"
    if progress.unit is Unit.BYTES and done is not None:
        return f"{size(done)} dari {size(total)}"
    if progress.unit is Unit.TABLES and done is not None:
        last = f", terakhir {progress.current}" if progress.current else ""
        return f"{done} tabel diekspor{last}"
    if progress.state:
        return f"status job: {progress.state}"
    return ""


def with_progress(started_text: str, progress: Progress) -> str:
    return dump_progress(started_text, progress.percent, progress_detail(progress))


def dump_progress(started_text: str, percent: float | None, message: str) -> str:
    bar = ""
    if percent is not None:
        filled = int(max(0.0, min(percent, 100.0)) // 10)
        bar = f"[{'█' * filled}{'░' * (10 - filled)}] {percent:.0f}%"
    detail = " · ".join(part for part in (bar, escape(message)) if part)
    return f"{started_text}\nProgres: {detail}" if detail else started_text


OUTCOME_WORDS: dict[str, str] = {
    DumpOutcome.INCOMPLETE: "❌ tidak lengkap (ada objek yang dilewati)",
    DumpOutcome.SUCCESS: "✅ berhasil",
    DumpOutcome.WARNING: "⚠️ selesai dengan peringatan",
    DumpOutcome.FAILED: "❌ gagal",
    DumpOutcome.INTERRUPTED: "❌ terputus",
    DumpOutcome.RUNNING: "⏳ sedang berjalan",
    DumpOutcome.UNKNOWN: "❔ keadaan tidak dikenal",  # a row from another version of the bot
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
        lines.append(f"SHA-256: <code>{short_hash(result.sha256)}</code>")
    if result.consistent_as_of and result.ok:
        lines.append(f"Konsisten: semua tabel per satu saat ({escape(result.consistent_as_of)})")
    if result.total_rows is not None:
        lines.append(f"Baris diekspor: {number(result.total_rows)} dari {len(result.tables)} tabel")
        biggest = sorted(result.tables, key=lambda t: t.rows, reverse=True)[:3]
        lines += [f"  • {escape(t.name)}: {number(t.rows)}" for t in biggest]
    for warning in result.warnings[:5]:
        lines.append(f"⚠️ {escape(say(warning))}")
    for error in result.errors[:5]:
        lines.append(f"❌ {escape(say(error))}")
    if result.ok and with_button:
        lines.append(
            "Langkah berikutnya (10): tugaskan Kasi menyalin file ini ke hard disk "
            "eksternal — tekan tombol di bawah atau kirim /instruksi kasi."
        )
    return "\n".join(lines)


def dump_failed_alert(result: DumpResult) -> str:
    reasons = (
        "\n".join(f"• {escape(say(e))}" for e in result.errors[:5]) or "• sebab tidak diketahui"
    )
    return (
        "🚨 <b>BACK UP DATABASE GAGAL</b>\n"
        f"File yang direncanakan: <code>{escape(result.dump_path.name or '-')}</code>\n"
        f"Penyebab:\n{reasons}\n"
        "ADB: periksa server dan jalankan ulang dengan /backup.\n"
        f"{warning_footer()}"
    )


def job_busy(busy: JobAlreadyRunning) -> str:
    """The one answer to "start it" while a job of that kind runs: what runs and how far."""
    percent = busy.progress.percent if busy.progress else None
    where = f" ({percent:.0f}%)" if percent is not None else ""
    name = f" <code>{escape(busy.started.subject.name)}</code>" if busy.started else ""
    if busy.kind is JobKind.DRILL:
        return f"Uji pulih{name} sedang berjalan{where}. Tunggu sampai selesai."
    if busy.kind is JobKind.COPY:
        return (
            f"Penyalinan{name} ke hard disk eksternal sedang berjalan{where}. "
            "Tunggu sampai selesai."
        )
    return f"Back up{name} sedang berjalan{where}. Tunggu sampai selesai."


def dump_interrupted(paths: Sequence[str]) -> str:
    names = ", ".join(f"<code>{escape(p)}</code>" for p in paths)
    return (
        f"⚠️ Back up {names} terputus karena bot berhenti saat back up berjalan. "
        "File tersebut tidak dihitung sebagai back up. ADB: jalankan ulang dengan /backup."
    )


def schedule_line(backup_time: str, file_name: str, next_run: datetime | None, tz: tzinfo) -> str:
    nxt = (
        f"{long_date(next_run.astimezone(tz).date())} {clock_time(next_run, tz)}"
        if next_run
        else "-"
    )
    return f"harian pukul {backup_time}, berikutnya {nxt}, file <code>{escape(file_name)}</code>"


def short_schedule_line(backup_time: str, next_run: datetime | None, tz: tzinfo) -> str:
    nxt = (
        f"{short_date(next_run.astimezone(tz).date())} {clock_time(next_run, tz)}"
        if next_run
        else "-"
    )
    return f"harian {backup_time}, berikutnya {nxt}"


def schedule_view(
    backup_time: str,
    pattern: str,
    next_run: datetime | None,
    tz: tzinfo,
    backend: str,
    can_change: bool,
    next_file: str = "",
) -> str:
    named = f"<code>{escape(next_file)}</code> (pola " if next_file else ""
    lines = [
        "🗓️ <b>Jadwal back up database</b> (SOP langkah 2–7)",
        f"Waktu: setiap hari pukul {backup_time}",
        f"Nama file: {named}<code>{escape(pattern)}</code>{')' if next_file else ''}",
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
