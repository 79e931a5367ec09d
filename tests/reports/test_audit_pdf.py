"""The monthly audit report: a valid PDF whose extracted text holds every section with the
month's real figures, for a month with a lost disk, a failed dump and a restore drill."""

from __future__ import annotations

import hashlib
import io
import re
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from pypdf import PdfReader

from bot.context import Services
from core.clock import ManualClock
from core.signednote import Signer
from reports.audit import build_for
from reports.audit_pdf import render_audit_pdf, render_audit_pdf_apart
from tests.conftest import WITA, make_settings, open_services
from tests.seed import FAILED_DAYS, seed_month
from texts import audit as w

DECEMBER = datetime(2026, 12, 1, 9, 0, tzinfo=WITA)


@pytest.fixture
def office(database_url: str, tmp_path: Path) -> Services:
    signer = Signer.generate("disdukcapil-5108")
    key = tmp_path / "office-signing-key.txt"
    key.write_text(signer.secret_string() + "\n", encoding="utf-8")
    settings = make_settings(
        "http://127.0.0.1:9/bot",
        tmp_path,
        database_url=database_url,
        evidence_key_file=key,
        office_name="Disdukcapil Kabupaten Buleleng",
        drill_target_rto_minutes=30,
    )
    svc = open_services(settings, ManualClock(DECEMBER))
    seed_month(svc.soplog, svc.dumplog, svc.copylog, last_day=24)
    svc.disks.register("d1", "HDD", 10**12, datetime(2026, 11, 1, 9, tzinfo=WITA))
    svc.disks.lost("d1", datetime(2026, 11, 20, 10, 0, tzinfo=WITA))
    drill = svc.drilllog.start(
        copy_id=1,
        dump_run_id=1,
        file_name="SIAK_20261101_0100.dmp",
        disk_label="HDD",
        backend="sqlite",
        level=1,
        trigger="schedule",
        requested_by=None,
        started_at=datetime(2026, 11, 10, 2, 0, tzinfo=WITA),
    )
    svc.drilllog.finish(
        drill,
        finished_at=datetime(2026, 11, 10, 2, 2, tzinfo=WITA),
        outcome="passed",
        compared=112,
        mismatches=0,
        restore_seconds=95.0,
    )
    return svc


def _text(pdf: bytes) -> str:
    reader = PdfReader(io.BytesIO(pdf))
    return "\n".join(page.extract_text() for page in reader.pages)


def test_the_audit_pdf_holds_every_section_with_the_months_figures(office: Services) -> None:
    report, annex = build_for(office, DECEMBER.date().replace(month=11, day=1))
    pdf = render_audit_pdf(report)
    assert pdf.startswith(b"%PDF-") and b"/FontFile2" in pdf  # the TrueType font is embedded
    text = _text(pdf)
    flat = re.sub(r"\s+", " ", text)
    for title in w.SECTIONS.values():
        assert title in flat, title
    assert report.number in flat and "Disdukcapil Kabupaten Buleleng" in flat
    assert "November 2026" in flat and "SOP-PIAK-02" in flat
    # Summary: the whole month counts (30 days; seeded up to the 24th): 19 verified copies
    assert "19 dari 30 hari" in flat
    assert "1 dari 1" in flat  # drills passed
    assert "0%" in flat  # no copy encrypted
    # The failed dumps in the daily table and as incidents, the lost disk, the breach notice
    assert flat.count("GAGAL") >= len(FAILED_DAYS)
    assert "hard disk hilang" in flat and "HILANG" in flat
    assert "pemberitahuan pelanggaran data pribadi" in flat
    # The drill against the target RTO: 95 s restore, 30 min target, 112 tables compared
    assert "1,6 menit" in flat and "30,0 menit" in flat and "112" in flat
    # Integrity: the chain verified, its signed checkpoint, not yet witnessed, the CSV's hash
    assert "UTUH" in flat and "belum disaksikan" in flat
    assert hashlib.sha256(annex).hexdigest() in flat.replace(" ", "")
    assert "disdukcapil-5108" in flat and str(report.chain_size) in flat
    assert "A.8.13" in flat and "Permendagri 57/2021" in flat and "SPBE" in flat
    assert w.SIGNATURE_SPACE in flat


def test_the_pdf_is_drawn_in_a_child_process(office: Services) -> None:
    report, _ = build_for(office, DECEMBER.date().replace(month=11, day=1))
    pdf = render_audit_pdf_apart(report)
    assert "Tabel harian" in _text(pdf)


def test_a_row_edited_behind_the_chain_shows_in_the_report(office: Services) -> None:
    from sqlalchemy import text

    with office.evidence.engine.begin() as connection:
        connection.execute(
            text("UPDATE dump_runs SET outcome = 'success' WHERE outcome = 'failed'")
        )
    report, _ = build_for(office, DECEMBER.date().replace(month=11, day=1))
    flat = re.sub(r"\s+", " ", _text(render_audit_pdf(report)))
    assert "RUSAK" in flat and "diubah di tabelnya sendiri" in flat


def test_a_month_in_the_future_still_makes_a_document(office: Services) -> None:
    report, _ = build_for(office, (DECEMBER + timedelta(days=40)).date().replace(day=1))
    assert "Tidak ada uji pulih" in _text(render_audit_pdf(report))
