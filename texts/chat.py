"""Texts of the conversation: introductions, refusals, instructions, status, history."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime, tzinfo

from core.commandshape import CommandShape
from core.problems import Problem
from core.sop import (
    ASSIGNMENTS,
    STEPS,
    Role,
    StepKind,
)
from core.timing import OfficeHours, Timeliness, step_timeliness
from jobs.external.evidence import Evidence
from storage.soplog import DayStatus, InstructionRecord, StepRecord
from storage.states import InstructionStatus, StepOutcome
from texts.common import (
    MAX_NOTE_LENGTH,
    ROLE_SHORT,
    clock_time,
    escape,
    long_date,
    minutes,
    person,
    roles_text,
    short_date,
    timeliness,
)
from texts.problems import say

# --- introductions and refusals ---------------------------------------------------------------


def sop_steps() -> str:
    """The SOP's own wording of every step with its time standard (the full text behind the
    short names of /status)."""
    lines = ["", "<b>Langkah SOP-PIAK-02</b> (standar waktu):"]
    lines += [f"{step.number}. {escape(step.title)} ({minutes(step.standard)})" for step in STEPS]
    return "\n".join(lines)


def welcome(name: str, roles: frozenset[Role], commands: Sequence[CommandShape]) -> str:
    lines = [
        f"Halo, {escape(name)}. Saya bot SOP-PIAK-02 <b>Back Up Data Kependudukan</b>.",
        f"Peran Anda: <b>{roles_text(roles)}</b>.",
        "",
        "Perintah yang dapat Anda gunakan:",
    ]
    lines += [f"{escape(c.usage)} — {escape(c.description)}" for c in commands]
    return "\n".join(lines)


def stranger(user_id: int, kabids: Sequence[str] = ()) -> str:
    """`kabids`: how the Kabids are shown ("Kabid Kadek"), the people who can add someone."""
    who = " atau ".join(escape(k) for k in kabids[:3]) or "Kepala Bidang"
    return (
        "Mohon maaf, Anda belum terdaftar sebagai petugas SOP back up data kependudukan, "
        f"sehingga perintah ini tidak dapat dijalankan. ID Telegram Anda: <code>{user_id}</code>. "
        f"Bila Anda seharusnya terdaftar, kirim ID ini kepada {who}: ia dapat menambahkan Anda "
        "dengan /tambah."
    )


def wrong_role(command: CommandShape, roles: frozenset[Role]) -> str:
    allowed = " atau ".join(ROLE_SHORT[r] for r in Role if r in command.roles)
    return (
        f"Perintah /{command.name} hanya untuk {allowed}. "
        f"Peran Anda: {roles_text(roles)}. Tidak ada yang diubah."
    )


def usage(command: CommandShape, problem: str = "") -> str:
    prefix = f"{problem}\n" if problem else ""
    return f"{prefix}Cara pakai: <code>{escape(command.usage)}</code>"


NOTE_TOO_LONG = f"Catatan terlalu panjang (maksimal {MAX_NOTE_LENGTH} karakter)."
MAX_NAME_LENGTH = 64  # Telegram's own first name is at most 64 characters
NAME_TOO_LONG = f"Nama terlalu panjang (maksimal {MAX_NAME_LENGTH} karakter)."
MAX_LABEL_LENGTH = 32
LABEL_TOO_LONG = f"Label terlalu panjang (maksimal {MAX_LABEL_LENGTH} karakter)."
BUTTON_EXPIRED = "Tombol ini sudah tidak berlaku."
INTERNAL_ERROR = (
    "Maaf, terjadi kesalahan di bot saat memproses perintah Anda. Kesalahan sudah dicatat "
    "untuk Administrator Database. Periksa /status apakah perintah Anda tercatat, lalu coba lagi."
)
LOG_BUSY = (
    "⏳ <b>Log sibuk, coba lagi</b> sebentar lagi: log SOP sedang dikunci program lain (misalnya "
    "cadangan atau antivirus). Perintah Anda <b>belum</b> tercatat; kirim ulang dalam satu menit."
)
NOT_RECORDED = (
    "⚠️ <b>Perintah Anda TIDAK tercatat</b>: log SOP bot tidak dapat ditulis saat ini (disk "
    "server penuh atau basis data bermasalah). ADB dan Kabid sudah diberi tahu. Ulangi perintah "
    "setelah ADB memperbaikinya."
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


def evidence_line(evidence: Evidence, tz: tzinfo) -> str:
    """Step 11's evidence in one line: which file, on which disk, its hash, when verified."""
    copy = evidence.copy
    when = copy.finished_at or copy.started_at
    return (
        f"Bukti: <code>{escape(evidence.file_name)}</code> di hard disk "
        f"{escape(copy.disk_label)}, SHA-256 <code>{copy.sha256[:16]}…</code>, terverifikasi "
        f"{short_date(when.astimezone(tz).date())} {clock_time(when, tz)}"
    )


