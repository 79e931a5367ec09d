"""Texts of the external copy (SOP step 11) and of the record of backups on the disk."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, tzinfo
from pathlib import Path

from core.commandshape import CommandShape
from core.problems import Problem
from jobs.external.custody import DiskTurn
from jobs.external.listing import DiskListing, VerifyReport
from jobs.external.service import CopyResult
from storage.copies import CopyRecord, PrunedRecord
from storage.states import Trigger
from texts.common import escape, seconds_text, short_hash, size, some, warning_footer
from texts.problems import say

# --- the external copy (SOP step 11), record keeping ------------------------------------------


COPY_TRIGGERS: dict[str, str] = {
    Trigger.AUTO: "otomatis",
    Trigger.INSTRUCTION: "dari instruksi",
    Trigger.CHAT: "atas permintaan",
    Trigger.CLI: "dari baris perintah",
}


def copy_started(file_name: str, size_bytes: int, trigger: str, requester: str | None) -> str:
    who = f" oleh {escape(requester)}" if requester else ""
    how = COPY_TRIGGERS.get(trigger, trigger)
    return (
        f"💽 <b>Menyalin back up ke hard disk eksternal</b> ({how}{who})\n"
        f"File: <code>{escape(file_name)}</code> · {size(size_bytes)}"
    )


UNPLUG_NOW = (
    "🔌 Cabut (lepas) hard disk sekarang dan simpan di tempat aman, terpisah dari server: hard "
    "disk yang tetap terpasang ikut terenkripsi bila server terkena ransomware."
)


def unknown_disk(label: str, known: str, command: CommandShape) -> str:
    what = f"Hard disk <b>{escape(label)}</b> tidak terdaftar." if label else "Sebutkan labelnya."
    return f"{what} Hard disk terdaftar: {escape(known)}.\nCara pakai: {escape(command.usage)}"


def already_lost(label: str, lost_at: datetime, tz: tzinfo) -> str:
    return (
        f"Hard disk {escape(label)} sudah dilaporkan hilang pada "
        f"{lost_at.astimezone(tz):%d/%m/%Y %H:%M}."
    )


# How the copy was read back (jobs/external/readback.py): from the disk itself, or maybe not.
READBACK_WORDS = {
    "disk": "dibaca ulang dari disk",
    "posix_fadvise": "dibaca ulang dari disk, cache dibuang dulu",
    "no_buffering": "dibaca ulang langsung dari disk, tanpa cache Windows",
    "cache": "dibaca ulang, mungkin dari cache sistem, bukan dari disk",
}


def copy_done(result: CopyResult, tz: tzinfo, next_disk: str | None = None) -> str:
    assert result.dest is not None and result.finished_at and result.started_at
    lines = [
        "✅ <b>Salinan ke hard disk eksternal terverifikasi</b> (SOP langkah 11)",
        f"File: <code>{escape(result.dest.name)}</code> · {size(result.size)}"
        + (" (zstd)" if result.compressed else "")
        + (" · 🔒 terenkripsi (age)" if result.encrypted else " · ⚠️ tidak terenkripsi"),
        f"Hard disk: {escape(result.disk_label)} · durasi "
        f"{seconds_text((result.finished_at - result.started_at).total_seconds())}",
        f"SHA-256: <code>{short_hash(result.sha256)}</code> "
        f"({READBACK_WORDS.get(result.readback, READBACK_WORDS['disk'])}, cocok)",
    ]
    if result.pruned:
        lines.append(f"Dihapus oleh retensi ({len(result.pruned)}): {some(result.pruned)}")
    lines += [f"⚠️ {escape(say(warning))}" for warning in result.warnings]
    if next_disk:
        lines.append(f"Giliran hard disk berikutnya: <b>{escape(next_disk)}</b>")
    return "\n".join(lines)


def copy_disk_problem(result: CopyResult) -> str:
    found = result.disk_problem
    reason = escape(say(found)) if found else "-"
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
        f"Penyebab: {'; '.join(escape(say(e)) for e in result.errors) or '-'}\n"
        "Salinan yang gagal tidak dihitung. Kasi: periksa hard disk lalu kirim /salin.\n"
        f"{warning_footer()}"
    )


NOTHING_TO_COPY = "Tidak ada back up baru yang perlu disalin: dump terbaru sudah ada di hard disk."
NO_EXTERNAL_DISK = "Hard disk eksternal belum diatur (EXTERNAL_DISK_PATH kosong)."


def copy_stopped(result: CopyResult) -> str:
    name = result.source.name if result.source else "-"
    why = "; ".join(escape(say(e)) for e in result.errors) or "-"
    return (
        f"⚠️ <b>Penyalinan ke hard disk eksternal dihentikan</b>: <code>{escape(name)}</code>\n"
        f"Sebab: {why}\n"
        "Salinan yang terhenti dihapus dan tidak dihitung. Kasi: kirim /salin untuk mengulang."
    )


KEEP_PLUGGED = (
    "⏳ Jangan cabut hard disk dulu: uji pulih berjalan sekarang dan membaca salinan dari hard "
    "disk ini. Bot memberi tahu kapan hard disk boleh dicabut."
)

DRILL_AFTER_COPY_DONE = "🧪 Uji pulih selesai (hasilnya dikirim ke ADB)."
UNPLUG_AFTER_DRILL = DRILL_AFTER_COPY_DONE + "\n" + UNPLUG_NOW


def copy_recorded(closed_ids: Sequence[int], drilling: bool = False) -> str:
    """To the Kasi after a verified copy: step 11 is recorded on its evidence, nothing to send;
    unplug the disk now, or after the drill that reads it first."""
    after = KEEP_PLUGGED if drilling else UNPLUG_NOW
    if not closed_ids:
        return (
            "Salinan sudah terverifikasi; langkah 11 tercatat dengan bukti salinan ini.\n" + after
        )
    numbers = ", ".join(f"#{n}" for n in closed_ids)
    return (
        f"Salinan sudah terverifikasi: instruksi {numbers} ditutup otomatis dengan bukti salinan "
        f"ini. Tidak perlu mengirim /selesai.\n{after}"
    )


PLACES = {"server": "server", "external": "hard disk"}
SHOWN = 15  # problem files named one by one in a report; the rest are counted


def disk_listing(listing: DiskListing, pruned: Sequence[PrunedRecord], tz: tzinfo) -> str:
    disk = listing.disk
    lines = [f"🗂️ <b>Daftar back up di hard disk eksternal</b> — {escape(disk.identity.label)}"]
    if not listing.files:
        lines.append("Belum ada file back up.")
    for item in listing.shown:
        if item.damaged:
            checked = item.checked_at.astimezone(tz) if item.checked_at else None
            mark = "❌ rusak" + (f" ({checked:%d/%m/%Y})" if checked else "")
        elif item.verified:
            mark = "✅"
        else:
            mark = "❌ tidak lengkap" if item.partial else "⚠️ belum diverifikasi"
        local = item.modified.astimezone(tz)
        line = (
            f"{mark} <code>{escape(item.name)}</code> · {size(item.size)} · {local:%d/%m/%Y %H:%M}"
        )
        if item.verified and item.check_ok and item.checked_at is not None:
            line += f" · diperiksa ulang {item.checked_at.astimezone(tz):%d/%m/%Y} ✅"
        elif item.verified and not item.in_log:
            line += " · tidak ada di catatan bot"
        lines.append(line)
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
    if listing.pages > 1:
        line = f"📄 Halaman {listing.page} dari {listing.pages}"
        if listing.page < listing.pages:
            line += f" · kirim /daftar {listing.page + 1} untuk berikutnya"
        lines.append(line)
    return "\n".join(lines)


def no_such_page(pages: int) -> str:
    return f"Halaman itu tidak ada: daftar ini hanya {pages} halaman."


def disk_rotation(turns: Sequence[DiskTurn], tz: tzinfo) -> str:
    """The office's disks: where each is believed to be, its last copy, and whose turn is next."""
    if not turns:
        return ""
    lines = ["💽 <b>Hard disk kantor</b> (bergiliran, disimpan terpisah):"]
    for turn in turns:
        where = "🔌 terpasang" if turn.disk.plugged_since else "🗄️ disimpan"
        last = (
            f"salinan terakhir {turn.last_copy.astimezone(tz):%d/%m/%Y}"
            if turn.last_copy
            else "belum pernah dipakai"
        )
        lines.append(f"• {escape(turn.disk.label)} — {where} · {last}")
    if len(turns) > 1:
        lines.append(f"Giliran berikutnya: <b>{escape(turns[0].disk.label)}</b>")
    return "\n".join(lines)


