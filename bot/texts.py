"""Every text the bot sends, in Bahasa Indonesia. Messages are HTML: user text is escaped here."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import date, datetime, timedelta, tzinfo
from html import escape as _escape
from pathlib import Path

from bot.commands import Command
from jobs.dump.result import DumpResult
from jobs.external.listing import DiskListing, VerifyReport
from jobs.external.service import CopyResult
from jobs.report import MonthReport
from jobs.watchdog import Summary
from sopbot.indonesian import DAYS, MONTHS
from sopbot.sop import (
    ASSIGNMENTS,
    ROLE_TITLES,
    SOP_WARNING,
    STEPS,
    Role,
    StepKind,
    duration_standard,
)
from sopbot.timing import Timeliness, whole_minutes
from storage.dumplog import CopyRecord, DumpRecord, PrunedRecord
from storage.soplog import DayStatus, InstructionRecord, StepRecord


def escape(text: str) -> str:
    """Text from people or programs made safe for an HTML message: control characters dropped
    (they could hide or reorder what is shown), <, > and & escaped."""
    visible = "".join(ch for ch in text if ch in "\n\t" or ch.isprintable() or ch == " ")
    return _escape(visible, quote=False)


ROLE_SHORT = {Role.KABID: "Kabid", Role.KASI: "Kasi", Role.ADB: "ADB"}
MAX_NOTE_LENGTH = 1000


def long_date(day: date) -> str:
    return f"{DAYS[day.weekday()]}, {day.day} {MONTHS[day.month - 1]} {day.year}"


def short_date(day: date) -> str:
    return f"{DAYS[day.weekday()][:3]} {day.day:02d}/{day.month:02d}"


def clock_time(moment: datetime, tz: tzinfo) -> str:
    return moment.astimezone(tz).strftime("%H:%M")


def minutes(delta: timedelta) -> str:
    total = whole_minutes(delta)
    if total < 60:
        return f"{total} menit"
    hours, rest = divmod(total, 60)
    return f"{hours} jam {rest} menit" if rest else f"{hours} jam"


def timeliness(t: Timeliness) -> str:
    verdict = "tepat waktu" if t.on_time else f"terlambat {minutes(t.late_by)}"
    return f"{minutes(t.duration)} (standar {minutes(t.standard)}): {verdict}"


def person(user_id: int | None, names: Mapping[int, str]) -> str:
    if user_id is None:
        return "bot"
    return escape(names.get(user_id, f"id {user_id}"))


def roles_text(roles: frozenset[Role]) -> str:
    return ", ".join(ROLE_TITLES[role] for role in Role if role in roles)


# --- introductions and refusals ---------------------------------------------------------------


def welcome(name: str, roles: frozenset[Role], commands: Sequence[Command]) -> str:
    lines = [
        f"Halo, {escape(name)}. Saya bot SOP-PIAK-02 <b>Back Up Data Kependudukan</b>.",
        f"Peran Anda: <b>{roles_text(roles)}</b>.",
        "",
        "Perintah yang dapat Anda gunakan:",
    ]
    lines += [f"{escape(c.usage)} — {escape(c.description)}" for c in commands]
    return "\n".join(lines)


def stranger(user_id: int) -> str:
    return (
        "Mohon maaf, Anda belum terdaftar sebagai petugas SOP back up data kependudukan, "
        f"sehingga perintah ini tidak dapat dijalankan. ID Telegram Anda: <code>{user_id}</code>. "
        "Hubungi Administrator Database bila Anda seharusnya terdaftar."
    )


def wrong_role(command: Command, roles: frozenset[Role]) -> str:
    allowed = " atau ".join(ROLE_SHORT[r] for r in Role if r in command.roles)
    return (
        f"Perintah /{command.name} hanya untuk {allowed}. "
        f"Peran Anda: {roles_text(roles)}. Tidak ada yang diubah."
    )


def usage(command: Command, problem: str = "") -> str:
    prefix = f"{problem}\n" if problem else ""
    return f"{prefix}Cara pakai: <code>{escape(command.usage)}</code>"


NOTE_TOO_LONG = f"Catatan terlalu panjang (maksimal {MAX_NOTE_LENGTH} karakter)."
BUTTON_EXPIRED = "Tombol ini sudah tidak berlaku."
INTERNAL_ERROR = (
    "Maaf, terjadi kesalahan di bot saat memproses perintah Anda. Tidak ada yang hilang; "
    "kesalahan sudah dicatat untuk Administrator Database. Silakan coba lagi."
)


# --- instructions -----------------------------------------------------------------------------


def instruction_task(target: Role) -> str:
    assignment = ASSIGNMENTS[target]
    first, last = assignment.covered_steps[0], assignment.covered_steps[-1]
    steps = f"langkah {first}" if first == last else f"langkah {first}–{last}"
    return f"{escape(assignment.task)} (SOP {steps})"


def instruction_delivered(instruction: InstructionRecord, issuer: str) -> str:
    assignment = ASSIGNMENTS[instruction.target_role]
    lines = [
        f"📋 <b>Instruksi #{instruction.id}</b> dari {escape(issuer)} (Kabid)",
        instruction_task(instruction.target_role),
    ]
    if instruction.note:
        lines.append(f"Catatan: {escape(instruction.note)}")
    lines += [
        f"Standar waktu: {minutes(assignment.standard)}.",
        f"Bila sudah selesai, tekan tombol di bawah atau kirim /selesai {instruction.id}.",
    ]
    return "\n".join(lines)


def instruction_for_group(instruction: InstructionRecord, issuer: str) -> str:
    target = ROLE_SHORT[instruction.target_role]
    note = f"\nCatatan: {escape(instruction.note)}" if instruction.note else ""
    return (
        f"📋 Instruksi #{instruction.id}: {escape(issuer)} (Kabid) menugaskan {target}: "
        f"{instruction_task(instruction.target_role)}.{note}"
    )


def instruction_confirmation(
    instruction: InstructionRecord,
    delivered: Sequence[str],
    failed: Sequence[tuple[str, str]],
    group_ok: bool | None,
    waiting: Sequence[str] = (),
) -> str:
    target = ROLE_SHORT[instruction.target_role]
    lines = [f"Instruksi #{instruction.id} untuk {target} tercatat."]
    if delivered:
        lines.append(f"Terkirim kepada: {', '.join(escape(n) for n in delivered)}.")
    for name, reason in failed:
        lines.append(f"⚠️ Tidak terkirim kepada {escape(name)}: {reason}")
    if waiting:
        lines.append(
            f"⏳ Menunggu Telegram untuk: {', '.join(escape(n) for n in waiting)} "
            "(dikirim otomatis begitu tersambung)."
        )
    if not delivered and not waiting:
        lines.append(f"⚠️ Belum ada {target} yang menerima instruksi ini; mohon sampaikan langsung.")
    if group_ok is False:
        lines.append("⚠️ Salinan ke grup kantor gagal terkirim.")
    return "\n".join(lines)


def delivery_failure_reason(description: str) -> str:
    if "blocked" in description:
        return "pengguna memblokir bot."
    if "initiate" in description or "chat not found" in description:
        return "pengguna belum pernah memulai percakapan dengan bot (minta ia mengirim /start)."
    return "Telegram menolak pesan."


def instruction_closed_note(instruction: InstructionRecord, closer: str, tz: tzinfo) -> str:
    assert instruction.closed_at is not None
    return f"✅ Selesai oleh {escape(closer)} pukul {clock_time(instruction.closed_at, tz)}."


def closed_reply(instruction: InstructionRecord, result: Timeliness) -> str:
    return (
        f"Terima kasih. Instruksi #{instruction.id} ditutup dan dicatat.\n"
        f"Waktu pelaksanaan: {timeliness(result)}."
    )


def report_to_kabid(
    instruction: InstructionRecord,
    closer: str,
    result: Timeliness,
    tz: tzinfo,
    *,
    with_button: bool = True,
) -> str:
    assignment = ASSIGNMENTS[instruction.target_role]
    role = ROLE_SHORT[instruction.target_role]
    if instruction.target_role is Role.ADB:
        headline = (
            f"✅ <b>Laporan ADB</b> (SOP langkah {assignment.report_step}): back up data "
            "kependudukan harian pada server sudah dilaksanakan."
        )
    else:
        headline = (
            f"✅ <b>Laporan Kasi</b> (SOP langkah {assignment.report_step}): back up data "
            "kependudukan ke hard disk eksternal sudah dilaksanakan."
        )
    assert instruction.closed_at is not None
    lines = [
        headline,
        f"Instruksi #{instruction.id}, diselesaikan oleh {escape(closer)} ({role}) pukul "
        f"{clock_time(instruction.closed_at, tz)}.",
        f"Waktu pelaksanaan: {timeliness(result)}.",
    ]
    if instruction.close_note:
        lines.append(f"Catatan: {escape(instruction.close_note)}")
    if instruction.target_role is Role.ADB:
        how = "tekan tombol di bawah atau kirim" if with_button else "Kabid mengirim"
        lines.append(
            "Langkah berikutnya (10): Kabid menugaskan Kasi menyalin back up ke hard "
            f"disk eksternal — {how} /instruksi kasi."
        )
    return "\n".join(lines)


def no_open_instruction() -> str:
    return "Tidak ada instruksi terbuka untuk Anda saat ini."


def choose_instruction(open_ones: Sequence[InstructionRecord], tz: tzinfo) -> str:
    lines = ["Ada beberapa instruksi terbuka. Pilih yang sudah selesai:"]
    lines += [
        f"#{i.id} — untuk {ROLE_SHORT[i.target_role]}, {short_date(i.run_date)} "
        f"{clock_time(i.issued_at, tz)}"
        for i in open_ones
    ]
    lines.append("atau kirim /selesai &lt;nomor&gt; [catatan].")
    return "\n".join(lines)


def close_refused(
    reason: str,
    instruction_id: int,
    instruction: InstructionRecord | None,
    names: Mapping[int, str],
    tz: tzinfo,
) -> str:
    if reason == "unknown":
        return f"Instruksi #{instruction_id} tidak ditemukan."
    if reason == "wrong_role" and instruction is not None:
        return (
            f"Instruksi #{instruction_id} ditujukan kepada "
            f"{ROLE_SHORT[instruction.target_role]}, bukan kepada Anda. Tidak ada yang diubah."
        )
    if instruction is not None and instruction.closed_at is not None:
        return (
            f"Instruksi #{instruction_id} sudah ditutup oleh "
            f"{person(instruction.closed_by, names)} pukul "
            f"{clock_time(instruction.closed_at, tz)}."
        )
    return f"Instruksi #{instruction_id} tidak dapat ditutup."


# --- status and history -----------------------------------------------------------------------

OUTCOME_ICON = {"done": "✅", "confirmed": "☑️", "warning": "⚠️", "failed": "❌"}


def _event_line(event: StepRecord, names: Mapping[int, str], tz: tzinfo) -> str:
    who = person(event.actor_id, names)
    text = f"{who}, {clock_time(event.finished_at, tz)}"
    if event.outcome == "confirmed":
        text += " (dikonfirmasi)"
    if event.duration is not None:
        standard = duration_standard(event.step_number)
        text += f", {timeliness(Timeliness(event.duration, standard))}"
    return text


def day_status(
    status: DayStatus, names: Mapping[int, str], tz: tzinfo, now: datetime, schedule_summary: str
) -> str:
    lines = [f"📊 <b>Status SOP-PIAK-02</b> — {long_date(status.run_date)}"]
    schedule_steps = [s for s in STEPS if s.kind is StepKind.SCHEDULE]
    for step in STEPS:
        if step.kind is StepKind.SCHEDULE:
            if step is schedule_steps[0]:
                first, last = schedule_steps[0].number, schedule_steps[-1].number
                lines.append(
                    f"⚙️ {first}–{last}. Pengaturan back up harian (Task Scheduler): "
                    f"digantikan jadwal bot — {schedule_summary}"
                )
            continue
        events = status.events_for(step.number)
        if events:
            event = events[-1]
            icon = OUTCOME_ICON.get(event.outcome, "•")
            detail = _event_line(event, names, tz)
            if event.note and event.outcome in ("failed", "warning"):
                detail += f" — {escape(event.note[:200])}"
        else:
            icon, detail = "⏳", f"belum (standar {minutes(step.standard)})"
        lines.append(f"{icon} {step.number}. {escape(step.title)} — {detail}")
    open_ones = [i for i in status.instructions if i.status == "open"]
    for instruction in open_ones:
        waited = now - instruction.issued_at
        standard = ASSIGNMENTS[instruction.target_role].standard
        state = (
            f"terlambat {minutes(waited - standard)}"
            if waited > standard
            else f"berjalan {minutes(waited)}"
        )
        lines.append(
            f"🕒 Instruksi #{instruction.id} untuk {ROLE_SHORT[instruction.target_role]} "
            f"masih terbuka ({state}, standar {minutes(standard)})."
        )
    done, required = len(status.done_steps), len(status.required_steps)
    if status.complete:
        lines.append(f"\n<b>Lengkap</b>: semua {required} langkah wajib hari ini selesai.")
    else:
        lines.append(f"\n{done} dari {required} langkah wajib selesai.")
    return "\n".join(lines)


def history(statuses: Sequence[DayStatus]) -> str:
    lines = [f"🗓️ <b>Riwayat SOP-PIAK-02</b> ({len(statuses)} hari terakhir)"]
    for status in statuses:
        done, required = len(status.done_steps), len(status.required_steps)
        failed = any(e.outcome == "failed" for e in status.events)
        if status.complete:
            icon, word = "✅", "lengkap"
        elif not status.events:
            icon, word = "⬜", "tidak ada kegiatan"
        else:
            icon, word = ("❌" if failed else "🟡"), f"{done}/{required} langkah"
        lines.append(f"{icon} {short_date(status.run_date)}: {word}")
    return "\n".join(lines)


def warning_footer() -> str:
    return f"⚠️ Peringatan SOP: {SOP_WARNING}"


WRONG_CHAT = (
    "Bot ini hanya melayani chat pribadi petugas dan grup kantor yang terdaftar. "
    "Tidak ada yang diubah."
)
UNKNOWN_COMMAND = "Perintah tidak dikenal. Kirim /bantuan untuk melihat perintah Anda."


# --- the dump (SOP step 8) and its report (step 9) --------------------------------------------


def size(num_bytes: int | None) -> str:
    if num_bytes is None:
        return "-"
    value = float(num_bytes)
    for unit in ("B", "KB", "MB", "GB", "TB"):
        if value < 1024 or unit == "TB":
            text = f"{value:.0f}" if unit == "B" else f"{value:.1f}".replace(".", ",")
            return f"{text} {unit}"
        value /= 1024
    return f"{num_bytes} B"


def number(value: int | None) -> str:
    return "-" if value is None else f"{value:,}".replace(",", ".")


def seconds_text(total: float) -> str:
    total_int = round(total)
    if total_int < 60:
        return f"{total_int} detik"
    return minutes(timedelta(seconds=total_int))


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


# --- the external copy (SOP step 11), record keeping ------------------------------------------

DISK_PROBLEMS = {
    "missing": "hard disk eksternal tidak terpasang (folder EXTERNAL_DISK_PATH tidak ada). "
    "Pasang hard disk lalu kirim /salin.",
    "not_separate": "lokasi EXTERNAL_DISK_PATH berada pada disk yang sama dengan server, "
    "bukan hard disk eksternal.",
    "no_identity": "hard disk ini belum didaftarkan. ADB: jalankan `sopbot disk init` sekali "
    "pada hard disk ini.",
    "wrong_disk": "hard disk yang terpasang bukan hard disk back up yang terdaftar "
    "(EXTERNAL_DISK_IDS).",
    "read_only": "hard disk eksternal tidak dapat ditulisi (hanya-baca atau tanpa izin).",
    "full": "ruang kosong hard disk eksternal tidak cukup untuk file ini.",
}


def copy_started(file_name: str, size_bytes: int, trigger: str, requester: str | None) -> str:
    who = f" oleh {escape(requester)}" if requester else ""
    how = {
        "auto": "otomatis",
        "instruction": "dari instruksi",
        "chat": "atas permintaan",
        "cli": "dari baris perintah",
    }.get(trigger, trigger)
    return (
        f"💽 <b>Menyalin back up ke hard disk eksternal</b> ({how}{who})\n"
        f"File: <code>{escape(file_name)}</code> · {size(size_bytes)}"
    )


def copy_progress(header: str, done: int, total: int) -> str:
    percent = 100.0 * done / total if total else None
    return dump_progress(header, percent, f"{size(done)} dari {size(total)}")


def copy_done(result: CopyResult, tz: tzinfo) -> str:
    assert result.dest is not None and result.finished_at and result.started_at
    lines = [
        "✅ <b>Salinan ke hard disk eksternal terverifikasi</b> (SOP langkah 11)",
        f"File: <code>{escape(result.dest.name)}</code> · {size(result.size)}"
        + (" (zstd)" if result.compressed else ""),
        f"Hard disk: {escape(result.disk_label)} · durasi "
        f"{seconds_text((result.finished_at - result.started_at).total_seconds())}",
        f"SHA-256: <code>{result.sha256}</code> (dibaca ulang dari disk, cocok)",
    ]
    if result.pruned:
        lines.append("Dihapus oleh retensi: " + ", ".join(escape(n) for n in result.pruned))
    return "\n".join(lines)


def copy_disk_problem(result: CopyResult) -> str:
    reason = DISK_PROBLEMS.get(result.problem.value if result.problem else "", result.error)
    name = result.source.name if result.source else "-"
    return (
        f"⚠️ <b>Back up belum disalin ke hard disk eksternal</b>: {reason}\n"
        f"File <code>{escape(name)}</code> tetap aman di server. Tidak ada yang ditulis ke "
        "hard disk."
    )


def copy_failed(result: CopyResult) -> str:
    name = result.source.name if result.source else "-"
    return (
        f"🚨 <b>SALINAN KE HARD DISK EKSTERNAL GAGAL</b>\nFile: <code>{escape(name)}</code>\n"
        f"Penyebab: {escape(copy_error_in_indonesian(result.error))}\n"
        "Salinan yang gagal tidak dihitung. Kasi: periksa hard disk lalu kirim /salin.\n"
        f"{warning_footer()}"
    )


def copy_error_in_indonesian(error: str) -> str:
    if "did not verify" in error:
        return "salinan tidak cocok saat dibaca ulang (hard disk bermasalah?)"
    if "changed on the server" in error:
        return "file dump di server berubah sejak dibuat (rusak?)"
    if error.startswith("writing "):
        return f"gagal menulis ke hard disk ({error.rsplit(': ', 1)[-1]})"
    if error.startswith("reading back"):
        return f"gagal membaca ulang salinan ({error.rsplit(': ', 1)[-1]})"
    return f"kesalahan: {error}"


NOTHING_TO_COPY = "Tidak ada back up baru yang perlu disalin: dump terbaru sudah ada di hard disk."
COPY_BUSY = "Penyalinan ke hard disk eksternal sedang berjalan. Tunggu sampai selesai."
NO_EXTERNAL_DISK = "Hard disk eksternal belum diatur (EXTERNAL_DISK_PATH kosong)."
CONFIRM_COPY = (
    "Salinan sudah terverifikasi. Kasi: bila instruksi sudah selesai, konfirmasi dengan /selesai."
)


PLACES = {"server": "server", "external": "hard disk"}


def disk_listing(listing: DiskListing, pruned: Sequence[PrunedRecord], tz: tzinfo) -> str:
    disk = listing.disk
    lines = [f"🗂️ <b>Daftar back up di hard disk eksternal</b> — {escape(disk.identity.label)}"]
    if not listing.files:
        lines.append("Belum ada file back up.")
    for item in listing.files:
        mark = (
            "✅"
            if item.verified
            else ("❌ tidak lengkap" if item.partial else "⚠️ belum diverifikasi")
        )
        local = item.modified.astimezone(tz)
        lines.append(
            f"{mark} <code>{escape(item.name)}</code> · {size(item.size)} · "
            f"{local:%d/%m/%Y %H:%M}"
            + ("" if item.in_log or not item.verified else " · tidak ada di catatan bot")
        )
    good = sorted(listing.good, key=lambda f: f.modified)
    if good:
        lines.append(
            f"Tertua: {escape(good[0].name)} · terbaru: {escape(good[-1].name)} "
            f"({len(good)} file terverifikasi)"
        )
    lines.append(
        f"Ruang kosong: {size(disk.free_bytes)} dari {size(disk.total_bytes)}"
        + (
            f" · cukup untuk ±{listing.days_left} hari lagi"
            if listing.days_left is not None
            else ""
        )
    )
    if pruned:
        lines.append(
            "Dihapus oleh retensi (terbaru): "
            + ", ".join(
                f"{escape(Path(p.path).name)} ({PLACES.get(p.location, p.location)})"
                for p in pruned[:5]
            )
        )
    return "\n".join(lines)


def verify_report(report: VerifyReport, label: str) -> str:
    lines = [f"🔎 <b>Verifikasi hard disk {escape(label)}</b>: {len(report.good)} file cocok"]
    for name in report.mismatched:
        lines.append(f"❌ <code>{escape(name)}</code> tidak cocok dengan SHA256SUMS (rusak)")
    for name in report.missing:
        lines.append(f"❌ <code>{escape(name)}</code> hilang dari hard disk")
    for name in report.unlisted:
        lines.append(f"⚠️ <code>{escape(name)}</code> tidak pernah diverifikasi (bukan back up sah)")
    lines.append("Semua back up terverifikasi utuh." if report.ok else f"{warning_footer()}")
    return "\n".join(lines)


def disk_problem_only(problem: str, detail: str) -> str:
    return f"⚠️ Hard disk eksternal tidak dapat dibaca: {DISK_PROBLEMS.get(problem, detail)}"


def copy_interrupted(paths: Sequence[str]) -> str:
    names = ", ".join(f"<code>{escape(Path(p).name)}</code>" for p in paths)
    return (
        f"⚠️ Penyalinan {names} ke hard disk eksternal terputus karena bot berhenti. "
        "Salinan yang terputus tidak dihitung. Kasi: kirim /salin untuk mengulang."
    )


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
        since = "Belum pernah ada salinan terverifikasi di hard disk eksternal."
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
        lines.append(
            "Salinan eksternal dump itu: "
            + ("✅ terverifikasi" if summary.dump_copied else "⏳ belum ada")
        )
    copy = summary.last_copy
    if copy is not None and copy.finished_at is not None:
        days = (summary.at - copy.finished_at).days
        lines.append(
            f"Salinan terverifikasi terakhir: {days} hari lalu "
            f"({escape(Path(copy.dest_path).name)}, hard disk {escape(copy.disk_label)})"
        )
    else:
        lines.append("Salinan terverifikasi terakhir: belum pernah.")
    lines.append(f"Ruang kosong server: {size(summary.server_free)}")
    if summary.external_problem is not None:
        lines.append(
            "Hard disk eksternal: "
            + DISK_PROBLEMS.get(summary.external_problem, summary.external_problem)
        )
    elif summary.external_free is not None:
        lines.append(f"Ruang kosong hard disk eksternal: {size(summary.external_free)}")
    return "\n".join(lines)


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


def plain(html_text: str) -> str:
    """A message as plain text, for the terminal."""
    from html import unescape

    return unescape(re.sub(r"<[^>]+>", "", html_text))


# --- the monthly report -----------------------------------------------------------------------


def month_name(month: date) -> str:
    return f"{MONTHS[month.month - 1]} {month.year}"


def report_summary(report: MonthReport) -> str:
    if not report.days:
        return f"📈 Laporan {month_name(report.month)}: belum ada hari yang dapat dilaporkan."
    percent = f"{report.compliance * 100:.0f}%"
    lines = [
        f"📈 <b>Laporan SOP-PIAK-02 — {month_name(report.month)}</b> ({len(report.days)} hari)",
        f"Kepatuhan SOP: {report.copied_days} dari {len(report.days)} hari dengan salinan "
        f"eksternal terverifikasi ({percent}).",
    ]
    good = sum(1 for d in report.days if d.dump in ("success", "warning"))
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
    return "\n".join(lines)


REPORT_USAGE_PROBLEM = "Bulan harus berformat TTTT-BB, misalnya 2026-11."


def undeliverable(name: str, reason: str) -> str:
    return (
        f"⚠️ Pesan bot tidak dapat dikirim kepada {escape(name)}: "
        f"{delivery_failure_reason(reason)} Pesan berikutnya kepadanya juga tidak akan "
        "terkirim sebelum masalah ini diselesaikan."
    )
