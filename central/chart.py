"""The supervisor's chart: offices x days, one cell per office and day (a verified copy, a good
dump without a copy, or nothing good), drawn without a display (matplotlib's Agg backend)."""

from __future__ import annotations

import io
from datetime import date, timedelta

from storage.central.view import NOT_YET
from texts.central import GRID_LEGEND, grid_title

NOTHING_GOOD = 1  # a day without a good dump or copy (absent from the grid)
CELL = {NOT_YET: 0, "dump": 2, "copy": 3}
COLORS = ["#bdbdbd", "#c62828", "#f9a825", "#2e7d32"]  # by cell, as the legend `GRID_LEGEND`


def render_grid(
    offices: list[tuple[str, str]], grid: dict[str, dict[date, str]], first: date, last: date
) -> bytes:
    """`offices`: (id, name) in the order to draw them, worst first."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot as plt
    from matplotlib.colors import ListedColormap
    from matplotlib.patches import Patch

    days = [first + timedelta(days=n) for n in range((last - first).days + 1)]
    cells = [
        [CELL.get(grid.get(oid, {}).get(day, ""), NOTHING_GOOD) for day in days]
        for oid, _ in offices
    ]
    height = min(60.0, 1.5 + 0.22 * max(1, len(offices)))
    figure, axes = plt.subplots(figsize=(max(6.0, 0.3 * len(days) + 3), height))
    axes.imshow(
        cells or [[0] * len(days)],
        aspect="auto",
        cmap=ListedColormap(COLORS),
        vmin=0,
        vmax=len(COLORS) - 1,
        interpolation="nearest",
    )
    axes.set_yticks(range(len(offices)), [f"{oid} {name[:40]}" for oid, name in offices])
    step = max(1, len(days) // 15)
    axes.set_xticks(range(0, len(days), step), [f"{d:%d/%m}" for d in days[::step]])
    axes.tick_params(axis="y", labelsize=7)
    axes.set_title(grid_title(first, last), pad=28)
    axes.legend(  # above the grid: below it the dates would be covered
        handles=[Patch(color=c, label=label) for c, label in zip(COLORS, GRID_LEGEND, strict=True)],
        loc="lower center",
        bbox_to_anchor=(0.5, 1.0),
        ncol=len(COLORS),
        fontsize=8,
        frameon=False,
    )
    figure.tight_layout()
    out = io.BytesIO()
    figure.savefig(out, format="png", dpi=100)
    plt.close(figure)
    return out.getvalue()
