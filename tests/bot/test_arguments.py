"""Argument parsing of the chat commands."""

from __future__ import annotations

import pytest

from bot.arguments import (
    DoneArgs,
    UsageError,
    parse_days,
    parse_done,
    parse_instruction,
    split_command,
)
from core.sop import Role


def test_split_command_keeps_the_rest_with_newlines() -> None:
    assert split_command("/selesai@sop_bot 3 baris satu\nbaris dua") == "3 baris satu\nbaris dua"
    assert split_command("/status") == ""


def test_instruction_target_is_case_insensitive_and_note_optional() -> None:
    assert parse_instruction("ADB") == parse_instruction("adb")
    parsed = parse_instruction("kasi salin ke HDD 2")
    assert parsed.target is Role.KASI and parsed.note == "salin ke HDD 2"


def test_control_characters_are_dropped_from_notes() -> None:
    assert parse_instruction("adb a\x00b\x1bc").note == "abc"


@pytest.mark.parametrize(
    ("rest", "number", "note"),
    [("", None, ""), ("12", 12, ""), ("#12 ok", 12, "ok"), ("sudah beres", None, "sudah beres")],
)
def test_done_arguments(rest: str, number: int | None, note: str) -> None:
    parsed = parse_done(rest)
    assert (parsed.instruction_id, parsed.note) == (number, note)


@pytest.mark.parametrize("rest", ["0", "٣"])
def test_done_rejects_numbers_that_are_not_ids(rest: str) -> None:
    if rest == "٣":  # Arabic-Indic digit: not an id, so it is read as a note
        assert parse_done(rest).instruction_id is None
        return
    with pytest.raises(UsageError):
        parse_done(rest)


@pytest.mark.parametrize(("rest", "days"), [("", 7), ("1", 1), ("90", 90)])
def test_days(rest: str, days: int) -> None:
    assert parse_days(rest) == days


@pytest.mark.parametrize("rest", ["0", "91", "-1", "7 8", "tujuh"])
def test_bad_days(rest: str) -> None:
    with pytest.raises(UsageError):
        parse_days(rest)


@pytest.mark.parametrize("rest", ["-3", "+3", "-3 catatan"])
def test_a_signed_number_is_not_taken_as_a_note(rest: str) -> None:
    with pytest.raises(UsageError, match="Nomor instruksi"):
        parse_done(rest)


def test_manual_needs_a_description_and_keeps_the_number() -> None:
    assert parse_done("4 manual lewat Explorer") == DoneArgs(4, "lewat Explorer", manual=True)
    assert parse_done("MANUAL ke HDD-2").manual
    with pytest.raises(UsageError, match="keterangan"):
        parse_done("4 manual")


def test_names_and_labels_are_one_bounded_line() -> None:
    from bot.arguments import display_name, parse_label, parse_member, parse_name

    assert parse_name("  Ketut\n\tArsana\u202e ") == "Ketut Arsana"
    assert parse_member("kasi 123 Ketut\nKabid").name == "Ketut Kabid"
    assert parse_label("HDD-PIAK-1\n") == "HDD-PIAK-1"
    assert len(display_name("N" * 300)) == 64
    for too_long, parse in (("N" * 65, parse_name), ("L" * 33, parse_label)):
        with pytest.raises(UsageError):
            parse(too_long)