def disk_lost_report(
    label: str, copies: Sequence[CopyRecord], reporter: str, deadline: datetime, tz: tzinfo
) -> str:
    plain_ones = [c for c in copies if not c.encrypted]
    lines = [
        f"🚨 <b>Hard disk {escape(label)} dilaporkan HILANG</b> oleh {escape(reporter)}.",
        f"Berisi {len(copies)} salinan back up; {len(copies) - len(plain_ones)} terenkripsi, "
        f"{len(plain_ones)} TIDAK terenkripsi.",
        "Salinannya tidak dihitung lagi sebagai bukti langkah 11, dan hard disk ini tidak "
        "ditulis lagi. Bila ditemukan: Kabid mengirim /ketemu "
        f"{escape(label)} &lt;alasan&gt; (isinya diverifikasi penuh dulu).",
    ]
    if plain_ones:
        names = some([Path(c.dest_path).name for c in plain_ones])
        lines += [
            f"Salinan tidak terenkripsi: {names}.",
            "⚖️ Ini kebocoran data pribadi (NIK, KK, alamat). UU 27/2022 Pasal 46: "
            f"pemberitahuan tertulis paling lambat {deadline.astimezone(tz):%d/%m/%Y %H:%M}. "
            "Draf pemberitahuan terlampir untuk Kabid.",
        ]
    else:
        lines.append("🔒 Semua salinan terenkripsi (age): tanpa kunci, isinya tidak dapat dibaca.")
    return "\n".join(lines)


