"""Formatting shared by every message: escaping, dates, durations, sizes."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import date, datetime, timedelta, tzinfo
from html import escape as _escape

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
    return escape(names.get(user_id, f"id {user_id}"))


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


def fit(html_text: str, limit: int = TEXT_LIMIT) -> str:
    """The message as Telegram will take it: a text over the limit is cut at a line boundary
    (every line of our messages closes its own tags), saying so. The HTML length is an upper
    bound of what Telegram counts, so a text that fits here fits there."""
    if len(html_text) <= limit:
        return html_text
    kept: list[str] = []
    size = len(CUT)
    for line in html_text.split("\n"):
        if size + len(line) + 1 > limit:
            break
        kept.append(line)
        size += len(line) + 1
    return "\n".join(kept) + CUT if kept else plain(html_text)[: limit - len(CUT)] + CUT


def some(names: Sequence[str], shown: int = 10) -> str:
    """The first few of a list, escaped, and how many more: a list a phone can show."""
    text = ", ".join(escape(n) for n in names[:shown])
    return text + (f" dan {len(names) - shown} lainnya" if len(names) > shown else "")


def pages(html_text: str, limit: int = TEXT_LIMIT) -> list[str]:
    """A long message as several, split at line boundaries (every line of our messages closes
    its own tags), each within Telegram's limit: a long list arrives whole, in order."""
    if len(html_text) <= limit:
        return [html_text]
    result: list[str] = []
    current: list[str] = []
    size = 0
    for line in html_text.split("\n"):
        if len(line) > limit:  # one enormous line: shortened, it cannot be split safely
            line = fit(line, limit)
        if current and size + len(line) + 1 > limit:
            result.append("\n".join(current))
            current, size = [], 0
        current.append(line)
        size += len(line) + 1
    if current:
        result.append("\n".join(current))
    return result


def plain(html_text: str) -> str:
    """A message as plain text, for the terminal."""
    from html import unescape

    return unescape(re.sub(r"<[^>]+>", "", html_text))


def month_name(month: date) -> str:
    return f"{MONTHS[month.month - 1]} {month.year}"


def short_hash(sha256: str) -> str:
    """A SHA-256 as people compare it in chat: the first 16 hex digits (the full one is in the
    disk's SHA256SUMS and the log)."""
    return f"{sha256[:16]}…" if len(sha256) > 16 else sha256
