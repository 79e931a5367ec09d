"""Texts of the warnings, the daily summary and the reminders."""

from __future__ import annotations

from datetime import datetime, timedelta, tzinfo
from pathlib import Path

from core.problems import Problem
from jobs.watchdog import Summary
from storage.copies import CopyRecord
from storage.dumps import DumpRecord
from storage.soplog import InstructionRecord
from texts.backup import OUTCOME_WORDS
from texts.chat import instruction_task
from texts.common import (
    ROLE_SHORT,
    clock_time,
    escape,
    long_date,
    minutes,
    size,
    warning_footer,
)
from texts.drill import drill_line
from texts.evidence import fingerprint_line
from texts.problems import say

# --- warnings and the daily summary -----------------------------------------------------------


def missing_dump_alert(due: datetime, last_good: DumpRecord | None, tz: tzinfo) -> str:
    last = (
        f"Back up baik terakhir: <code>{escape(Path(last_good.file_path).name)}</code> "
        f"({long_date(last_good.started_at.astimezone(tz).date())} "
        f"{clock_time(last_good.started_at, tz)})."
        if last_good
        else "Belum pernah ada back up yang berhasil."
    )
    return (
        "🚨 <b>BACK UP HARIAN BELUM ADA</b>\n"
        f"Sampai batas waktu {clock_time(due, tz)} belum ada back up database yang berhasil "
        f"hari ini. {last}\n"
        "ADB: periksa server dan jalankan /backup.\n"
        f"{warning_footer()}"
    )


def stale_external_alert(
    last_copy: CopyRecord | None, max_age: timedelta, now: datetime, tz: tzinfo
) -> str:
    if last_copy is None or last_copy.finished_at is None:
        # Never made, or each one since found damaged or on a disk reported lost.
        since = "Tidak ada salinan terverifikasi yang masih berlaku di hard disk eksternal."
    else:
        when = last_copy.finished_at
        since = (
            f"Salinan terverifikasi terakhir: {long_date(when.astimezone(tz).date())} "
            f"{clock_time(when, tz)} ({minutes(now - when)} lalu)."
        )
    return (
        "🚨 <b>SALINAN HARD DISK EKSTERNAL SUDAH TERLALU LAMA</b>\n"
        f"{since} Batas: {minutes(max_age)}.\n"
        "Kasi: pasang hard disk eksternal dan kirim /salin.\n"
        f"{warning_footer()}"
    )


def daily_summary(summary: Summary, tz: tzinfo) -> str:
    lines = [f"🌅 <b>Ringkasan back up</b> — {long_date(summary.at.astimezone(tz).date())}"]
    dump = summary.last_dump
    if dump is None:
        lines.append("Dump terakhir: belum ada.")
    else:
        lines.append(
            f"Dump terakhir: {OUTCOME_WORDS.get(dump.outcome, dump.outcome)} — "
            f"<code>{escape(Path(dump.file_path).name)}</code>, {size(dump.size_bytes)}, "
            f"{long_date(dump.started_at.astimezone(tz).date())} {clock_time(dump.started_at, tz)}"
        )
        if summary.dump_copied:
            copied = "✅ terverifikasi"
        elif summary.copy_lost_on is not None:
            copied = f"❌ hanya di hard disk {escape(summary.copy_lost_on)} yang dilaporkan hilang"
        else:
            copied = "⏳ belum ada"
        lines.append(f"Salinan eksternal dump itu: {copied}")
    copy = summary.last_copy
    if copy is not None and copy.finished_at is not None:
        days = (summary.at - copy.finished_at).days
        lines.append(
            f"Salinan terverifikasi terakhir: {days} hari lalu "
            f"({escape(Path(copy.dest_path).name)}, hard disk {escape(copy.disk_label)})"
        )
    else:
        lines.append("Salinan terverifikasi terakhir: tidak ada yang masih berlaku.")
    lines.append(f"Ruang kosong server: {size(summary.server_free)}")
    if summary.external_problem is not None:
        lines.append("Hard disk eksternal: " + escape(say(summary.external_problem)))
    elif summary.external_free is not None:
        lines.append(f"Ruang kosong hard disk eksternal: {size(summary.external_free)}")
    lines.append(drill_line(summary.last_drill, summary.last_passed_drill, tz))
    if summary.fingerprint is not None:
        lines.append(fingerprint_line(summary.fingerprint.size, summary.fingerprint.head))
    return "\n".join(lines)


def unplug_reminder(label: str, copied_at: datetime, tz: tzinfo) -> str:
    return (
        f"🔌 <b>Cabut hard disk {escape(label)}</b>: salinan terverifikasi sudah selesai pukul "
        f"{clock_time(copied_at, tz)}. Lepas hard disk sekarang dan simpan di tempat aman — "
        "hard disk yang tetap terpasang ikut terenkripsi bila server terkena ransomware."
    )


def plugged_too_long(label: str, since: datetime, tz: tzinfo) -> str:
    return (
        f"⚠️ Hard disk back up {escape(label)} terpasang di server sejak "
        f"{long_date(since.astimezone(tz).date())} {clock_time(since, tz)}. Salinan offline "
        "hanya aman bila hard disk dicabut dan disimpan; mohon minta Kasi mencabutnya."
    )


def breach_reminder(label: str, deadline: datetime, tz: tzinfo) -> str:
    return (
        f"⏰ <b>Pemberitahuan kebocoran data pribadi</b>: hard disk {escape(label)} yang hilang "
        "memuat salinan TIDAK terenkripsi. UU 27/2022 Pasal 46 mewajibkan pemberitahuan "
        f"tertulis paling lambat {long_date(deadline.astimezone(tz).date())} "
        f"{clock_time(deadline, tz)}. Draf pemberitahuan sudah dikirim bersama laporan /hilang."
    )


def database_alarm(trouble: Problem) -> str:
    return (
        "🚨 <b>LOG SOP TIDAK DAPAT DITULIS</b>\n"
        f"{escape(say(trouble))}.\n"
        "Perintah yang dikirim sekarang <b>tidak tercatat</b>. Back up tetap berjalan; hasilnya "
        "disimpan di jurnal cadangan dan digabungkan begitu log dapat ditulis lagi.\n"
        "ADB: kosongkan ruang disk server atau periksa file basis data (DATABASE_URL)."
    )


def database_back(merged: int) -> str:
    kept = f" {merged} hasil back up dari jurnal cadangan sudah digabungkan." if merged else ""
    return f"✅ Log SOP dapat ditulis lagi.{kept}"


def overdue_reminder(instruction: InstructionRecord, late_by: timedelta) -> str:
    return (
        f"⏰ <b>Pengingat</b>: instruksi #{instruction.id} "
        f"({instruction_task(instruction.target_role)}) sudah lewat standar waktu "
        f"{minutes(late_by)}. Bila sudah selesai, kirim /selesai {instruction.id}."
    )


def overdue_to_kabid(instruction: InstructionRecord, late_by: timedelta) -> str:
    return (
        f"⏰ Instruksi #{instruction.id} untuk {ROLE_SHORT[instruction.target_role]} "
        f"belum selesai, terlambat {minutes(late_by)} dari standar SOP. Pengingat sudah "
        "dikirim."
    )


def first_start(schedule: str) -> str:
    return (
        "👋 <b>Bot SOP-PIAK-02 Back Up Data Kependudukan sudah aktif.</b>\n"
        f"Back up database: {schedule}.\n"
        "Peringatan baru dikirim bila back up terjadwal pertama tidak berhasil atau salinan ke "
        "hard disk eksternal terlambat. Kirim /bantuan untuk perintah sesuai peran Anda."
    )
