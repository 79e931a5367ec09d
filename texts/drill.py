"""Texts of the restore drill (/ujipulih): what it proved, plainly, and what it did not."""

from __future__ import annotations

from datetime import tzinfo

from core.problems import Problem
from jobs.drill.result import Claim, DrillResult, DrillStage, Proof
from jobs.job import JobStarted, Outcome
from storage.drills import DrillRecord
from storage.states import DrillOutcome, Trigger
from texts.backends import words_for
from texts.common import clock_time, escape, long_date, number, seconds_text, size
from texts.problems import say

CLAIMS: dict[Claim, str] = {
    Claim.COPY_INTACT: "salinan {file} dibaca ulang dari hard disk {label}: SHA-256 cocok",
    Claim.DUMP_IDENTICAL: "setelah dibuka ({size}), isinya sama persis dengan dump asli di server",
    Claim.DATABASE_OPENS: "database hasil pemulihan terbuka dan lulus pemeriksaan integritas",
    Claim.TABLES_READ: "semua {tables} tabel terbaca, {rows} baris",
    Claim.ROWS_MATCH: "jumlah baris {tables} tabel sama dengan saat dump",
    Claim.HEADER: "header Data Pump sah: {detail}",
    Claim.METADATA: "impdp membaca metadata {objects} objek ({tables} tabel), sesuai log ekspor",
    Claim.IMPORTED: "{tables} tabel diimpor ke skema uji {schema} (tanpa foreign key, trigger, "
    "grant dan statistik), {rows} baris, sesuai log ekspor (lalu dihapus)",
}

DRILL_ASKED = (
    "🧪 Uji pulih dimulai: salinan terbaru dibaca dari hard disk eksternal dan dipulihkan. "
    "Hasilnya dikirim ke ADB dan Kabid."
)


def claim_text(found: Proof) -> str:
    params = dict(found.params)
    if "size" in params:
        params["size"] = size(int(params["size"]))
    for key in ("rows", "tables", "objects"):
        if isinstance(params.get(key), int):
            params[key] = number(int(params[key]))
    return CLAIMS[found.claim].format_map({k: escape(str(v)) for k, v in params.items()})


def drill_started(started: JobStarted, requester: str | None) -> str:
    who = f" oleh {escape(requester)}" if requester else ""
    how: dict[str, str] = {
        Trigger.SCHEDULE: "terjadwal",
        Trigger.CHAT: "atas permintaan",
        Trigger.CLI: "dari baris perintah",
        Trigger.COPY: "setelah salinan, sebelum hard disk dicabut",
    }
    return (
        f"🧪 <b>Uji pulih back up dimulai</b> ({how.get(started.trigger, started.trigger)}{who})\n"
        f"Salinan: <code>{escape(started.subject.name)}</code> · {size(started.size)}, dibaca "
        "dari hard disk eksternal"
    )


STAGES: dict[str, str] = {
    DrillStage.RESTORE: "membaca dan membuka salinan",
    DrillStage.CHECK: "memeriksa database hasil pemulihan",
    DrillStage.HEADER: "membaca header Data Pump",
    DrillStage.METADATA: "impdp membaca metadata",
    DrillStage.IMPORT: "impdp mengimpor tabel uji",
}


def drill_plug_in(trouble: Problem) -> str:
    """/ujipulih with the disk away: the drill reads the copy on the disk itself."""
    return (
        "🔌 Uji pulih membaca salinan langsung dari hard disk eksternal, yang sekarang tidak "
        f"dapat dibaca ({escape(say(trouble))}).\nPasang hard disk back up, lalu kirim /ujipulih "
        "lagi. Setelah uji pulih selesai, cabut kembali hard disk dan simpan di tempat aman."
    )


def drill_stage(state: str) -> str:
    return STAGES.get(state, state)


