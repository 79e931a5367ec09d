"""Nothing the bot sends can exceed Telegram's limits: the stand-in refuses what Telegram would
(4096 characters of text, 1024 of caption), so the longest realistic case of each long message
is sent through it."""

from __future__ import annotations

import hashlib
import html
from datetime import datetime, timedelta
from pathlib import Path

from conftest import ADB, KABID, KASI, WITA, Chat
from conftest import with_external_disk as settings_overrides  # noqa: F401
from hypothesis import example, given, settings
from hypothesis import strategies as st

import texts
from core.sop import Role
from devtools.botapi import _rendered
from jobs.external.copy import write_manifest
from jobs.external.listing import VerifyReport
from jobs.external.service import CopyResult
from jobs.job import Outcome
from texts.common import (
    CUT,
    TEXT_LIMIT,
    escape,
    fit,
    pages,
    plain,
    plain_pages,
    shown_length,
)


async def test_daftar_with_two_hundred_files_comes_in_pages_within_the_limit(
    chat: Chat, disk_path: Path
) -> None:
    folder = disk_path / "sopbot-backups"
    folder.mkdir(exist_ok=True)
    manifest = {}
    for day in range(200):  # more than six months of daily copies
        name = f"SIAK_{(datetime(2026, 5, 1) + timedelta(days=day)):%Y%m%d}_0100.dmp"
        (folder / name).write_bytes(name.encode())
        manifest[name] = hashlib.sha256(name.encode()).hexdigest()
    write_manifest(folder, manifest)
    first = await chat.ask(KABID, "/daftar")
    assert len(first.text) <= TEXT_LIMIT and "Ruang kosong" in first.text
    assert "Halaman 1 dari 10 · kirim /daftar 2 untuk berikutnya" in first.text
    shown = [first.text]
    for page in range(2, 11):  # one message a page
        reply = await chat.ask(KABID, f"/daftar {page}")
        assert len(reply.text) <= TEXT_LIMIT and f"Halaman {page} dari 10" in reply.text
        shown.append(reply.text)
    assert all(name in "\n".join(shown) for name in manifest)  # every file on some page


async def test_status_with_many_open_instructions_fits(chat: Chat) -> None:
    for n in range(40):
        chat.services.soplog.issue_instruction(
            run_date=chat.services.today(),
            target=Role.ADB if n % 2 else Role.KASI,
            issued_by=KABID,
            note="x" * 900,
            at=chat.clock.now(),
        )
    status = await chat.ask(ADB, "/status")
    assert "40 instruksi masih terbuka" in status.text and len(status.text) <= TEXT_LIMIT


async def test_a_copy_report_naming_two_hundred_pruned_files_is_delivered(chat: Chat) -> None:
    result = CopyResult(
        run_id=1,
        outcome=Outcome.SUCCESS,
        source=Path("SIAK_20261125_0100.dmp"),
        dest=Path("SIAK_20261125_0100.dmp"),
        size=1,
        sha256="a" * 64,
        disk_label="HDD-PIAK-1",
        started_at=datetime(2026, 11, 25, 1, 0, tzinfo=WITA),
        finished_at=datetime(2026, 11, 25, 1, 5, tzinfo=WITA),
        pruned=[f"SIAK_2026{n:04d}_0100.dmp" for n in range(200)],
    )
    text = texts.copy_done(result, WITA)
    assert "Dihapus oleh retensi (200)" in text and "dan 190 lainnya" in text
    assert chat.services.sender is not None
    await chat.services.sender.send(KASI, text)
    assert "Dihapus oleh retensi (200)" in (await chat.receive(KASI)).text


async def test_verifikasi_of_a_badly_damaged_disk_is_delivered(chat: Chat) -> None:
    names = [f"SIAK_2026{n:04d}_0100.dmp" for n in range(300)]
    report = VerifyReport(
        good=names[:100], mismatched=names[100:200], missing=names[200:], unlisted=[]
    )
    text = texts.verify_report(report, "HDD-PIAK-1")
    assert chat.services.sender is not None
    await chat.services.sender.send(KASI, text)
    received = await chat.receive(KASI)
    assert "dan 170 file bermasalah lainnya" in received.text


@settings(max_examples=200, deadline=None)
@given(st.lists(st.text(alphabet=st.characters(blacklist_characters="\n"), max_size=300)))
def test_pages_keep_every_line_in_order_within_the_limit(lines: list[str]) -> None:
    text = "\n".join(escape(line) for line in lines)
    parts = pages(text, limit=500)
    assert all(shown_length(part) <= 500 for part in parts)
    if all(len(line) <= 500 for line in lines):  # every line that shows something, in order
        assert [ln for ln in "\n".join(parts).split("\n") if plain(ln).strip()] == [
            ln for ln in text.split("\n") if plain(ln).strip()
        ]
    assert all(plain(part).strip() for part in parts) or parts == [text]  # none shows nothing


MARKUP = st.text(alphabet=st.sampled_from([*"<>&;ab /\x00", "é", "🙂"]), min_size=1, max_size=400)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["", "b", "code", "i"]), MARKUP), min_size=1, max_size=8))
@example(runs=[("", ";" * 98 + "🙂 ")])  # the last part would show only a space: not sent
def test_pages_of_escaped_text_are_taken_by_telegram_and_show_it_literally(
    runs: list[tuple[str, str]],
) -> None:
    """However much escaping inflates a text (every & five characters), each part is within
    the limit as Telegram counts it, parses, and together they show exactly what was typed."""
    html_text = "".join(f"<{t}>{escape(x)}</{t}>" if t else escape(x) for t, x in runs)
    typed = "".join(visible_text for _, visible_text in runs)
    parts = pages(html_text, limit=100)
    shown = [_rendered({"parse_mode": "HTML"}, part) for part in parts]
    assert all(len(part) <= 100 for part in shown)
    # Together, what was typed, in order. A part that would show only white space is not sent
    # (Telegram refuses an empty message), so white space at a cut may show in neither part;
    # nothing else may go missing.
    rest = escape_free(typed).replace("\n", "")
    for part in shown:
        piece = part.replace("\n", "").strip()
        rest = rest.lstrip()
        assert rest.startswith(piece)
        rest = rest[len(piece) :]
    assert not rest.strip()
    cut = _rendered({"parse_mode": "HTML"}, fit(html_text, limit=100))
    assert len(cut) <= 100
    assert escape_free(typed).startswith(cut.removesuffix(CUT))  # the start, literally


def escape_free(text: str) -> str:
    """What `escape` keeps of a text, as a reader sees it."""
    return html.unescape(escape(text))


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.sampled_from([*"ab \n", "🙂", "é"]), min_size=1, max_size=1500))
def test_plain_text_parts_fit_even_counted_in_utf16_and_lose_nothing(text: str) -> None:
    """A message sent again as plain text: every part within the limit however it is counted
    (an emoji is two UTF-16 code units), and together the whole text, in order."""
    parts = plain_pages(text, limit=100)
    assert all(len(part.encode("utf-16-le")) // 2 <= 100 for part in parts)
    assert "".join("".join(parts).split()) == "".join(text.split())  # all but white space
