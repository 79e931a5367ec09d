"""The monthly chart as a PNG, drawn without a display (matplotlib's Agg backend).

matplotlib is imported here only, on first use. The bot draws in a short-lived child process
(`render_chart_apart`): matplotlib costs some 50 MB that would otherwise stay in the bot all day.
Its labels are `texts/report.py`'s `CHART_WORDS`.
"""

from __future__ import annotations

import io
import multiprocessing
from concurrent.futures import ProcessPoolExecutor

from core.indonesian import MONTHS
from storage.month import GOOD, MonthReport
from storage.states import DrillOutcome, DumpOutcome
from texts.report import CHART_WORDS, ChartWords

COLORS = {
    DumpOutcome.SUCCESS: "#2e7d32",
    DumpOutcome.WARNING: "#f9a825",
    DumpOutcome.FAILED: "#c62828",
    DumpOutcome.INTERRUPTED: "#c62828",
    "missing": "#9e9e9e",
    "incomplete": "#ef6c00",
    "no_data": "#eeeeee",
}


def render_chart(report: MonthReport, words: ChartWords = CHART_WORDS) -> bytes:
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot as plt
    from matplotlib.patches import Patch
    from matplotlib.ticker import FuncFormatter

    days = [row.day.day for row in report.days]
    # Units that give readable numbers: KB for a small sample, seconds for short jobs.
    largest = max((row.dump_bytes or 0 for row in report.days), default=0)
    size_unit, per = ("MB", 1024 * 1024) if largest >= 1024 * 1024 else ("KB", 1024)
    sizes = [(row.dump_bytes or 0) / per for row in report.days]
    longest = max(
        (t or 0 for row in report.days for t in (row.dump_seconds, row.restore_seconds)),
        default=0,
    )
    time_unit, per_second = (words.minutes, 60) if longest >= 120 else (words.seconds, 1)
    durations = [(row.dump_seconds or 0) / per_second for row in report.days]
    indonesian = FuncFormatter(lambda value, _pos: f"{value:g}".replace(".", ","))
    colors = [COLORS.get(row.dump, COLORS["missing"]) for row in report.days]
    figure, (top, bottom) = plt.subplots(
        2, 1, figsize=(10, 6), sharex=True, gridspec_kw={"height_ratios": [3, 2]}
    )
    title = words.title.format(month=MONTHS[report.month.month - 1], year=report.month.year)
    compliance = words.compliance.format(
        copied=report.copied_days,
        recorded=len(report.recorded_days),
        share=f"{report.compliance:.0%}".replace(".", ","),
    )
    figure.suptitle(f"{title}\n{compliance}", fontsize=11)
    top.bar(
        days,
        [
            max(s, 0.0001) if row.dump not in ("missing", "no_data") else 0
            for s, row in zip(sizes, report.days, strict=True)
        ],
        color=colors,
    )
    for row, height in zip(report.days, sizes, strict=True):
        if row.dump not in GOOD:  # no file to measure: shade the whole day
            color = COLORS.get(row.dump, COLORS["missing"])
            for axis in (top, bottom):
                axis.axvspan(row.day.day - 0.45, row.day.day + 0.45, color=color, alpha=0.25)
        if row.copied:
            top.plot(row.day.day, height, marker="v", color="#1565c0", markersize=7)
    top.set_ylim(0, max(sizes, default=0) * 1.45 or 1)  # room for the legend
    top.set_ylabel(words.dump_size.format(unit=size_unit))
    top.yaxis.set_major_formatter(indonesian)
    top.grid(axis="y", alpha=0.3)
    handles = [Patch(color=COLORS[key], label=label) for key, label in words.outcomes]
    handles.append(
        top.plot(
            [],
            [],
            marker="v",
            color="#1565c0",
            linestyle="",
            label=words.copied,
        )[0]
    )
    top.legend(handles=handles, fontsize=8, loc="upper left", ncols=3)
    bottom.bar(days, durations, color="#546e7a", label=words.dump_duration)
    # The restore drills: the office's time to restore (RTO), a cross where one failed.
    drilled = [row for row in report.days if row.drill]
    passed = [r for r in drilled if r.drill == DrillOutcome.PASSED]
    bottom.plot(
        [r.day.day for r in passed],
        [(r.restore_seconds or 0) / per_second for r in passed],
        marker="o",
        color="#2e7d32",
        label=words.restore_passed,
    )
    # An untestable drill (disk away, no login) says nothing about the copy: no cross for it.
    failed = [r for r in drilled if r.drill in (DrillOutcome.FAILED, DrillOutcome.INTERRUPTED)]
    bottom.plot(
        [r.day.day for r in failed],
        [(r.restore_seconds or 0) / per_second for r in failed],
        marker="x",
        color="#c62828",
        linestyle="",
        markersize=9,
        label=words.restore_failed,
    )
    if drilled:
        bottom.legend(fontsize=8, loc="upper left")
    bottom.set_ylabel(words.duration.format(unit=time_unit))
    bottom.yaxis.set_major_formatter(indonesian)
    bottom.set_xlabel(words.day)
    bottom.grid(axis="y", alpha=0.3)
    bottom.set_xticks(days if days else [1])
    bottom.tick_params(axis="x", labelsize=7)
    figure.tight_layout()
    output = io.BytesIO()
    figure.savefig(output, format="png", dpi=100)
    plt.close(figure)
    return output.getvalue()


CHART_SECONDS = 120


def render_chart_apart(report: MonthReport, words: ChartWords = CHART_WORDS) -> bytes:
    """`render_chart` in a child process that ends with it (blocking: call it from a thread)."""
    context = multiprocessing.get_context("spawn")  # the same on Linux as on Windows
    with ProcessPoolExecutor(max_workers=1, mp_context=context) as pool:
        return pool.submit(render_chart, report, words).result(timeout=CHART_SECONDS)
