"""The words of the monthly audit report (PDF, drawn by `reports/audit_pdf.py`), in Bahasa
Indonesia. A module of its own, not a chat topic: `texts.<name>` does not search it."""

from __future__ import annotations

TITLE = "LAPORAN AUDIT BULANAN BACK UP DATA KEPENDUDUKAN"
SECTIONS = {
    "identity": "1. Identitas laporan",
    "summary": "2. Ringkasan",
    "daily": "3. Tabel harian",
    "missed": "4. Hari terlewat dan tindakan",
    "custody": "5. Catatan penyimpanan hard disk",
    "drills": "6. Uji pulih",
    "deviations": "7. Penyimpangan standar waktu SOP",
    "incidents": "8. Insiden",
    "integrity": "9. Integritas bukti",
    "mapping": "10. Pemetaan ke standar",
    "signature": "11. Pengesahan",
}
IDENTITY = {
    "number": "Nomor laporan",
    "office": "Kantor",
    "period": "Periode",
    "sop": "SOP yang diikuti",
    "made": "Dibuat",
}
COPIED_DAYS = "{copied} dari {recorded} hari"
DRILLS_PASSED = "{passed} dari {total}"
DAYS = "{days} hari"
MINUTES = "{minutes} menit"
SUMMARY = {
    "copied": "Hari dengan salinan eksternal terverifikasi",
    "encrypted": "Salinan terenkripsi",
    "drills": "Uji pulih lulus",
    "since_restore": "Hari sejak pemulihan terbukti terakhir",
    "compliance": "Kepatuhan SOP",
}
DAILY_HEAD = (
    "Tgl", "Jam dump", "Ukuran", "SHA-256", "Status", "Salinan", "Hard disk", "Enkripsi",
    "Terverifikasi", "Uji pulih",
)  # fmt: skip
VERDICTS = {
    "success": "berhasil",
    "warning": "peringatan",
    "failed": "GAGAL",
    "interrupted": "terputus",
    "incomplete": "tidak lengkap",
    "missing": "tidak ada",
    "no_data": "belum ada data",
}
DRILL_VERDICTS = {"passed": "lulus", "failed": "GAGAL", "interrupted": "terputus", "": "-"}
YES, NO, NONE = "ya", "tidak", "-"
MISSED_HEAD = ("Tanggal", "Status", "Tindakan")
NEXT_GOOD = "dump berikutnya berhasil pada {day}"
NO_NEXT_GOOD = "belum ada dump berhasil sesudahnya pada bulan ini"
NO_MISSED = "Tidak ada hari terlewat."
CUSTODY_HEAD = ("Waktu", "Hard disk", "Peristiwa", "Keterangan")
CUSTODY_EVENTS = {"registered": "didaftarkan", "copy": "salinan terverifikasi", "lost": "HILANG"}
LOST_DETAIL = "berisi {copies} salinan, {plain} tidak terenkripsi; dipensiunkan"
NO_CUSTODY = "Tidak ada peristiwa hard disk."
DRILL_HEAD = ("Waktu", "Tingkat", "Waktu pulih", "Target RTO", "Dibandingkan", "Selisih", "Hasil")
NO_DRILLS = "Tidak ada uji pulih bulan ini."
DEVIATION_HEAD = ("Petugas", "Langkah SOP", "Dikerjakan", "Terlambat")
STEP_HEAD = ("Langkah SOP", "Rata-rata", "Standar", "Sesuai")
NO_DEVIATIONS = "Tidak ada langkah yang dicatat dengan waktu."
INCIDENT_HEAD = ("Waktu", "Jenis", "Keterangan")
INCIDENT_KINDS = {
    "dump_failed": "dump gagal",
    "disk_lost": "hard disk hilang",
    "breach": "pemberitahuan pelanggaran data pribadi",
}
LOST_INCIDENT = "{label}: {copies} salinan, {plain} tidak terenkripsi"
BREACH_INCIDENT = "{label}: pemberitahuan tertulis dalam 3×24 jam (UU 27/2022 Pasal 46)"
NO_INCIDENTS = "Tidak ada insiden."
INTEGRITY = {
    "chain": "Rantai bukti",
    "size": "Ukuran dan kepala rantai",
    "checkpoint": "Checkpoint bertanda tangan kunci kantor (C2SP signed note)",
    "no_checkpoint": "belum ada checkpoint bertanda tangan (EVIDENCE_KEY_FILE belum diisi)",
    "witness": "Tanda tangan saksi pusat",
    "not_witnessed": "belum disaksikan",
    "witnessed_at": "disaksikan pusat pada {at}",
    "csv": "SHA-256 lampiran CSV ({name})",
    "qr": "Kode QR berisi checkpoint di atas",
    "how": (
        "Cara memeriksa: jalankan `sopbot verifikasi-log --kunci-publik <kunci publik kantor>` "
        "pada log kantor; ukuran dan kepala rantai harus sama dengan checkpoint ini, dan "
        "`sha256sum` lampiran CSV harus sama dengan nilai di atas."
    ),
}
CHAIN_VERDICTS = {"intact": "UTUH", "broken": "RUSAK", "cannot": "TIDAK DAPAT DIPERIKSA"}
MAPPING_HEAD = (
    "Bagian laporan", "ISO/IEC 27001:2022", "Permendagri 57/2021 (SMKI)", "Indikator SPBE",
)  # fmt: skip
MAPPING = (
    ("2. Ringkasan, 3. Tabel harian", "A.8.13 cadangan diambil sesuai kebijakan",
     "SMKI: pencadangan data kependudukan", "Manajemen SPBE: manajemen keamanan informasi"),
    ("4. Hari terlewat dan tindakan", "A.8.13 pemantauan dan tindakan atas kegagalan",
     "SMKI: penanganan kegagalan pencadangan", "Manajemen SPBE: manajemen keamanan informasi"),
    ("5. Catatan penyimpanan hard disk", "A.8.13 salinan terlindung di lokasi terpisah; A.7.10",
     "SMKI: pengamanan media penyimpanan", "Manajemen SPBE: manajemen aset TIK"),
    ("6. Uji pulih", "A.8.13 salinan diuji secara berkala",
     "SMKI: uji pemulihan data", "Audit TIK: audit keamanan SPBE"),
    ("7. Penyimpangan standar waktu", "A.5.37 prosedur operasi terdokumentasi",
     "SOP sebagai standar pelayanan", "Kebijakan internal: SOP dan standar layanan"),
    ("8. Insiden", "A.5.24-A.5.26 pengelolaan insiden",
     "SMKI: pelaporan insiden keamanan", "Manajemen SPBE: manajemen keamanan informasi"),
    ("9. Integritas bukti", "A.8.15 pencatatan (log) terlindung dari perubahan",
     "SMKI: jejak audit", "Audit TIK: audit keamanan SPBE"),
)  # fmt: skip
SIGNATURE = (
    "Mengetahui dan mengesahkan,\nKepala Bidang Pengelolaan Informasi Administrasi Kependudukan"
)
SIGNATURE_SPACE = "(ruang tanda tangan elektronik)"
SIGNATURE_NAME = "Nama: ______________________________   NIP: ______________________"
PAGE = "Halaman {page}/{{nb}}"