BREACH_DRAFT = """\
DRAF PEMBERITAHUAN KEGAGALAN PELINDUNGAN DATA PRIBADI
(UU No. 27 Tahun 2022 tentang Pelindungan Data Pribadi, Pasal 46)

Kepada: [Subjek Data Pribadi / Lembaga yang berwenang]
Dari: Dinas Kependudukan dan Pencatatan Sipil, Bidang PIAK

1. Data pribadi yang terungkap
   Salinan back up database kependudukan (SIAK) pada hard disk eksternal "{label}":
   {files}
   Data memuat NIK, nomor KK, nama, tempat/tanggal lahir dan alamat penduduk.

2. Kapan dan bagaimana
   Hard disk dilaporkan hilang pada {lost}. Salinan di atas tidak terenkripsi.

3. Upaya penanganan dan pemulihan
   - Hard disk tidak dipakai lagi oleh sistem back up dan salinannya tidak dihitung lagi.
   - {encryption}
   - [Langkah lain: laporan kepolisian, pemeriksaan akses, dsb.]

Batas waktu pemberitahuan (3 x 24 jam): {deadline}

[Tempat, tanggal]
Kepala Bidang PIAK
"""


# What the notice may say of the next copies: only what is true of this office's settings.
NEXT_COPIES_ENCRYPTED = "Salinan berikutnya dienkripsi (age) sebelum disimpan di hard disk."
NEXT_COPIES_PLAIN = (
    "Salinan back up saat ini BELUM dienkripsi. [Rencana: mengaktifkan enkripsi salinan "
    "(sopbot keys init, EXTERNAL_ENCRYPTION=age) paling lambat tanggal ...]"
)


def breach_notice_draft(
    label: str,
    copies: Sequence[CopyRecord],
    lost_at: datetime,
    deadline: datetime,
    tz: tzinfo,
    *,
    encrypting: bool,
) -> str:
    """The notice as the Kabid completes it; `encrypting`: whether copies made from now on are
    encrypted (EXTERNAL_ENCRYPTION=age), so the notice never promises what is not done."""
    files = "\n   ".join(Path(c.dest_path).name for c in copies if not c.encrypted)
    return BREACH_DRAFT.format(
        encryption=NEXT_COPIES_ENCRYPTED if encrypting else NEXT_COPIES_PLAIN,
        label=label,
        files=files or "-",
        lost=f"{lost_at.astimezone(tz):%d/%m/%Y %H:%M}",
        deadline=f"{deadline.astimezone(tz):%d/%m/%Y %H:%M}",
    )


