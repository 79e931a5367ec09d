"""One piece of evidence, as the office queues it and the central database stores it (a plain
record: the office's queue needs no PostgreSQL code)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any


@dataclass(frozen=True)
class EvidenceRecord:
    """One piece of evidence as the office queues and the central database stores it."""

    seq: int  # the office's queue order
    key: str  # kind:id or day:YYYY-MM-DD, unique per office
    kind: str
    happened_at: datetime
    ok: bool
    encrypted: bool | None
    detail: dict[str, Any]
