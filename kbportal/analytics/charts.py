"""Server-drawn SVG charts for the dashboard: pure geometry from a `Table`, no ORM and no JavaScript.

Three kinds: "bars" (one bar per row and column, grouped), "stacked" (the columns of a row stacked) and
"line" (one line per column across the rows). The page shows the same table under every chart.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from datetime import date

from django.utils import formats

from .registry import Table, Unit

WIDTH, HEIGHT = 560, 240
LEFT, RIGHT, TOP, BOTTOM = 48, 12, 12, 40
SERIES_CLASSES = 6


@dataclass(frozen=True)
class Rect:
    x: float
    y: float
    width: float
    height: float
    series: int
    title: str
    link: str = ""


@dataclass(frozen=True)
class Line:
    points: str
    series: int


@dataclass(frozen=True)
class Dot:
    x: float
    y: float
    series: int
    title: str


@dataclass(frozen=True)
class Tick:
    position: float
    label: str


@dataclass(frozen=True)
class SvgChart:
    width: int = WIDTH
    height: int = HEIGHT
    rects: list[Rect] = field(default_factory=list)
    lines: list[Line] = field(default_factory=list)
    dots: list[Dot] = field(default_factory=list)
    y_ticks: list[Tick] = field(default_factory=list)
    x_ticks: list[Tick] = field(default_factory=list)
    legend: list[tuple[int, str]] = field(default_factory=list)
    empty: bool = False

    @property
    def has_links(self) -> bool:
        """Some bars drill down: the chart is then a group of links, not an image (which may hold none)."""
        return any(rect.link for rect in self.rects)

    @property
    def plot_left(self) -> int:
        return LEFT

    @property
    def plot_right(self) -> int:
        return self.width - RIGHT

    @property
    def plot_bottom(self) -> int:
        return self.height - BOTTOM


def nice_step(largest: float) -> float:
    """A 1, 2 or 5 × 10ⁿ step so that four steps reach the largest value."""
    needed = max(largest / 4, 1e-9)
    magnitude = 10 ** math.floor(math.log10(needed))
    for step in (1, 2, 5, 10):
        if step * magnitude >= needed:
            return step * magnitude
    return 10 * magnitude


def _scale(largest: float, unit: Unit) -> tuple[float, float]:
    """The top of the axis and its step: shares to 100 %, ratings on 1–5 to 5, counts to the next round step."""
    if unit == Unit.PERCENT and largest <= 1:
        return 1.0, 0.25
    if unit == Unit.SCORE and largest <= 5:
        return 5.0, 1.0
    step = nice_step(largest)
    return step * math.ceil(largest / step), step


def axis_label(value: float, unit: Unit) -> str:
    if unit == Unit.PERCENT:
        return f"{round(value * 100)}%"
    if unit == Unit.DURATION:
        hours = value / 3600
        return f"{hours:g} h" if hours >= 1 or value == 0 else f"{round(value / 60)} min"
    return f"{value:g}"


def value_label(value: float | int | None, unit: Unit) -> str:
    if value is None:
        return "—"
    if unit == Unit.PERCENT:
        return f"{value * 100:.1f}%"
    if unit == Unit.DURATION:
        return f"{value / 3600:.1f} h"
    return f"{value:g}" if isinstance(value, float) else str(value)


def draw(table: Table, kind: str, unit: Unit) -> SvgChart:
    rows = table.rows
    values = [list(row_values) for _label, row_values in rows]
    numbers = [value for row in values for value in row if value is not None]
    if not rows or not any(numbers):
        return SvgChart(empty=True, legend=_legend(table))
    largest = max(sum(value or 0 for value in row) for row in values) if kind == "stacked" else max(numbers)
    top, step = _scale(largest, unit)
    plot_width, plot_height = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    slot = plot_width / len(rows)

    def y_of(value: float) -> float:
        return round(TOP + plot_height * (1 - value / top), 2)

    chart = SvgChart(
        y_ticks=[Tick(position=y_of(step * n), label=axis_label(step * n, unit)) for n in range(round(top / step) + 1)],
        x_ticks=_x_ticks(rows, slot),
        legend=_legend(table),
    )
    if kind == "line":
        _draw_lines(chart, table, values, slot, y_of, unit)
    else:
        _draw_bars(chart, table, values, slot, y_of, unit, stacked=kind == "stacked")
    return chart


def _legend(table: Table) -> list[tuple[int, str]]:
    return [(index % SERIES_CLASSES, str(column)) for index, column in enumerate(table.columns)]


def _x_ticks(rows, slot: float) -> list[Tick]:
    every = max(1, math.ceil(len(rows) / 8))  # at most about eight labels under the axis
    last = len(rows) - 1
    # The last row is labelled too, unless that would crowd the regular label just before it.
    return [
        Tick(position=round(LEFT + slot * (index + 0.5), 2), label=_short(str(label)))
        for index, (label, _values) in enumerate(rows)
        if index % every == 0 or (index == last and last % every >= every / 2)
    ]


def _short(label: str) -> str:
    """Days under the axis as the reader's language writes them, "Nov. 24" or "11月24日" (the table keeps the
    full date)."""
    return formats.date_format(date.fromisoformat(label), "MONTH_DAY_FORMAT") if _ISO_DAY.match(label) else label


_ISO_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _draw_bars(chart: SvgChart, table: Table, values, slot: float, y_of, unit: Unit, *, stacked: bool) -> None:
    columns = len(table.columns)
    group = slot * 0.75
    width = group if stacked else group / max(columns, 1)
    base_y = y_of(0)
    for index, ((label, _row), row_values) in enumerate(zip(table.rows, values, strict=True)):
        left = LEFT + slot * index + (slot - group) / 2
        running = 0.0
        for column, value in enumerate(row_values):
            if not value:
                continue
            title = f"{label} · {table.columns[column]}: {value_label(value, unit)}"
            if stacked:
                top_y, bottom_y = y_of(running + value), y_of(running)
                running += value
                x = left
            else:
                top_y, bottom_y = y_of(value), base_y
                x = left + column * width
            chart.rects.append(
                Rect(
                    link=table.links[index] if table.links else "",
                    x=round(x, 2),
                    y=top_y,
                    width=round(max(width - 1, 1), 2),
                    height=round(bottom_y - top_y, 2),
                    series=column % SERIES_CLASSES,
                    title=title,
                )
            )


def _draw_lines(chart: SvgChart, table: Table, values, slot: float, y_of, unit: Unit) -> None:
    for column in range(len(table.columns)):
        run: list[tuple[float, float]] = []
        for index, ((label, _row), row_values) in enumerate(zip(table.rows, values, strict=True)):
            value = row_values[column]
            if value is None:  # no data that week: the line breaks instead of inventing a value
                _flush(chart, run, column)
                run = []
                continue
            point = (round(LEFT + slot * (index + 0.5), 2), y_of(value))
            run.append(point)
            title = f"{label} · {table.columns[column]}: {value_label(value, unit)}"
            chart.dots.append(Dot(x=point[0], y=point[1], series=column % SERIES_CLASSES, title=title))
        _flush(chart, run, column)


def _flush(chart: SvgChart, run: list[tuple[float, float]], column: int) -> None:
    if len(run) > 1:
        chart.lines.append(Line(points=" ".join(f"{x},{y}" for x, y in run), series=column % SERIES_CLASSES))
