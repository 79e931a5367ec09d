"""/laporan through the chat: the chart arrives as a photo, then the summary and the CSV."""

from __future__ import annotations

from conftest import KABID, Chat
from seed import FAILED_DAYS, MISSING_DAYS, seed_month


async def test_kabid_gets_chart_summary_and_csv(chat: Chat) -> None:
    svc = chat.services
    seeded = seed_month(svc.soplog, svc.dumplog, svc.copylog)  # type: ignore[arg-type]
    await chat.send(KABID, "/laporan 2026-11")
    photo = await chat.receive(KABID)
    assert photo.photo is not None and photo.photo[:8] == b"\x89PNG\r\n\x1a\n"
    assert "November 2026" in photo.text
    summary = await chat.receive(KABID)
    days = 25  # the 1st to today, the 25th (today has no run yet)
    assert f"Kepatuhan SOP: {seeded.copied_days} dari {days} hari" in summary.text
    assert f"gagal/tidak ada: {len(FAILED_DAYS | MISSING_DAYS) + 1} hari" in summary.text
    document = await chat.receive(KABID)
    assert document.document_name == "laporan-sop-2026-11.csv"
    assert document.document is not None
    assert document.document.decode("utf-8-sig").count("\r\n") == days + 1


async def test_bad_month_gets_a_usage_line(chat: Chat) -> None:
    reply = await chat.ask(KABID, "/laporan November")
    assert "TTTT-BB" in reply.text and "Cara pakai" in reply.text


async def test_empty_month_says_so(chat: Chat) -> None:
    reply = await chat.ask(KABID, "/laporan 2027-01")
    assert "belum ada hari" in reply.text
