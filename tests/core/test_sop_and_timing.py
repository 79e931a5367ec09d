"""The SOP as data, and durations judged against its time standards."""

from __future__ import annotations

from datetime import timedelta

import pytest

from core.sop import ASSIGNMENTS, STEPS, TOTAL_STANDARD, Role, duration_standard
from core.timing import Timeliness, whole_minutes


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
