"""The dashboard as data: every registered figure computed for a scope, section by section."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field, replace
from typing import Any

from .charts import SvgChart, draw
from .links import export_url, metric_url
from .registry import FILTER_NAMES, SECTION_TITLES, Breakdown, Listing, Metric, Section, Table, registry
from .scope import Scope, one_computation


@dataclass(frozen=True)
class Figure:
    metric: Metric
    value: float | int | None
    url: str


@dataclass(frozen=True)
class ChartBlock:
    breakdown: Breakdown
    table: Table
    chart: SvgChart
    export_url: str


@dataclass(frozen=True)
class ListBlock:
    listing: Listing
    rows: list[Any]
    export_url: str


@dataclass
class SectionBlock:
    key: str
    title: str
    figures: list[Figure] = field(default_factory=list)
    charts: list[ChartBlock] = field(default_factory=list)
    lists: list[ListBlock] = field(default_factory=list)


def ignored_filters(item: Metric | Breakdown | Listing, scope: Scope) -> list[str]:
    """The active filters this figure cannot honour (a help session has no tier): shown beside it."""
    return [str(FILTER_NAMES[name]) for name in sorted(scope.active_filters - item.filters)]


def build(scope: Scope, *, sections: Collection[Section] = tuple(Section), links: bool = True) -> list[SectionBlock]:
    """The figures of `sections`; without `links`, no drill-down list or export is offered (for readers of one
    section who may not open them)."""
    with one_computation():
        return _build(scope, sections, links)


def _build(scope: Scope, sections: Collection[Section], links: bool) -> list[SectionBlock]:
    blocks = []
    for section in Section:
        if section not in sections:
            continue
        metrics, breakdowns, listings = registry.in_section(section)
        if not (metrics or breakdowns or listings):
            continue
        block = SectionBlock(key=str(section), title=str(SECTION_TITLES[section]))
        block.figures = [
            Figure(metric, metric.value(scope), metric_url(metric.key, scope) if links else "") for metric in metrics
        ]
        for breakdown in breakdowns:
            table = breakdown.table(scope) if links else replace(breakdown.table(scope), links=())
            chart = draw(table, breakdown.chart, breakdown.unit)
            block.charts.append(ChartBlock(breakdown, table, chart, export_url(breakdown.key, scope) if links else ""))
        block.lists = [
            ListBlock(listing, list(listing.rows(scope)), export_url(listing.key, scope) if links else "")
            for listing in listings
        ]
        blocks.append(block)
    return blocks
