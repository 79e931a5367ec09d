"""Texts of `sopbot uji-oracle` (the field self-test) and its line in /cek: plain text, one line
per assumption, what the bot does when it does not hold."""

from __future__ import annotations

from datetime import datetime, tzinfo

from jobs.drill.selftest import Assumption, Finding, SelfTestReport
from texts.common import long_date
from texts.problems import say

# What the bot assumes, and what it does (or what to fix) when the server answers otherwise.
ASSUMED: dict[Assumption, tuple[str, str]] = {
    Assumption.LOGIN: (
        "login ke Oracle dengan mode python-oracledb yang sesuai versi server",
        "back up (backend oracle) dan uji pulih tidak dapat berjalan; perbaiki penyebab di bawah",
    ),
    Assumption.FLASHBACK_SCN: (
        "TIMESTAMP_TO_SCN memberi SCN untuk ekspor yang konsisten (FLASHBACK_SCN)",
        "ekspor backend oracle gagal dibuka; pakai DUMP_BACKEND=expdp atau minta DBA memeriksa",
    ),
    Assumption.EXPORT_ROLE: (
        "peran ekspor aktif (SESSION_ROLES) untuk ekspor penuh atau skema pengguna lain",
        "ekspor ditolak Oracle; DBA: GRANT DATAPUMP_EXP_FULL_DATABASE (EXP_FULL_DATABASE "
        "sebelum 11.2)",
    ),
    Assumption.DIRECTORY: (
        "Data Pump menulis di directory object, dan foldernya adalah DUMP_DIR yang dilihat bot",
        "dump tidak dapat ditulis atau tidak ditemukan bot; perbaiki ORACLE_DIRECTORY/DUMP_DIR",
    ),
    Assumption.EXPORT: (
        "ekspor satu tabel kecil lewat backend bot (expdp atau DBMS_DATAPUMP) berjalan sampai "
        "selesai",
        "back up malam akan gagal dengan penyebab yang sama",
    ),
    Assumption.STATUS_AFTER: (
        "setelah selesai, hasil job dibaca dari GET_STATUS atau dari baris akhir log job di "
        "DUMP_DIR (expdp dapat kehilangan job setelah selesai: UDE-00008)",
        "bot tidak dapat memastikan hasil ekspor; periksa DUMP_DIR dan kirim laporan ini",
    ),
    Assumption.LOG_LANGUAGE: (
        "log Data Pump berbahasa Inggris dengan baris '. . exported' dan baris akhir Job",
        "bot tidak dapat menghitung baris; periksa DUMP_DIR dan NLS server",
    ),
    Assumption.HEADER: (
        "GET_DUMPFILE_INFO membaca header dump: file Data Pump, job ini (bernama pemilik), "
        "tabel master ada",
        "uji pulih tingkat 1 tidak dapat membuktikan salinan",
    ),
    Assumption.SQLFILE: (
        "impdp SQLFILE membuat setiap tabel yang barisnya diekspor",
        "uji pulih tingkat 2 tidak dapat membuktikan salinan; kirim laporan ini ke pengembang",
    ),
    Assumption.IMPORT: (
        "impor ke skema uji (REMAP_SCHEMA, REMAP_TABLESPACE, tanpa FK/trigger/grant/statistik) "
        "memuat semua baris",
        "uji pulih tingkat 3 tidak dapat membuktikan salinan; perbaiki skema uji atau kirim "
        "laporan ini",
    ),
    Assumption.STOP: (
        "ekspor yang sedang berjalan dihentikan di server seperti bot menghentikannya "
        "(expdp attach lalu KILL_JOB, atau STOP_JOB)",
        "back up yang dihentikan (batas waktu, bot berhenti) dapat meninggalkan job di server; "
        "ADB: hentikan dengan expdp attach=NAMA_JOB lalu KILL_JOB",
    ),
    Assumption.DRILL_STOP: (
        "job impdp uji pulih yang macet dihentikan di server (impdp attach lalu KILL_JOB)",
        "uji pulih yang melewati batas waktu dapat meninggalkan job impdp di server; ADB: "
        "hentikan dengan impdp attach=NAMA_JOB lalu KILL_JOB",
    ),
}


def finding_line(found: Finding) -> str:
    assumed, otherwise = ASSUMED[found.assumption]
    if found.held is None:
        return f"➖ {assumed}: tidak diuji"
    if found.held:
        return f"✅ {assumed}: terbukti"
    why = "; ".join(say(p) for p in found.problems) or found.detail
    return f"❌ {assumed}: TIDAK terbukti ({why}). Akibatnya: {otherwise}"


def selftest_lines(report: SelfTestReport) -> list[str]:
    lines = ["Uji Oracle (sopbot uji-oracle)", *report.facts]
    lines += [finding_line(f) for f in report.findings]
    if report.passed:
        lines.append("Semua anggapan bot tentang server Oracle ini terbukti.")
    else:
        lines.append(
            "Ada anggapan yang tidak terbukti: perbaiki penyebabnya, atau kirim file laporan ini "
            "bersama laporan masalah."
        )
    return lines


def selftest_saved(path: str) -> str:
    return f"Laporan lengkap (tanpa rahasia): {path}"


def selftest_last(passed_at: datetime | None, tz: tzinfo) -> str:
    """/cek's line: when the field self-test last passed on this server."""
    if passed_at is None:
        return "belum pernah lulus; ADB: jalankan `sopbot uji-oracle` di server"
    return f"terakhir lulus {long_date(passed_at.astimezone(tz).date())}"
