"""The SOP as data, and durations judged against its time standards."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core.sop import ASSIGNMENTS, STEPS, TOTAL_STANDARD, Role, duration_standard
from core.timing import OfficeHours, Timeliness, whole_minutes


def test_the_sop_has_eleven_steps_totalling_29_minutes() -> None:
    assert [s.number for s in STEPS] == list(range(1, 12))
    assert TOTAL_STANDARD == timedelta(minutes=29)


def test_assignment_standards_add_up_their_steps() -> None:
    assert ASSIGNMENTS[Role.ADB].standard == timedelta(minutes=14)  # steps 2..9
    assert ASSIGNMENTS[Role.KASI].standard == timedelta(minutes=5)  # step 11


def test_report_steps_are_judged_against_their_whole_assignment() -> None:
    assert duration_standard(9) == timedelta(minutes=14)
    assert duration_standard(10) == timedelta(minutes=5)


@pytest.mark.parametrize(
    ("duration", "standard", "on_time", "late"),
    [
        (timedelta(minutes=5), timedelta(minutes=5), True, 0),
        (timedelta(minutes=5, seconds=1), timedelta(minutes=5), False, 0),
        (timedelta(minutes=19), timedelta(minutes=14), False, 5),
        (timedelta(0), timedelta(minutes=1), True, 0),
    ],
)
def test_timeliness(duration: timedelta, standard: timedelta, on_time: bool, late: int) -> None:
    result = Timeliness(duration, standard)
    assert result.on_time is on_time
    assert whole_minutes(result.late_by) == late


@pytest.mark.parametrize(("seconds", "minutes"), [(0, 0), (29, 0), (30, 1), (89, 1), (-5, 0)])
def test_whole_minutes_rounds_half_up(seconds: int, minutes: int) -> None:
    assert whole_minutes(timedelta(seconds=seconds)) == minutes


def _day_by_day(office: OfficeHours, start: datetime, end: datetime) -> timedelta:
    """The definition, one day at a time."""
    total, day = timedelta(), start.astimezone(office.tz).date()
    while day <= end.astimezone(office.tz).date():
        if day.isoweekday() in office.days:
            window_open = datetime.combine(day, office.opens, office.tz)
            window_close = datetime.combine(day, office.closes, office.tz)
            overlap = min(end, window_close) - max(start, window_open)
            total += max(overlap, timedelta())
        day += timedelta(days=1)
    return total


WITA = ZoneInfo("Asia/Makassar")


@settings(max_examples=300, deadline=None)
@given(
    start_minutes=st.integers(0, 60 * 24 * 30),
    length_minutes=st.integers(0, 60 * 24 * 90),
    days=st.sets(st.integers(1, 7), min_size=1),
)
def test_working_time_counts_whole_weeks_exactly(
    start_minutes: int, length_minutes: int, days: set[int]
) -> None:
    office = OfficeHours(time(7, 30), time(16, 0), frozenset(days), WITA)
    start = datetime(2026, 11, 1, tzinfo=WITA) + timedelta(minutes=start_minutes)
    end = start + timedelta(minutes=length_minutes)
    assert office.working_time(start, end) == _day_by_day(office, start, end)


def test_an_instruction_open_for_years_is_timed_exactly() -> None:
    office = OfficeHours(time(7, 30), time(16, 0), frozenset({1, 2, 3, 4, 5}), WITA)
    start = datetime(2016, 11, 1, 9, 0, tzinfo=WITA)
    end = datetime(2026, 11, 25, 10, 0, tzinfo=WITA)
    assert office.working_time(start, end) == _day_by_day(office, start, end)