def drill_report(result: DrillResult, tz: tzinfo) -> str:
    if result.outcome is Outcome.SUCCESS:
        head = "✅ <b>Uji pulih LULUS</b>: salinan ini dapat dipulihkan"
    elif result.outcome is Outcome.UNTESTABLE:
        head = (
            "🔧 <b>Uji pulih tidak dapat dijalankan</b>: salinan BELUM teruji (ini bukan tanda "
            "salinan rusak)"
        )
    elif result.outcome is Outcome.INTERRUPTED:
        head = "⚠️ <b>Uji pulih terputus</b>: tidak ada kesimpulan"
    else:
        head = "❌ <b>Uji pulih GAGAL</b>: salinan ini TIDAK terbukti dapat dipulihkan"
    lines = [head]
    if result.file_name:
        where = f" di hard disk {escape(result.disk_label)}" if result.disk_label else ""
        lines.append(f"Salinan: <code>{escape(result.file_name)}</code>{where}")
    words = words_for(result.backend)
    if result.level and words.graded:
        lines.append(f"Tingkat uji: {result.level} (DRILL_LEVEL)")
    lines += [f"✔️ {claim_text(p)}" for p in result.proofs]
    mark = "🔧" if result.outcome is Outcome.UNTESTABLE else "❌"
    lines += [f"{mark} {escape(say(p))}" for p in result.errors]
    if result.restore_seconds is not None:
        lines.append(f"Waktu pemulihan: {seconds_text(result.restore_seconds)}")
    if result.outcome is Outcome.SUCCESS and words.graded:
        limit = words.limits.get(result.level)
        if limit:
            lines.append(limit)
    if result.outcome is Outcome.FAILED:
        lines.append(
            "ADB: periksa penyebab di atas, buat back up dan salinan baru, lalu /ujipulih lagi."
        )
    if result.outcome is Outcome.UNTESTABLE:
        lines.append("ADB: perbaiki hal di atas, lalu /ujipulih lagi.")
    if result.finished_at is not None:
        lines.append(f"Selesai {clock_time(result.finished_at, tz)}")
    return "\n".join(lines)


def drill_line(last: DrillRecord | None, passed: DrillRecord | None, tz: tzinfo) -> str:
    """One line for /status and the morning summary."""
    if last is None:
        return "🧪 Uji pulih: belum pernah (/ujipulih)"
    when = last.finished_at or last.started_at
    day = long_date(when.astimezone(tz).date())
    if last.passed:
        took = f", pulih {seconds_text(last.restore_seconds)}" if last.restore_seconds else ""
        # An Oracle drill below level 3 proved less: say how far it went.
        level = f" (tingkat {last.level} dari 3)" if words_for(last.backend).graded else ""
        return f"🧪 Uji pulih terakhir ✅ lulus{level} {day}{took}"
    passed_day = (
        long_date(passed.finished_at.astimezone(tz).date())
        if passed is not None and passed.finished_at is not None
        else None
    )
    if last.untestable:  # a to-do, not a verdict on the copy
        since = f"belum teruji sejak {passed_day}" if passed_day else "belum pernah teruji"
        cause = f": {escape(say(last.errors[0]))}" if last.errors else ""
        return f"🧪 Uji pulih: {since} (tidak dapat dijalankan {day}{cause})"
    before = f"; terakhir lulus {passed_day}" if passed_day else ""
    if last.outcome == DrillOutcome.RUNNING:  # no verdict yet: never a ❌ while it runs
        return f"🧪 Uji pulih sedang berjalan (mulai {day} {when.astimezone(tz):%H:%M}){before}"
    if last.outcome == DrillOutcome.UNKNOWN:  # written by another version: no verdict to show
        return f"🧪 Uji pulih terakhir: keadaan tidak dikenal {day}{before}"
    word = "terputus" if last.outcome == DrillOutcome.INTERRUPTED else "GAGAL"
    return f"🧪 Uji pulih terakhir ❌ {word} {day}{before}"


def drill_overdue(days: int, last: DrillRecord | None, tz: tzinfo) -> str:
    since = (
        f"terakhir lulus {long_date(last.finished_at.astimezone(tz).date())}"
        if last is not None and last.finished_at is not None
        else "belum pernah ada yang lulus"
    )
    return (
        f"⚠️ <b>Uji pulih terlambat</b>: sudah lebih dari {days} hari tanpa uji pulih yang lulus "
        f"({since}). Tanpa uji pulih, kita belum tahu apakah back up dapat dipulihkan. "
        "ADB: pasang hard disk eksternal lalu /ujipulih."
    )
