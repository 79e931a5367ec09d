"""The monthly report built from a seeded month: its numbers, its CSV and its chart."""

from __future__ import annotations

import csv
import io
import struct
import subprocess
import sys
from datetime import date, datetime, time
from pathlib import Path

import pytest
from seed import FAILED_DAYS, LATE_ADB_DAYS, MISSING_DAYS, NOT_COPIED_DAYS, WITA, seed_month

from core.sop import Role
from core.timing import OfficeHours
from reports.chart import render_chart
from reports.month_csv import report_csv
from storage.copies import CopyLog
from storage.database import make_engine, upgrade
from storage.dumps import DumpLog
from storage.month import MonthReport, build_report, parse_month
from storage.soplog import SopLog
from texts.report import CHART_WORDS, report_summary

# Every day an office day, so the seeded 08:00 instructions count in full.
EVERY_DAY = OfficeHours(time(7, 30), time(16, 0), frozenset(range(1, 8)), WITA)
WEEKDAYS = OfficeHours(time(7, 30), time(16, 0), frozenset(range(1, 6)), WITA)


@pytest.fixture
def report(tmp_path: Path) -> MonthReport:
    engine = make_engine(f"sqlite:///{(tmp_path / 'r.db').as_posix()}")
    upgrade(engine)
    soplog, dumplog, copylog = SopLog(engine), DumpLog(engine), CopyLog(engine)
    seed_month(soplog, dumplog, copylog)
    return build_report(date(2026, 11, 1), date(2026, 11, 24), soplog, dumplog, copylog, EVERY_DAY)


def test_numbers_match_the_seeded_month(report: MonthReport) -> None:
    assert len(report.days) == 24
    copied = 24 - len(FAILED_DAYS) - len(MISSING_DAYS) - len(NOT_COPIED_DAYS)
    assert report.copied_days == copied
    assert report.compliance == pytest.approx(copied / 24)
    assert [d.day for d in report.missed_days] == sorted(FAILED_DAYS | MISSING_DAYS)
    assert [d.day for d in report.late_days] == sorted(LATE_ADB_DAYS)
    step9 = next(s for s in report.steps if s.number == 9)
    expected = (20 * len(LATE_ADB_DAYS) + 10 * (24 - len(LATE_ADB_DAYS))) * 60 / 24
    assert step9.count == 24 and step9.average_seconds == pytest.approx(expected)
    assert step9.standard_seconds == 14 * 60 and step9.on_time
    day5 = report.days[4]
    assert day5.dump == "failed" and not day5.copied
    day12 = report.days[11]
    assert day12.dump == "missing" and day12.dump_bytes is None
    day1 = report.days[0]
    assert day1.dump_bytes == 101 * 1024 * 1024 and day1.dump_seconds == 11 * 60


def test_a_future_month_is_empty_and_a_running_month_stops_today(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{(tmp_path / 'r.db').as_posix()}")
    upgrade(engine)
    empty = build_report(
        date(2027, 1, 1),
        date(2026, 11, 24),
        SopLog(engine),
        DumpLog(engine),
        CopyLog(engine),
        EVERY_DAY,
    )
    assert empty.days == [] and empty.compliance == 0.0


def test_csv_has_one_row_per_day_with_the_same_numbers(report: MonthReport) -> None:
    text = report_csv(report).decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text), delimiter=";"))
    assert len(rows) == 24
    assert rows[0]["tanggal"] == "2026-11-01" and rows[0]["ukuran_mb"] == "101,0"
    assert sum(r["salinan_eksternal_terverifikasi"] == "ya" for r in rows) == report.copied_days
    assert rows[4]["status_dump"] == "gagal" and rows[11]["status_dump"] == "tidak ada"
    sized = [r["ukuran_mb"] for r in rows if r["ukuran_mb"]]
    assert sized and all("," in v and "." not in v for v in sized)  # decimal commas
    assert rows[1]["langkah_terlambat"] == "9"


