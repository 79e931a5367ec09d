"""Hostile input: arbitrary text in arguments, notes, callback data and file-name patterns.

Property tests (hypothesis) cover the layers that parse and render; a curated list goes through
the real chat. Nothing may crash, leak a stack trace, or land outside its field.
"""

from __future__ import annotations

import contextlib
import html
from datetime import UTC, datetime

import pytest
from conftest import ADB, KABID, KASI, STRANGER, Chat
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import texts
from bot.arguments import UsageError, parse_days, parse_done, parse_instruction, split_command
from core.problems import Code, Problem
from core.sop import Role
from devtools.botapi import ApiError, _rendered
from jobs.dump.service import _safe_file_name
from storage.soplog import InstructionRecord
from texts.problems import say

EXAMPLES = 300
ANY_TEXT = st.text(min_size=0, max_size=3000)
NASTY = st.text(
    alphabet=st.sampled_from([*"<>&\"'`*_[]()~|#\\/.\n\t\r\x00\x1b\u202e\u200b", "é", "🙂"]),
    max_size=500,
)


def as_telegram_shows(html_text: str) -> str:
    """What Telegram would display, or ApiError if it would refuse the message."""
    return _rendered({"parse_mode": "HTML"}, html_text)


@settings(max_examples=EXAMPLES, deadline=None)
@given(st.one_of(ANY_TEXT, NASTY))
def test_argument_parsers_never_crash(text: str) -> None:
    for parse in (parse_instruction, parse_done, parse_days):
        with contextlib.suppress(UsageError):
            parse(text)
    split_command("/selesai " + text)


@settings(max_examples=EXAMPLES, deadline=None)
@given(st.one_of(ANY_TEXT, NASTY))
def test_notes_are_shown_literally_and_never_break_the_message(note: str) -> None:
    try:
        parsed = parse_instruction("adb " + note)
    except UsageError:
        return  # too long: refused with a usage line
    record = InstructionRecord(
        7,
        datetime(2026, 11, 25).date(),
        Role.ADB,
        1,
        datetime(2026, 11, 25, tzinfo=UTC),
        parsed.note,
        "open",
    )
    for rendered in (
        texts.instruction_delivered(record, note[:50]),
        texts.instruction_for_group(record, note[:50]),
    ):
        try:
            shown = as_telegram_shows(rendered)
        except ApiError as error:  # pragma: no cover - the property fails with the reason
            pytest.fail(f"Telegram would refuse it: {error.description}")
        assert parsed.note in shown
        assert "\x00" not in shown and "\x1b" not in shown


@settings(max_examples=EXAMPLES, deadline=None)
@given(st.one_of(ANY_TEXT, NASTY, st.just("../../etc/passwd_%Y"), st.just("..\\..\\x")))
def test_generated_dump_names_stay_inside_the_dump_folder(pattern: str) -> None:
    name = _safe_file_name(pattern)
    assert name and "/" not in name and "\\" not in name
    assert not name.startswith(".") and name not in (".", "..")


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(ANY_TEXT, NASTY))
def test_problems_with_any_parameters_render_safely(line: str) -> None:
    for code in Code:
        found = Problem(code, {key: line for key in ("text", "path", "error", "why", "code")})
        as_telegram_shows(html.escape(say(found)))


HOSTILE = [
    "x" * 5000,
    "<b>tebal</b> <script>alert(1)</script> &amp; &lt;",
    "*tebal* _miring_ [tautan](http://contoh.invalid) `kode`",
    "baris1\nbaris2\r\n\tbaris3",
    "\x00\x01\x02\x1b[31mmerah\x1b[0m",
    "\u202emirror\u202c \u200bzero\u200b",
    "🙂" * 300,
    "'; DROP TABLE instructions; --",
    "../../../../etc/passwd",
    "%s %d %(x)s {0} {x}",
]


@pytest.mark.parametrize("note", HOSTILE)
async def test_hostile_notes_through_the_chat(chat: Chat, note: str) -> None:
    reply = await chat.ask(KABID, f"/instruksi adb {note}")
    if len(note) > texts.MAX_NOTE_LENGTH:
        assert "Catatan terlalu panjang" in reply.text
        assert chat.services.soplog.open_instructions([Role.ADB]) == []
        return
    assert "tercatat" in reply.text, reply.text
    stored = chat.services.soplog.open_instructions([Role.ADB])[0].note
    delivered = await chat.receive(ADB)
    assert stored and stored in delivered.text
    closing = await chat.ask(ADB, f"/selesai 1 {note}")
    assert "ditutup" in closing.text


@pytest.mark.parametrize(
    "data",
    [
        "selesai:",
        "selesai:-1",
        "selesai:99999999999999",
        "selesai:1;DROP",
        "instruksi:root",
        "x" * 64,
        "",
        "salin:abc",
        "hilang:ya:0000000000000000:1",
        "hilang:batal:x",
    ],
)
async def test_unknown_or_forged_callback_data_changes_nothing(chat: Chat, data: str) -> None:
    own = await chat.ask(KASI, "/bantuan")
    await chat.server.press_button(KASI, own, data)
    await chat.settle(KASI)
    day = chat.services.soplog.day_status(chat.services.today())
    assert day.events == () and day.instructions == ()
    assert not [m for m in chat.server.sent_to(KASI) if "kesalahan di bot" in m.text]


@pytest.mark.parametrize(
    "text",
    [
        "/status " + "9" * 4000,
        "/riwayat -0",
        "/jadwal 01:00:00",
        "/laporan 9999-99",
        "/selesai #",
        "/instruksi\x00adb",
    ],
)
async def test_malformed_commands_never_show_a_stack_trace(chat: Chat, text: str) -> None:
    for user in (KABID, ADB, STRANGER):
        await chat.send(user, text)
    await chat.settle(KABID)
    for user in (KABID, ADB, STRANGER):
        for message in chat.server.sent_to(user):
            assert "Traceback" not in message.text and "kesalahan di bot" not in message.text
