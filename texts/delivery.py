"""Texts about messages that did not arrive: a report lost on the way, told to its sender and
the Kabid."""

from __future__ import annotations

from collections.abc import Sequence

from texts.common import escape

GROUP_NAME = "grup kantor"
LOST_EXCERPT = 600  # characters of a lost message shown to the Kabid


def message_lost(recipient: str, content: str) -> str:
    excerpt = content if len(content) <= LOST_EXCERPT else content[:LOST_EXCERPT] + " …"
    return (
        f"⚠️ Pesan bot untuk {escape(recipient)} tidak sampai: Telegram menolaknya, juga "
        f"sebagai teks biasa. Isinya:\n{escape(excerpt)}"
    )


def report_not_delivered(recipients: Sequence[str]) -> str:
    names = ", ".join(escape(name) for name in recipients)
    return (
        f"⚠️ Laporan Anda tidak sampai kepada {names}: Telegram menolak pesannya. Instruksi tetap "
        "tercatat selesai; sampaikan laporan itu langsung."
    )