def verify_report(report: VerifyReport, label: str) -> str:
    lines = [f"🔎 <b>Verifikasi hard disk {escape(label)}</b>: {len(report.good)} file cocok"]
    for name in report.mismatched[:SHOWN]:
        lines.append(f"❌ <code>{escape(name)}</code> tidak cocok dengan SHA256SUMS (rusak)")
    for name in report.missing[:SHOWN]:
        lines.append(f"❌ <code>{escape(name)}</code> hilang dari hard disk")
    for name in report.unlisted[:SHOWN]:
        lines.append(f"⚠️ <code>{escape(name)}</code> tidak pernah diverifikasi (bukan back up sah)")
    for name in report.unopened[:SHOWN]:
        lines.append(f"❌ <code>{escape(name)}</code> tidak dapat dibuka dengan kunci kantor")
    if report.opened:
        lines.append(
            f"🔒 {len(report.opened)} salinan terenkripsi dibuka utuh dengan kunci kantor."
        )
    if report.sealed:
        lines.append(
            f"🔒 {len(report.sealed)} salinan terenkripsi: tanpa kunci kantor "
            "(EXTERNAL_AGE_IDENTITY_FILE) bot hanya memastikan file sama dengan saat disalin, "
            "belum membuktikan file dapat dibuka."
        )
    hidden = sum(
        max(len(names) - SHOWN, 0) for names in (report.mismatched, report.missing, report.unlisted)
    )
    if hidden:
        lines.append(f"… dan {hidden} file bermasalah lainnya (lihat /daftar).")
    lines.append("Semua back up terverifikasi utuh." if report.ok else f"{warning_footer()}")
    return "\n".join(lines)


def disk_problem_only(found: Problem) -> str:
    return f"⚠️ Hard disk eksternal tidak dapat dibaca: {escape(say(found))}"


def copy_interrupted(paths: Sequence[str]) -> str:
    names = ", ".join(f"<code>{escape(Path(p).name)}</code>" for p in paths)
    return (
        f"⚠️ Penyalinan {names} ke hard disk eksternal terputus karena bot berhenti. "
        "Salinan yang terputus tidak dihitung. Kasi: kirim /salin untuk mengulang."
    )


# --- the disk from the command line (sopbot salin, sopbot disk init/pensiun) -------------------


def unplug_safely(root: str, windows: bool) -> str:
    """After `sopbot salin`: the unplug request, with how to eject the disk first."""
    if windows:
        how = (
            f'Lepas dengan aman dulu: klik ikon "Safely Remove Hardware and Eject Media" di '
            f"taskbar (atau klik kanan drive {root} di File Explorer → Eject), tunggu pesan "
            "bahwa hard disk aman dilepas, baru cabut kabelnya."
        )
    else:
        how = (
            f"Lepas dengan aman dulu: sudo umount {root} (atau: udisksctl unmount -b <perangkat> "
            "lalu udisksctl power-off -b <perangkat>), baru cabut kabelnya."
        )
    return f"{UNPLUG_NOW}\n{how}"


def disk_label_refused(label: str, limit: int) -> str:
    return (
        f"Label {label[:40]!r} tidak dapat dipakai: label 1 sampai {limit} karakter, huruf, "
        "angka, '.', '_' atau '-', diawali huruf atau angka (mis. HDD-PIAK-1)."
    )


def disk_init_refused(root: str, reason: Problem) -> str:
    return f"Hard disk {root} tidak didaftarkan: {say(reason)}"


def disk_init_kept(label: str, disk_id: str) -> str:
    return f"Sudah terdaftar: {label} (id {disk_id}); tidak diubah."


def disk_init_done(root: str, label: str, disk_id: str) -> str:
    return f"Terdaftar: {root} sebagai {label} (id {disk_id})."


def disk_unknown_label(label: str, known: Sequence[str]) -> str:
    return (
        f"Tidak ada hard disk terdaftar dengan label {label[:40]!r}. "
        f"Yang terdaftar: {', '.join(known) or '-'}."
    )


def disk_already_out(label: str, lost: bool) -> str:
    why = "dilaporkan hilang (/hilang)" if lost else "dipensiunkan"
    return f"Hard disk {label} sudah {why}; tidak ada yang diubah."


def disk_retired(label: str, copies: int) -> str:
    return (
        f"Hard disk {label} dipensiunkan: tidak akan ditulisi lagi dan tidak lagi ikut giliran. "
        f"Catatan {copies} salinannya tetap tersimpan di log. Hard disk ini berisi data "
        "kependudukan: hapus isinya dengan aman atau musnahkan sesuai prosedur kantor, dan catat "
        "dalam berita acara."
    )
