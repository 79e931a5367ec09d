"""Parsing of command arguments. Each parser returns a value or raises UsageError with an
Indonesian explanation; the handler turns that into a usage line."""

from __future__ import annotations

from dataclasses import dataclass

from core.sop import Role
from texts import (
    LABEL_TOO_LONG,
    MAX_LABEL_LENGTH,
    MAX_NAME_LENGTH,
    MAX_NOTE_LENGTH,
    NAME_TOO_LONG,
    NOTE_TOO_LONG,
)
from texts import arguments as said
from texts.common import one_line


class UsageError(ValueError):
    """The arguments do not fit the command; `str(error)` says why, in Indonesian."""


INSTRUCTION_TARGETS = {"adb": Role.ADB, "kasi": Role.KASI}


def split_command(text: str) -> str:
    """The text after the command word ("/selesai@bot 3 ok" -> "3 ok"), newlines kept."""
    parts = text.strip().split(maxsplit=1)
    return parts[1].strip() if len(parts) > 1 else ""


def visible(text: str) -> str:
    """`text` without control or format characters (they could hide or reorder what is
    shown); newlines and tabs kept."""
    return "".join(ch for ch in text if ch in "\n\t" or ch.isprintable())


def _note(text: str) -> str:
    note = visible(text).strip()
    if len(note) > MAX_NOTE_LENGTH:
        raise UsageError(NOTE_TOO_LONG)
    return note


def parse_name(text: str) -> str:
    """A person's name as the Kabid gives it: one line, at most 64 characters."""
    name = one_line(text)
    if len(name) > MAX_NAME_LENGTH:
        raise UsageError(NAME_TOO_LONG)
    return name


def display_name(text: str) -> str:
    """A Telegram display name as the bot keeps it: one line, bounded (first and last name
    together may be longer than a name the Kabid gives)."""
    name = one_line(text)
    return name if len(name) <= MAX_NAME_LENGTH else name[: MAX_NAME_LENGTH - 1] + "…"


def parse_label(text: str) -> str:
    """A disk label or similar identifier typed in the chat: one printable word or a few,
    at most 32 characters."""
    label = one_line(text)
    if len(label) > MAX_LABEL_LENGTH:
        raise UsageError(LABEL_TOO_LONG)
    return label


@dataclass(frozen=True)
class InstructionArgs:
    target: Role
    note: str


def parse_instruction(rest: str) -> InstructionArgs:
    parts = rest.split(maxsplit=1)
    if not parts:
        raise UsageError(said.NO_TARGET)
    target = INSTRUCTION_TARGETS.get(parts[0].lower())
    if target is None:
        raise UsageError(said.BAD_TARGET)
    return InstructionArgs(target, _note(parts[1] if len(parts) > 1 else ""))


@dataclass(frozen=True)
class DoneArgs:
    instruction_id: int | None
    note: str
    manual: bool = False  # "done by other means": recorded as unverified, never as compliant


MANUAL_WORD = "manual"


def parse_done(rest: str) -> DoneArgs:
    """`[nomor] [manual] [catatan]`; a number with a sign or other junk is refused."""
    number: int | None = None
    parts = rest.split(maxsplit=1)
    if parts:
        token = parts[0].removeprefix("#")
        if token.isdecimal() and token.isascii():
            number = int(token)
            if not 0 < number < 2**31:
                raise UsageError(said.BAD_INSTRUCTION_NUMBER)
            rest = parts[1] if len(parts) > 1 else ""
        elif token[:1] in "+-" and token[1:].isdecimal():
            raise UsageError(said.BAD_INSTRUCTION_NUMBER)
    words = rest.split(maxsplit=1)
    manual = bool(words) and words[0].lower() == MANUAL_WORD
    if manual:
        note = _note(words[1] if len(words) > 1 else "")
        if not note:
            raise UsageError(said.MANUAL_NEEDS_NOTE)
        return DoneArgs(number, note, manual=True)
    return DoneArgs(number, _note(rest))


MAX_HISTORY_DAYS = 90


def parse_days(rest: str, default: int = 7) -> int:
    parts = rest.split()
    if not parts:
        return default
    token = parts[0]
    if len(parts) > 1 or not (token.isdecimal() and token.isascii()):
        raise UsageError(said.DAYS_NOT_A_NUMBER)
    days = int(token)
    if not 1 <= days <= MAX_HISTORY_DAYS:
        raise UsageError(said.days_out_of_range(MAX_HISTORY_DAYS))
    return days


def parse_page(rest: str) -> int:
    """`[halaman]`: a page number from 1 (the default); whether it exists the caller knows."""
    parts = rest.split()
    if not parts:
        return 1
    token = parts[0]
    if len(parts) > 1 or not (token.isdecimal() and token.isascii()):
        raise UsageError(said.PAGE_NOT_A_NUMBER)
    page = int(token)
    if not 0 < page < 2**31:
        raise UsageError(said.PAGE_FROM_ONE)
    return page


ROLE_WORDS = {"adb": Role.ADB, "kasi": Role.KASI, "kabid": Role.KABID}


@dataclass(frozen=True)
class MemberArgs:
    role: Role
    user_id: int
    name: str


def parse_user_id(word: str) -> int:
    if not word.isdigit() or not 0 < int(word) < 2**53:
        raise UsageError(said.BAD_USER_ID)
    return int(word)


def parse_member(rest: str) -> MemberArgs:
    """`<adb|kasi|kabid> <id> [nama]`."""
    parts = rest.split(maxsplit=2)
    if len(parts) < 2:
        raise UsageError(said.NO_MEMBER)
    role = ROLE_WORDS.get(parts[0].lower())
    if role is None:
        raise UsageError(said.BAD_ROLE)
    user_id = parse_user_id(parts[1])
    return MemberArgs(role, user_id, parse_name(parts[2]) if len(parts) > 2 else "")


def parse_found(rest: str) -> tuple[str, str]:
    """`<label> <alasan>`: the disk found, and why it can be trusted again (recorded)."""
    parts = rest.split(maxsplit=1)
    if not parts:
        raise UsageError(said.NO_FOUND_LABEL)
    reason = _note(parts[1]) if len(parts) > 1 else ""
    if not reason:
        raise UsageError(said.FOUND_NEEDS_REASON)
    return parts[0], reason
