"""The month as the log recorded it: per day, the dump and its external copy; over the month,
compliance with the SOP and the time per step against its standard, as typed values without
words. /laporan, `sopbot report`, the audit report and the central push start here; the summary's
words are `texts/report.py`, the chart and the CSV are drawn in `reports/`."""

from __future__ import annotations

import calendar
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from core.sop import STEP_BY_NUMBER, duration_standard
from core.timing import OfficeHours, step_timeliness
from storage.copies import CopyLog
from storage.drills import DrillLog, DrillRecord
from storage.dumps import DumpLog, DumpRecord
from storage.soplog import SopLog
from storage.states import GOOD_DUMPS, StepOutcome

GOOD = GOOD_DUMPS
NO_DATA = "no_data"  # a day before the bot's first recorded run: not missed, just not watched


@dataclass(frozen=True)
class DayRow:
    day: date
    dump: str  # success | warning | failed | interrupted | missing | no_data (before install)
    dump_file: str
    dump_bytes: int | None
    dump_seconds: float | None
    copied: bool  # that day's dump has a verified copy on an external disk
    steps_done: int
    steps_required: int
    late_steps: tuple[int, ...]
    drill: str = ""  # the day's last restore drill: passed | failed | interrupted | "" (none)
    restore_seconds: float | None = None  # its time to restore


@dataclass(frozen=True)
class StepStat:
    number: int
    count: int
    average_seconds: float
    standard_seconds: float

    @property
    def on_time(self) -> bool:
        return self.average_seconds <= self.standard_seconds


@dataclass(frozen=True)
class PersonStat:
    """One person's record on one step over the month: how often, how often late."""

    actor_id: int
    step: int
    count: int
    late: int


@dataclass
class MonthReport:
    month: date  # first day of the month
    days: list[DayRow] = field(default_factory=list)
    steps: list[StepStat] = field(default_factory=list)
    people: list[PersonStat] = field(default_factory=list)

    @property
    def recorded_days(self) -> list[DayRow]:
        """Days since the bot was installed (its first recorded run): the ones that count."""
        return [d for d in self.days if d.dump != NO_DATA]

    @property
    def copied_days(self) -> int:
        return sum(1 for d in self.days if d.copied)

    @property
    def compliance(self) -> float:
        """Share of recorded days with a verified external copy: the SOP's goal each day."""
        days = self.recorded_days
        return self.copied_days / len(days) if days else 0.0

    @property
    def missed_days(self) -> list[date]:
        return [d.day for d in self.recorded_days if d.dump not in GOOD]

    @property
    def late_days(self) -> list[date]:
        return [d.day for d in self.days if d.late_steps]

    @property
    def drill_days(self) -> list[DayRow]:
        return [d for d in self.days if d.drill]


FIRST_REPORT_YEAR, LAST_REPORT_YEAR = 2000, 2999


def parse_month(text: str) -> date:
    """'2026-11' -> date(2026, 11, 1); ValueError when malformed."""
    year, _, month = text.partition("-")
    if not (year.isdigit() and month.isdigit() and len(year) == 4):
        raise ValueError(f"month must look like 2026-11, not {text!r}")
    # Bounded: a year such as 0001 or 9999 overflows the date arithmetic of the report.
    if not FIRST_REPORT_YEAR <= int(year) <= LAST_REPORT_YEAR:
        raise ValueError(f"year out of range: {text!r}")
    return date(int(year), int(month), 1)


def build_report(
    month: date,
    today: date,
    soplog: SopLog,
    dumplog: DumpLog,
    copylog: CopyLog,
    office: OfficeHours,
    drilllog: DrillLog | None = None,
) -> MonthReport:
    last_day = date(month.year, month.month, calendar.monthrange(month.year, month.month)[1])
    last = min(last_day, today)
    if last < month:
        return MonthReport(month)
    dates = [month + timedelta(days=n) for n in range((last - month).days + 1)]
    statuses = soplog.days_status(dates)
    runs = dumplog.between(month, last)
    copied_ids = copylog.copied_dump_ids(run.id for run in runs)
    drills_by_day: dict[date, DrillRecord] = {}
    if drilllog is not None:
        tz = office.tz
        start = datetime.combine(month, time(), tz)
        end = datetime.combine(last + timedelta(days=1), time(), tz)
        for drill in drilllog.between(start, end):  # oldest first: the day's last one stays
            drills_by_day[drill.started_at.astimezone(tz).date()] = drill
    by_day: dict[date, list[DumpRecord]] = {}
    for run in runs:
        by_day.setdefault(run.run_date, []).append(run)
    report = MonthReport(month)
    durations: dict[int, list[float]] = {}
    per_person: dict[tuple[int, int], tuple[int, int]] = {}  # (person, step) -> (count, late)
    firsts = [d for d in (soplog.first_run_date(), dumplog.first_run_date()) if d is not None]
    installed = min(firsts) if firsts else today + timedelta(days=1)
    for status in statuses:
        if status.run_date < installed:
            report.days.append(DayRow(status.run_date, NO_DATA, "", None, None, False, 0, 0, ()))
            continue
        day_runs = by_day.get(status.run_date, [])
        good = [r for r in day_runs if r.outcome in GOOD]
        shown = good[-1] if good else (day_runs[-1] if day_runs else None)
        late: list[int] = []
        for event in status.events:
            if event.started_at is None or event.outcome == StepOutcome.FAILED:
                continue
            judged = step_timeliness(event.step_number, event.started_at, event.finished_at, office)
            durations.setdefault(event.step_number, []).append(judged.duration.total_seconds())
            if not judged.on_time:
                late.append(event.step_number)
            if event.actor_id is not None and event.actor_role != "bot":
                count, was_late = per_person.get((event.actor_id, event.step_number), (0, 0))
                per_person[(event.actor_id, event.step_number)] = (
                    count + 1,
                    was_late + (not judged.on_time),
                )
        report.days.append(
            DayRow(
                day=status.run_date,
                dump=shown.outcome if shown else "missing",
                dump_file=shown.file_path.replace("\\", "/").rsplit("/", 1)[-1] if shown else "",
                dump_bytes=shown.size_bytes if shown else None,
                dump_seconds=(
                    (shown.finished_at - shown.started_at).total_seconds()
                    if shown and shown.finished_at
                    else None
                ),
                copied=any(r.id in copied_ids for r in good),
                steps_done=len(status.done_steps),
                steps_required=len(status.required_steps),
                late_steps=tuple(sorted(set(late))),
                drill=drills_by_day[status.run_date].outcome
                if status.run_date in drills_by_day
                else "",
                restore_seconds=drills_by_day[status.run_date].restore_seconds
                if status.run_date in drills_by_day
                else None,
            )
        )
    report.steps = [
        StepStat(
            number,
            len(values),
            sum(values) / len(values),
            duration_standard(number).total_seconds(),
        )
        for number, values in sorted(durations.items())
        if number in STEP_BY_NUMBER
    ]
    report.people = [
        PersonStat(actor, step, count, late)
        for (actor, step), (count, late) in sorted(per_person.items(), key=lambda kv: kv[0][1])
    ]
    return report
