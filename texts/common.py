"""Formatting shared by every message: escaping, dates, durations, sizes."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import date, datetime, timedelta, tzinfo
from html import escape as _escape
from html import unescape

from core.indonesian import DAYS, MONTHS
from core.sop import (
    ROLE_TITLES,
    SOP_WARNING,
    Role,
)
from core.timing import Timeliness, whole_minutes


def escape(text: str) -> str:
    """Text from people or programs made safe for an HTML message: control characters dropped
    (they could hide or reorder what is shown), <, > and & escaped."""
    visible = "".join(ch for ch in text if ch in "\n\t" or ch.isprintable() or ch == " ")
    return _escape(visible, quote=False)


def one_line(text: str) -> str:
    """`text` as one line: control and format characters dropped, every run of white space
    (newlines included) one space. A name can then never start a line of its own."""
    return " ".join("".join(ch for ch in text if ch.isprintable() or ch.isspace()).split())


ROLE_SHORT = {Role.KABID: "Kabid", Role.KASI: "Kasi", Role.ADB: "ADB", Role.PUSAT: "Pusat"}
MAX_NOTE_LENGTH = 1000


def long_date(day: date) -> str:
    return f"{DAYS[day.weekday()]}, {day.day} {MONTHS[day.month - 1]} {day.year}"


def short_date(day: date) -> str:
    return f"{DAYS[day.weekday()][:3]} {day.day:02d}/{day.month:02d}"


def clock_time(moment: datetime, tz: tzinfo) -> str:
    return moment.astimezone(tz).strftime("%H:%M")


def minutes(delta: timedelta) -> str:
    total = whole_minutes(delta)
    if total < 60:
        return f"{total} menit"
    hours, rest = divmod(total, 60)
    return f"{hours} jam {rest} menit" if rest else f"{hours} jam"


def timeliness(t: Timeliness) -> str:
    verdict = "tepat waktu" if t.on_time else f"terlambat {minutes(t.late_by)}"
    return f"{minutes(t.duration)} (standar {minutes(t.standard)}): {verdict}"


def person(user_id: int | None, names: Mapping[int, str]) -> str:
    if user_id is None:
        return "bot"
    return escape(one_line(names.get(user_id, f"id {user_id}")))


def roles_text(roles: frozenset[Role]) -> str:
    return ", ".join(ROLE_TITLES[role] for role in Role if role in roles)


def warning_footer() -> str:
    return f"⚠️ Peringatan SOP: {SOP_WARNING}"


def size(num_bytes: int | None) -> str:
    if num_bytes is None:
        return "-"
    value = float(num_bytes)
    for unit in ("B", "KB", "MB", "GB", "TB"):
        if value < 1024 or unit == "TB":
            text = f"{value:.0f}" if unit == "B" else f"{value:.1f}".replace(".", ",")
            return f"{text} {unit}"
        value /= 1024
    return f"{num_bytes} B"


def number(value: int | None) -> str:
    return "-" if value is None else f"{value:,}".replace(",", ".")


def seconds_text(total: float) -> str:
    if 0 < total < 0.5:
        return "kurang dari 1 detik"
    total_int = round(total)
    if total_int < 60:
        return f"{total_int} detik"
    return minutes(timedelta(seconds=total_int))


TEXT_LIMIT = 4096  # Telegram's limit for a message, after entity parsing
CAPTION_LIMIT = 1024
CUT = "\n… (pesan terlalu panjang, sisanya dipotong)"

# The tags Telegram's HTML knows (TECH-NOTES "Telegram HTML, precisely"); every other "<" in our
# messages is escaped, so these are the only markup there is.
_TAG = re.compile(
    r"</?(?:b|strong|i|em|u|ins|s|strike|del|a|code|pre|span|tg-spoiler|tg-emoji|blockquote)"
    r"(?:\s[^<>]*)?>",
    re.IGNORECASE,
)
# One piece of an HTML message: a tag, an entity (one shown character), or one character.
_PIECE = re.compile(
    rf"({_TAG.pattern})|&(?:lt|gt|amp|quot|#\d+|#x[0-9a-fA-F]+);|.", re.IGNORECASE | re.DOTALL
)


def shown_length(html_text: str) -> int:
    """How long Telegram finds an HTML message: the text after parsing (tags removed, an entity
    such as &amp;amp; one character), in UTF-16 code units as Telegram measures entities (an
    emoji outside the basic plane counts two): never less than the characters it shows."""
    return _units(plain(html_text))


def _units(text: str) -> int:
    return len(text) + sum(1 for ch in text if ord(ch) > 0xFFFF)


def _split(html_text: str, limit: int) -> tuple[str, str]:
    """`html_text` cut after `limit` shown characters, never inside a tag or an entity: the
    head with its open tags closed, and the rest with them opened again ("" when it fits)."""
    opened: list[str] = []  # the opening tags in force
    shown, cut, opened_at_cut = 0, 0, []
    for piece in _PIECE.finditer(html_text):
        if piece.group(1):
            if piece.group(0).startswith("</"):
                if opened:
                    opened.pop()
            else:
                opened.append(piece.group(0))
            continue
        units = _units(unescape(piece.group(0)))
        if shown + units > limit and shown > 0:  # at least one character a part: no endless split
            break
        shown += units
        cut, opened_at_cut = piece.end(), list(opened)
    else:
        return html_text, ""
    closing = "".join(f"</{_tag_name(tag)}>" for tag in reversed(opened_at_cut))
    return html_text[:cut] + closing, "".join(opened_at_cut) + html_text[cut:]


def _tag_name(tag: str) -> str:
    return tag.strip("<>").split()[0].lower()


def fit(html_text: str, limit: int = TEXT_LIMIT) -> str:
    """The message as Telegram will take it: a text over the limit (counted as Telegram counts,
    after parsing) is cut at a line boundary (every line of our messages closes its own tags),
    or, when even its first line is too long, between two characters with its tags closed;
    saying so. Nothing is ever un-escaped: a cut text stays the same markup, only shorter."""
    if shown_length(html_text) <= limit:
        return html_text
    kept: list[str] = []
    size = len(CUT)
    for line in html_text.split("\n"):
        length = shown_length(line)
        if size + length + 1 > limit:
            break
        kept.append(line)
        size += length + 1
    if kept:
        return "\n".join(kept) + CUT
    return _split(html_text, limit - len(CUT))[0] + CUT


def some(names: Sequence[str], shown: int = 10) -> str:
    """The first few of a list, escaped, and how many more: a list a phone can show."""
    text = ", ".join(escape(n) for n in names[:shown])
    return text + (f" dan {len(names) - shown} lainnya" if len(names) > shown else "")


def pages(html_text: str, limit: int = TEXT_LIMIT) -> list[str]:
    """A long message as several, split at line boundaries (every line of our messages closes
    its own tags), each within Telegram's limit as Telegram counts it: a long list arrives
    whole, in order. A single line longer than a message is split between two characters, its
    tags closed at the end of one part and opened again in the next."""
    if shown_length(html_text) <= limit:
        return [html_text]
    result: list[str] = []
    current: list[str] = []
    size = 0
    for line in html_text.split("\n"):
        length = shown_length(line)
        while length > limit:
            if current:
                result.append("\n".join(current))
                current, size = [], 0
            head, line = _split(line, limit)
            result.append(head)
            length = shown_length(line)
        if current and size + length + 1 > limit:
            result.append("\n".join(current))
            current, size = [], 0
        current.append(line)
        size += length + 1
    if current:
        result.append("\n".join(current))
    # A part that would show nothing (blank lines at a boundary) is refused by Telegram.
    return [part for part in result if plain(part).strip()] or [html_text]


def plain(html_text: str) -> str:
    """A message as plain text: for the terminal, and for a message Telegram refused as HTML.
    Never to be sent as HTML again."""
    return unescape(_TAG.sub("", html_text))


def plain_pages(text: str, limit: int = TEXT_LIMIT) -> list[str]:
    """Plain text as messages within the limit, at line boundaries where possible."""
    result: list[str] = []
    while _units(text) > limit:
        end, units = 0, 0
        while units + _units(text[end]) <= limit:
            units += _units(text[end])
            end += 1
        cut = text.rfind("\n", 0, end + 1)
        cut = cut if cut > 0 else end
        result.append(text[:cut])
        text = text[cut:].removeprefix("\n")
    if text.strip() or not result:
        result.append(text)
    return result


def month_name(month: date) -> str:
    return f"{MONTHS[month.month - 1]} {month.year}"


def short_hash(sha256: str) -> str:
    """A SHA-256 as people compare it in chat: the first 16 hex digits (the full one is in the
    disk's SHA256SUMS and the log)."""
    return f"{sha256[:16]}…" if len(sha256) > 16 else sha256
