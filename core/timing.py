"""Durations measured against the SOP's time standards (Mutu Baku), fairly.

A person's step is timed in office time only (`OfficeHours`, default 07:30–16:00 WITA, Monday to
Friday): a clock that starts at night, at a weekend or after closing starts counting when the
office opens, and stops again when it closes. So the Kabid's morning instruction after a dump at
01:00 is timed from 07:30, and an instruction given at 15:55 and done at 07:35 the next morning
took 10 minutes. The bot's own jobs (the dump, the copy) are timed by the wall clock.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo

from core.sop import STEP_BY_NUMBER, StepKind, duration_standard


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


@dataclass(frozen=True)
class OfficeHours:
    opens: time
    closes: time
    days: frozenset[int]  # ISO weekdays, 1 = Monday
    tz: tzinfo

    def _window(self, day: date) -> tuple[datetime, datetime] | None:
        if day.isoweekday() not in self.days:
            return None
        return (
            datetime.combine(day, self.opens, self.tz),
            datetime.combine(day, self.closes, self.tz),
        )

    def working_time(self, start: datetime, end: datetime) -> timedelta:
        """How much of [start, end] falls within office hours.

        The first and last day are measured; the whole weeks between them are counted, so an
        instruction open for years costs no more than one open for a week."""
        if end <= start:
            return timedelta()
        first = start.astimezone(self.tz).date()
        days_total = (end.astimezone(self.tz).date() - first).days + 1
        full_weeks = max(days_total - 2, 0) // 7  # whole days strictly inside the span
        total = full_weeks * self._week()
        measured = [0, *range(1 + full_weeks * 7, days_total)] if days_total > 1 else [0]
        for offset in measured:
            window = self._window(first + timedelta(days=offset))
            if window is None:
                continue
            overlap = min(end, window[1]) - max(start, window[0])
            if overlap > timedelta():
                total += overlap
        return total

    def _week(self) -> timedelta:
        """Office time in one whole week."""
        day = datetime.combine(date(2026, 1, 5), self.closes) - datetime.combine(
            date(2026, 1, 5), self.opens
        )
        return day * len(self.days)


def step_time(
    step_number: int, started: datetime, finished: datetime, office: OfficeHours
) -> timedelta:
    """The time a step took as it is judged: office time for people, wall time for jobs."""
    step = STEP_BY_NUMBER.get(step_number)
    if step is not None and step.kind is StepKind.JOB:
        return finished - started
    return office.working_time(started, finished)


def step_timeliness(
    step_number: int, started: datetime, finished: datetime, office: OfficeHours
) -> Timeliness:
    return Timeliness(
        step_time(step_number, started, finished, office), duration_standard(step_number)
    )


def whole_minutes(delta: timedelta) -> int:
    """Minutes rounded half up, never negative: how people read a short duration."""
    seconds = max(delta.total_seconds(), 0.0)
    return int((seconds + 30) // 60)
