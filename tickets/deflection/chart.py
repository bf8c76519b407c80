"""The geometry of the report's chart, drawn as server-side SVG: pure arithmetic, no ORM, no JavaScript.

Each day is a stacked bar of its sessions by outcome; a line shows the deflection rate
(solved ÷ sessions with a verdict) against a 0–100 % scale on the right.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date
from typing import Protocol

from django.utils import formats

# (attribute of the figures, CSS class) from the bottom of a bar upwards.
SERIES = (
    ("deflected", "deflected"),
    ("withdrawn", "withdrawn"),
    ("escalated", "escalated"),
    ("no_verdict", "no-verdict"),
)


class DayLike(Protocol):
    day: date | None
    sessions: int
    deflected: int
    withdrawn: int
    escalated: int

    @property
    def no_verdict(self) -> int: ...

    @property
    def deflection_rate(self) -> float | None: ...


@dataclass(frozen=True)
class Segment:
    y: float
    height: float
    css: str
    value: int


@dataclass(frozen=True)
class Bar:
    x: float
    width: float
    day: date | None
    segments: list[Segment]
    label: str  # the day under the axis, every few bars


@dataclass(frozen=True)
class Tick:
    y: float
    label: str


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    left: int
    right: int
    top: int
    bottom: int
    bars: list[Bar]
    ticks: list[Tick]
    rate_ticks: list[Tick]
    rate_lines: list[str]  # SVG polyline points, one line per run of days that reached a verdict
    rate_dots: list[tuple[float, float]]

    @property
    def plot_right(self) -> int:
        return self.width - self.right

    @property
    def plot_bottom(self) -> int:
        return self.height - self.bottom


def _tick_step(largest: int) -> int:
    """A whole 1, 2 or 5 × 10ⁿ step so that four steps reach the largest value."""
    needed = max(largest / 4, 1)
    magnitude = 10 ** math.floor(math.log10(needed))
    for step in (1, 2, 5, 10):
        if step * magnitude >= needed:
            return int(step * magnitude)
    return 10 * magnitude


def session_chart(days: list[DayLike], *, width: int = 760, height: int = 260) -> Chart:
    left, right, top, bottom = 40, 44, 12, 28
    plot_width, plot_height = width - left - right, height - top - bottom
    step = _tick_step(max((day.sessions for day in days), default=0))
    scale = 4 * step
    slot = plot_width / max(len(days), 1)
    bar_width = max(slot * 0.7, 1.0)
    bars, runs, run, dots = [], [], [], []
    for index, day in enumerate(days):
        x = left + index * slot + (slot - bar_width) / 2
        base = float(top + plot_height)
        segments = []
        for attribute, css in SERIES:
            value = getattr(day, attribute)
            if value <= 0:
                continue
            segment_height = plot_height * value / scale
            base -= segment_height
            segments.append(Segment(y=round(base, 2), height=round(segment_height, 2), css=css, value=value))
        labelled = day.day and (index % 5 == 0 or index == len(days) - 1)
        label = formats.date_format(day.day, "MONTH_DAY_FORMAT") if labelled else ""  # "Nov. 26" / "11月26日"
        bars.append(Bar(x=round(x, 2), width=round(bar_width, 2), day=day.day, segments=segments, label=label))
        if day.deflection_rate is None:
            # A day without verdicts has no rate: the line breaks rather than inventing one.
            if run:
                runs.append(run)
            run = []
        else:
            point = (round(x + bar_width / 2, 2), round(top + plot_height * (1 - day.deflection_rate), 2))
            run.append(point)
            dots.append(point)
    if run:
        runs.append(run)
    ticks = [Tick(y=round(top + plot_height * (1 - n / 4), 2), label=str(step * n)) for n in range(5)]
    rate_ticks = [Tick(y=round(top + plot_height * (1 - n / 4), 2), label=f"{25 * n}%") for n in range(5)]
    return Chart(
        width=width,
        height=height,
        left=left,
        right=right,
        top=top,
        bottom=bottom,
        bars=bars,
        ticks=ticks,
        rate_ticks=rate_ticks,
        rate_lines=[" ".join(f"{x},{y}" for x, y in points) for points in runs if len(points) > 1],
        rate_dots=dots,
    )
