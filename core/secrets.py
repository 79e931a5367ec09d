"""The one way secrets are hidden from logs, messages, stored errors and files we write."""

from __future__ import annotations

from collections.abc import Iterable

MASK = "***"


def mask(text: str, secrets: Iterable[str]) -> str:
    """`text` with every secret replaced by ***, the longest first (one may contain another)."""
    for secret in sorted({s for s in secrets if s}, key=len, reverse=True):
        text = text.replace(secret, MASK)
    return text