def test_chart_is_a_valid_png_of_sensible_size(report: MonthReport) -> None:
    png = render_chart(report, CHART_WORDS)
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", png[16:24])
    assert (width, height) == (1000, 600)
    assert 10_000 < len(png) < 500_000


def test_month_parsing() -> None:
    assert parse_month("2026-02") == date(2026, 2, 1)
    for bad in ("2026/02", "26-02", "2026-13", "bulan"):
        with pytest.raises(ValueError):
            parse_month(bad)


def test_days_before_the_bot_was_installed_are_no_data_not_missed(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{(tmp_path / 'r.db').as_posix()}")
    upgrade(engine)
    soplog, dumplog, copylog = SopLog(engine), DumpLog(engine), CopyLog(engine)
    installed = datetime(2026, 11, 25, 8, 0, tzinfo=WITA)  # the bot's first day
    soplog.issue_instruction(
        run_date=installed.date(), target=Role.ADB, issued_by=111, note="", at=installed
    )
    built = build_report(date(2026, 11, 1), date(2026, 11, 26), soplog, dumplog, copylog, WEEKDAYS)
    assert [d.dump for d in built.days[:24]] == ["no_data"] * 24
    assert built.missed_days == [date(2026, 11, 25), date(2026, 11, 26)]
    assert len(built.recorded_days) == 2 and built.compliance == 0.0
    text = report_csv(built).decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text), delimiter=";"))
    assert rows[0]["status_dump"] == "belum ada data" and rows[24]["status_dump"] == "tidak ada"


def test_people_are_timed_in_office_hours_only(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{(tmp_path / 'r.db').as_posix()}")
    upgrade(engine)
    soplog, dumplog, copylog = SopLog(engine), DumpLog(engine), CopyLog(engine)
    friday_evening = datetime(2026, 11, 27, 15, 58, tzinfo=WITA)
    order = soplog.issue_instruction(
        run_date=friday_evening.date(),
        target=Role.ADB,
        issued_by=111,
        note="",
        at=friday_evening,
        day_start=datetime(2026, 11, 27, 0, 0, tzinfo=WITA),
    )
    monday_morning = datetime(2026, 11, 30, 7, 40, tzinfo=WITA)  # 2 + 10 office minutes
    soplog.close_instruction(
        instruction_id=order.id, closed_by=222, roles=[Role.ADB], note="", at=monday_morning
    )
    built = build_report(date(2026, 11, 1), date(2026, 11, 30), soplog, dumplog, copylog, WEEKDAYS)
    by_step = {s.number: s for s in built.steps}
    assert by_step[9].average_seconds == 12 * 60  # not 2 days and 15 hours
    assert by_step[1].average_seconds == (8 * 60 + 28) * 60  # from opening, 07:30-15:58
    assert built.days[26].late_steps == (1,)  # the Kabid's instruction came at 15:58
    # Per person and step: the Kabid (111) was late once with step 1, the ADB (222) never.
    people = {(p.actor_id, p.step): (p.late, p.count) for p in built.people}
    assert people == {(111, 1): (1, 1), (222, 9): (0, 1)}
    text = report_summary(built, {111: "Kadek", 222: "Made"})
    assert "⚠️ Kadek, langkah 1: 1/1 terlambat" in text
    assert "✅ Made, langkah 9: 0/1 terlambat" in text


def test_the_bot_draws_its_chart_in_a_child_and_never_carries_matplotlib() -> None:
    script = """
import sys
from datetime import date
from reports.chart import render_chart_apart
from storage.month import DayRow, MonthReport
day = DayRow(date(2026, 11, 1), "success", "x.dmp", 5 << 20, 60.0, True, 5, 5, ())
png = render_chart_apart(MonthReport(date(2026, 11, 1), [day]))
print(png[:4] == b"\\x89PNG", "matplotlib" in sys.modules)
"""
    root = Path(__file__).parents[2]
    done = subprocess.run(
        [sys.executable, "-c", script],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=180,
        check=True,
    )
    assert done.stdout.split() == ["True", "False"], done.stderr
