"""Durations measured against the SOP's time standards (Mutu Baku)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta


@dataclass(frozen=True)
class Timeliness:
    duration: timedelta
    standard: timedelta

    @property
    def on_time(self) -> bool:
        return self.duration <= self.standard

    @property
    def late_by(self) -> timedelta:
        return max(self.duration - self.standard, timedelta())


def whole_minutes(delta: timedelta) -> int:
    """Minutes rounded half up, never negative: how people read a short duration."""
    seconds = max(delta.total_seconds(), 0.0)
    return int((seconds + 30) // 60)
