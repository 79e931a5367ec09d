"""The monthly report's days as CSV, for the office's records and as the audit report's annex."""

from __future__ import annotations

import csv
import io

from storage.month import MonthReport
from texts.report import CSV_COLUMNS, CSV_DRILL_WORDS, CSV_DUMP_WORDS, CSV_NO, CSV_YES


def decimal(value: float | None, places: int = 1) -> str:
    """A number as Indonesian spreadsheets read it: a decimal comma, no thousands mark."""
    return "" if value is None else f"{value:.{places}f}".replace(".", ",")


def report_csv(report: MonthReport) -> bytes:
    """The report's days as CSV for a spreadsheet set to Indonesian: `;` between fields, decimal
    commas, UTF-8 with a BOM (so the program reads the encoding right)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for row in report.days:
        writer.writerow(
            [
                row.day.isoformat(),
                CSV_DUMP_WORDS.get(row.dump, row.dump),
                row.dump_file,
                decimal(None if row.dump_bytes is None else row.dump_bytes / 1024 / 1024),
                decimal(None if row.dump_seconds is None else row.dump_seconds / 60),
                CSV_YES if row.copied else CSV_NO,
                row.steps_done,
                row.steps_required,
                " ".join(str(n) for n in row.late_steps),
                CSV_DRILL_WORDS.get(row.drill, ""),
                decimal(None if row.restore_seconds is None else row.restore_seconds / 60),
            ]
        )
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")
