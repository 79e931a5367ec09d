"""The demo (`python3 dev.py demo`) plays a whole SOP day for real against a local Bot API."""

from __future__ import annotations

from pathlib import Path

from devtools.demo import run_demo


async def test_demo_plays_the_whole_day(tmp_path: Path) -> None:
    lines: list[str] = []
    await run_demo(out=lines.append, data_dir=tmp_path)
    transcript = "\n".join(lines)
    assert "Back up database dimulai (terjadwal)" in transcript
    assert "Laporan back up database (SOP langkah 8–9): ✅ berhasil" in transcript
    assert "Baris diekspor: 5.932 dari 3 tabel" in transcript
    assert "Laporan ADB" in transcript and "Laporan Kasi" in transcript
    assert "Bot SOP-PIAK-02 Back Up Data Kependudukan sudah aktif" in transcript  # first start
    assert "Ringkasan back up" in transcript
    assert "SALINAN HARD DISK EKSTERNAL" not in transcript  # a new installation is calm
    assert "Uji pulih LULUS" in transcript and "jumlah baris 3 tabel sama" in transcript
    assert "Instruksi #2 belum ditutup" in transcript  # the Kasi's word alone is not step 11
    assert "instruksi #2 ditutup otomatis dengan bukti salinan ini" in transcript
    assert "Bukti: SIAK_20261125_0100.dmp di hard disk HDD-DEMO-1" in transcript
    assert "✅ SIAK_20261125_0100.dmp" in transcript  # /daftar
    assert "Lengkap: semua 5 langkah wajib hari ini selesai." in transcript
    assert "Kepatuhan SOP: 1 dari 1 hari" in transcript
    assert list((tmp_path / "dumps").glob("SIAK_20261125_0100.dmp"))
    # It ends with the audit report: a PDF carrying the signed checkpoint of the chain
    assert "Laporan audit November 2026, nomor KANTOR/AUDIT-BACKUP/2026/11/" in transcript
    pdf = tmp_path / "laporan" / "laporan-audit-2026-11.pdf"
    assert pdf.read_bytes().startswith(b"%PDF-")
    from pypdf import PdfReader

    words = " ".join(page.extract_text() for page in PdfReader(pdf).pages)
    assert "disdukcapil-demo" in words and "UTUH" in words
