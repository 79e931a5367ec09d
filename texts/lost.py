"""Texts of a lost disk: the confirmation of /hilang, and /ketemu when it is found again."""

from __future__ import annotations

from collections.abc import Sequence

from core.problems import Problem
from jobs.external.lost import FoundCheck
from storage.copies import CopyRecord
from texts.common import escape, some
from texts.disk import SHOWN
from texts.problems import say

CONFIRM_LOST_BUTTON = "🚨 Ya, hard disk ini hilang"
CANCEL_LOST_BUTTON = "Batal"
LOST_CANCELLED = "Dibatalkan: tidak ada yang dicatat. Hard disk tetap dipakai seperti biasa."


def confirm_lost(label: str, copies: Sequence[CopyRecord]) -> str:
    plain = [c for c in copies if not c.encrypted]
    lines = [
        f"❓ <b>Laporkan hard disk {escape(label)} HILANG?</b>",
        f"Hard disk ini memuat {len(copies)} salinan back up ({len(plain)} TIDAK terenkripsi).",
        "Bila dikonfirmasi: salinannya tidak dihitung lagi sebagai bukti langkah 11 (di sini dan "
        "di database pusat), hard disk tidak ditulis lagi, dan Kabid, Kasi serta ADB diberi tahu.",
    ]
    if plain:
        lines.append(
            "⚖️ Karena ada salinan tidak terenkripsi, tenggat pemberitahuan UU 27/2022 "
            "(3×24 jam) mulai berjalan dan Kabid menerima draf pemberitahuannya."
        )
    lines.append("Bila hard disk ternyata ditemukan, Kabid dapat mengembalikannya dengan /ketemu.")
    return "\n".join(lines)


def not_lost(label: str) -> str:
    return f"Hard disk {escape(label)} tidak tercatat hilang: tidak ada yang perlu dikembalikan."


def plug_in_found(label: str, why: str) -> str:
    return (
        f"Pasang hard disk {escape(label)} di server dulu (EXTERNAL_DISK_PATH), lalu kirim lagi "
        f"/ketemu. Saat ini: {escape(why)}"
    )


def another_disk_plugged(label: str, plugged: str) -> str:
    return (
        f"Yang terpasang adalah hard disk {escape(plugged)}, bukan {escape(label)}. Pasang hard "
        f"disk {escape(label)} lalu kirim lagi /ketemu."
    )


def found_checking(label: str) -> str:
    return (
        f"🔎 Memverifikasi penuh hard disk {escape(label)}: setiap file dibaca ulang dan "
        "dibandingkan dengan catatan bot …"
    )


def key_problem(found: Problem) -> str:
    return f"🔑 {escape(say(found))}\nTidak ada catatan salinan yang diubah."


def _failures(check: FoundCheck) -> list[str]:
    report = check.report
    named = [
        *(f"❌ <code>{escape(n)}</code> tidak cocok (rusak)" for n in report.mismatched),
        *(f"❌ <code>{escape(n)}</code> hilang dari hard disk" for n in report.missing),
        *(f"❌ <code>{escape(n)}</code> tidak dapat dibuka" for n in report.unopened),
        *(f"❌ <code>{escape(n)}</code>: SHA256SUMS di hard disk diubah" for n in check.altered),
        *(f"❌ <code>{escape(n)}</code> tidak ada lagi di SHA256SUMS" for n in check.unchecked),
    ]
    hidden = len(named) - SHOWN
    return named[:SHOWN] + ([f"… dan {hidden} lainnya."] if hidden > 0 else [])


def found_refused(label: str, check: FoundCheck) -> str:
    lines = [
        f"⚠️ <b>Hard disk {escape(label)} TIDAK dikembalikan</b>: verifikasi penuh tidak lulus.",
        *_failures(check),
        "Hard disk tetap tercatat hilang dan tidak dipakai. Bila tidak dapat dipercaya lagi: "
        "pensiunkan, kosongkan, lalu daftarkan sebagai hard disk baru "
        "(`sopbot disk init --baru`).",
    ]
    return "\n".join(lines)


def found_report(
    label: str, reporter: str, reason: str, check: FoundCheck, breach_cancelled: bool
) -> str:
    report = check.report
    lines = [
        f"✅ <b>Hard disk {escape(label)} ditemukan dan dipakai lagi</b> "
        f"(oleh {escape(reporter)}).",
        f"Alasan: {escape(reason)}",
        f"Verifikasi penuh lulus: {len(report.good)} file cocok dengan SHA256SUMS dan catatan bot.",
    ]
    if report.opened:
        opened = len(report.opened)
        lines.append(f"🔒 {opened} salinan terenkripsi dibuka utuh dengan kunci kantor.")
    if report.sealed:
        lines.append(
            f"🔒 {len(report.sealed)} salinan terenkripsi dicek byte-nya saja (tanpa kunci kantor)."
        )
    if report.unlisted:
        lines.append(
            f"⚠️ File asing di hard disk (bukan back up sah): {some(report.unlisted)}. "
            "Periksa siapa yang menulisnya."
        )
    if breach_cancelled:
        lines.append(
            "⚖️ Pengingat pemberitahuan UU 27/2022 untuk hard disk ini dihentikan; alasannya "
            "dicatat. Kabid tetap menilai apakah data sempat dibaca orang lain selama hilang."
        )
    lines.append("Salinannya kembali dihitung sebagai bukti.")
    return "\n".join(lines)