def evidence_missing(instruction_id: int, found: Problem) -> str:
    return (
        f"⏳ Instruksi #{instruction_id} belum ditutup: {escape(say(found))}\n"
        "Langkah 11 selesai hanya bila ada salinan terverifikasi di hard disk eksternal yang "
        "terdaftar. Tekan <b>Salin sekarang</b> atau kirim /salin; instruksi ini ditutup "
        "otomatis begitu salinan terverifikasi.\n"
        f"Bila sudah disalin dengan cara lain, catat dengan /selesai {instruction_id} manual "
        "&lt;keterangan&gt; — dicatat ⚠️ tidak terverifikasi dan tidak dihitung patuh SOP."
    )


def already_done(
    instruction: InstructionRecord, issuer: str, evidence: Evidence, tz: tzinfo
) -> str:
    target = ROLE_SHORT[instruction.target_role]
    return (
        f"✅ Instruksi #{instruction.id} dari {escape(issuer)} untuk {target} "
        f"({instruction_task(instruction.target_role)}) sudah terlaksana sebelum diberikan, "
        "dan ditutup dengan buktinya.\n"
        f"{evidence_line(evidence, tz)}"
    )


def report_to_kabid(
    instruction: InstructionRecord,
    closer: str,
    result: Timeliness,
    tz: tzinfo,
    *,
    with_button: bool = True,
    evidence: Evidence | None = None,
) -> str:
    assignment = ASSIGNMENTS[instruction.target_role]
    role = ROLE_SHORT[instruction.target_role]
    if instruction.target_role is Role.ADB:
        headline = (
            f"✅ <b>Laporan ADB</b> (SOP langkah {assignment.report_step}): back up data "
            "kependudukan harian pada server sudah dilaksanakan."
        )
    elif instruction.status is InstructionStatus.UNVERIFIED:
        headline = (
            f"⚠️ <b>Laporan Kasi</b> (SOP langkah {assignment.report_step}): dicatat disalin "
            "manual, <b>tidak terverifikasi</b> oleh bot — tidak dihitung patuh SOP."
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
    if evidence is not None:
        lines.append(evidence_line(evidence, tz))
    elif instruction.close_note:
        lines.append(f"Catatan: {escape(instruction.close_note)}")
    if instruction.target_role is Role.ADB:
        how = "tekan tombol di bawah atau kirim" if with_button else "Kabid mengirim"
        lines.append(
            "Langkah berikutnya (10): Kabid menugaskan Kasi menyalin back up ke hard "
            f"disk eksternal — {how} /instruksi kasi."
        )
    return "\n".join(lines)


def already_instructed(instruction: InstructionRecord) -> str:
    target = ROLE_SHORT[instruction.target_role]
    return f"Instruksi #{instruction.id} untuk {target} sudah diberikan hari ini dan masih terbuka."


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

OPEN_SHOWN = 10  # open instructions listed one by one in /status

OUTCOME_ICON = {
    StepOutcome.DONE: "✅",
    StepOutcome.CONFIRMED: "☑️",
    StepOutcome.WARNING: "⚠️",
    StepOutcome.FAILED: "❌",
    StepOutcome.UNVERIFIED: "⚠️",
}


TOLD = (StepOutcome.FAILED, StepOutcome.WARNING)  # steps whose problem or note is shown


def _event_line(event: StepRecord, names: Mapping[int, str], office: OfficeHours) -> str:
    who = person(event.actor_id, names)
    text = f"{who}, {clock_time(event.finished_at, office.tz)}"
    if event.outcome == StepOutcome.CONFIRMED:
        text += " (dikonfirmasi)"
    if event.outcome == StepOutcome.UNVERIFIED:
        text += " (dicatat manual, tidak terverifikasi)"
    if event.started_at is not None:
        judged = step_timeliness(event.step_number, event.started_at, event.finished_at, office)
        text += f", {timeliness(judged)}"
    return text


def day_status(
    status: DayStatus,
    names: Mapping[int, str],
    office: OfficeHours,
    now: datetime,
    schedule_summary: str,
    revoked: Problem | None = None,
) -> str:
    """`revoked`: why step 11, recorded done today, no longer has its evidence (the copy was
    found damaged, or its disk reported lost): shown ❌ and not counted."""
    lines = [f"📊 <b>Status SOP-PIAK-02</b> — {long_date(status.run_date)}"]
    revoked_step = ASSIGNMENTS[Role.KASI].report_step if revoked is not None else None
    schedule_steps = [s for s in STEPS if s.kind is StepKind.SCHEDULE]
    for step in STEPS:
        if step.kind is StepKind.SCHEDULE:
            if step is schedule_steps[0]:
                first, last = schedule_steps[0].number, schedule_steps[-1].number
                lines.append(f"⚙️ {first}–{last}. Jadwal bot — {schedule_summary}")
            continue
        events = status.events_for(step.number)
        if step.number == revoked_step and status.is_done(step.number) and revoked is not None:
            icon, detail = "❌", f"bukti tidak berlaku lagi: {escape(say(revoked))}"
        elif events:
            event = events[-1]
            icon = OUTCOME_ICON.get(event.outcome, "•")
            detail = _event_line(event, names, office)
            if event.problem is not None and event.outcome in TOLD:
                detail += f" — {escape(say(event.problem))}"
            elif event.note and event.outcome in (*TOLD, StepOutcome.UNVERIFIED):
                detail += f" — {escape(event.note[:200])}"
        else:
            icon, detail = "⏳", f"belum (standar {minutes(step.standard)})"
        lines.append(f"{icon} {step.number}. {escape(step.label)} — {detail}")
    open_ones = [i for i in status.instructions if i.status is InstructionStatus.OPEN]
    if len(open_ones) > OPEN_SHOWN:
        lines.append(f"🕒 {len(open_ones)} instruksi masih terbuka; yang terbaru:")
    for instruction in open_ones[-OPEN_SHOWN:]:
        waited = office.working_time(instruction.issued_at, now)
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
    done_steps = [n for n in status.done_steps if n != revoked_step]
    done, required = len(done_steps), len(status.required_steps)
    if done == required:
        lines.append(f"\n<b>Lengkap</b>: semua {required} langkah wajib hari ini selesai.")
    else:
        lines.append(f"\n{done} dari {required} langkah wajib selesai.")
    return "\n".join(lines)


def history(statuses: Sequence[DayStatus]) -> str:
    lines = [f"🗓️ <b>Riwayat SOP-PIAK-02</b> ({len(statuses)} hari terakhir)"]
    for status in statuses:
        done, required = len(status.done_steps), len(status.required_steps)
        failed = any(e.outcome == StepOutcome.FAILED for e in status.events)
        if status.complete:
            icon, word = "✅", "lengkap"
        elif not status.events:
            icon, word = "⬜", "tidak ada kegiatan"
        else:
            icon, word = ("❌" if failed else "🟡"), f"{done}/{required} langkah"
        lines.append(f"{icon} {short_date(status.run_date)}: {word}")
    return "\n".join(lines)


WRONG_CHAT = (
    "Bot ini hanya melayani chat pribadi petugas dan grup kantor yang terdaftar. "
    "Tidak ada yang diubah."
)
UNKNOWN_COMMAND = "Perintah tidak dikenal. Kirim /bantuan untuk melihat perintah Anda."


def undeliverable(name: str, reason: str) -> str:
    return (
        f"⚠️ Pesan bot tidak dapat dikirim kepada {escape(name)}: "
        f"{delivery_failure_reason(reason)} Pesan berikutnya kepadanya juga tidak akan "
        "terkirim sebelum masalah ini diselesaikan."
    )
