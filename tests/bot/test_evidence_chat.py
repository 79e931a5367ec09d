"""The evidence chain through the chat and the command line: the sidik rantai in the morning
summary, checkpoints signed by the watchdog, /cek naming the first bad entry, /laporan audit as
a PDF document, and `sopbot verifikasi-log`'s exit codes."""

from __future__ import annotations

import io
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from conftest import ADB, KABID, KASI, WITA, Chat, until
from pypdf import PdfReader
from sqlalchemy import text

from core.signednote import Signer
from sopbot.cli import main


@pytest.fixture
def settings_overrides(tmp_path: Path) -> dict[str, Any]:
    key = tmp_path / "office-signing-key.txt"
    key.write_text(Signer.generate("disdukcapil-5108").secret_string() + "\n", encoding="utf-8")
    return {"evidence_key_file": key, "office_name": "Disdukcapil Kabupaten Buleleng"}


async def _a_day(chat: Chat) -> None:
    await chat.send(ADB, "/backup")
    await until(chat, KABID, "Laporan back up database")


async def test_the_morning_summary_carries_the_sidik_rantai_of_a_signed_checkpoint(
    chat: Chat,
) -> None:
    await _a_day(chat)
    chat.clock.set(datetime(2026, 11, 26, 7, 0, tzinfo=WITA))
    await chat.tick()
    summary = await until(chat, KASI, "Ringkasan back up")
    evidence = chat.services.evidence
    fingerprint = evidence.fingerprint()
    assert f"Sidik rantai: {fingerprint.size}/{fingerprint.head}" in summary.text
    latest = evidence.checkpoints.latest()
    assert latest is not None and latest.size == fingerprint.size  # signed by the tick


async def test_cek_names_a_dump_row_edited_behind_the_chain(chat: Chat) -> None:
    await _a_day(chat)
    before = await chat.ask(KABID, "/cek")
    assert "Rantai bukti: utuh" in before.text
    with chat.services.evidence.engine.begin() as connection:
        connection.execute(text("UPDATE dump_runs SET size_bytes = size_bytes * 2"))
    after = await chat.ask(KABID, "/cek")
    assert "❌ Rantai bukti: RUSAK — dump #1 diubah di tabelnya sendiri" in after.text


async def test_laporan_audit_sends_the_pdf_and_its_csv(chat: Chat) -> None:
    await _a_day(chat)
    await chat.send(KABID, "/laporan audit 2026-11")
    document = await chat.receive(KABID, timeout=60)
    assert document.document_name == "laporan-audit-2026-11.pdf"
    assert document.document is not None and document.document.startswith(b"%PDF-")
    pages = PdfReader(io.BytesIO(document.document)).pages
    words = " ".join(page.extract_text() for page in pages)
    assert "Disdukcapil Kabupaten Buleleng" in words and "9. Integritas bukti" in words
    annex = await chat.receive(KABID)
    assert annex.document_name == "laporan-sop-2026-11.csv"


async def test_laporan_audit_with_a_bad_month_gets_a_usage_line(chat: Chat) -> None:
    reply = await chat.ask(KABID, "/laporan audit bulan-lalu")
    assert "TTTT-BB" in reply.text


def test_verifikasi_log_exit_codes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    for name in ("DUMP_BACKEND", "SQLITE_SOURCE_PATH", "DATA_DIR", "DUMP_DIR", "DATABASE_URL"):
        monkeypatch.delenv(name, raising=False)
    runner = CliRunner()
    env = tmp_path / ".env"
    env.write_text("TELEGRAM_BOT_TOKEN=1:abc\n", encoding="utf-8")
    assert runner.invoke(main, ["verifikasi-log"]).exit_code == 2  # no log yet
    made = runner.invoke(main, ["keys", "init", "--folder", "keys", "--nama", "kantor-uji"])
    assert made.exit_code == 0, made.output
    assert "EVIDENCE_KEY_FILE=" in made.output
    public = (tmp_path / "keys" / "office-signing-key.pub").read_text(encoding="utf-8").strip()
    env.write_text(
        "TELEGRAM_BOT_TOKEN=1:abc\nEVIDENCE_KEY_FILE=keys/office-signing-key.txt\n",
        encoding="utf-8",
    )
    assert runner.invoke(main, ["sample-db", "--residents", "100"]).exit_code == 0
    assert runner.invoke(main, ["backup"]).exit_code == 0  # signs a checkpoint afterwards
    intact = runner.invoke(main, ["verifikasi-log", "--kunci-publik", public])
    assert intact.exit_code == 0, intact.output
    assert "Rantai bukti: utuh" in intact.output and "1 checkpoint sah" in intact.output
    other = Signer.generate("kantor-uji").verifier.vkey()
    forged = runner.invoke(main, ["verifikasi-log", "--kunci-publik", other])
    assert forged.exit_code == 1 and "tidak ditandatangani kunci kantor" in forged.output
    from storage.database import make_engine

    engine = make_engine(f"sqlite:///{tmp_path / 'data' / 'sopbot.db'}")
    with engine.begin() as connection:
        connection.execute(text("DELETE FROM evidence_chain WHERE seq = 1"))
    broken = runner.invoke(main, ["verifikasi-log"])
    assert broken.exit_code == 1 and "entri #1 hilang" in broken.output
