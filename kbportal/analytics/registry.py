"""Every figure of the dashboard, defined once: its name, its formula (shown as help), how it is computed,
which filters it honours, and the list of records behind it.

Metric modules register three kinds of things:

- a `Metric`: one headline figure (a count, a share, a duration, a score) with the rows behind it;
- a `Breakdown`: a table of figures by a dimension or by day, drawn as a chart, with a table view and CSV;
- a `Listing`: a short ranked list (top failed queries, worst-rated articles), each row linking somewhere.

All computing functions take a `Scope` and aggregate in SQL: the dashboard's query count depends on the
number of figures, never on the amount of data.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from functools import partial
from typing import Any

from django.db.models import QuerySet
from django.utils.functional import Promise
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from .scope import Scope


class Unit(StrEnum):
    COUNT = "count"
    PERCENT = "percent"  # a share between 0 and 1, shown as a percentage
    DURATION = "duration"  # seconds
    SCORE = "score"  # an average on the metric's own scale
    NPS = "nps"  # −100 … 100


class Section(StrEnum):
    SELF_SERVICE = "self-service"
    TICKETS = "tickets"
    SATISFACTION = "satisfaction"
    COMMUNITY = "community"


SECTION_TITLES: dict[str, Promise] = {
    Section.SELF_SERVICE: _("Self-service"),
    Section.TICKETS: _("Tickets"),
    Section.SATISFACTION: _("Satisfaction"),
    Section.COMMUNITY: _("Community"),
}

FILTER_NAMES: dict[str, Promise] = {
    "product_version": _("product version"),
    "organisation": _("organisation"),
    "plan": _("plan"),
    "tier": _("tier"),
    "language": _("language"),
    "priority": _("priority"),
    "channel": _("channel"),
}


@dataclass(frozen=True)
class Column:
    """One column of a drill-down list or an export: a heading and how to read it from a row."""

    label: Promise | str
    value: Callable[[Any], Any]
    link: Callable[[Any], str] | None = None


@dataclass(frozen=True)
class Metric:
    key: str
    section: Section
    label: Promise
    formula: Promise
    unit: Unit
    value: Callable[[Scope], float | int | None]
    filters: frozenset[str] = frozenset()
    rows: Callable[[Scope], QuerySet] | None = None
    columns: Sequence[Column] = ()
    # For a share: True when higher is better (shown green when it rises); None when neither.
    higher_is_better: bool | None = True


@dataclass(frozen=True)
class Table:
    """Rows of (label, values) under named columns; `links` optionally gives a drill-down address per row
    (the table's row and the chart's bars link to it)."""

    columns: Sequence[Promise | str]
    rows: Sequence[tuple[str, Sequence[float | int | None]]]
    links: Sequence[str] = ()


@dataclass(frozen=True)
class Breakdown:
    key: str
    section: Section
    title: Promise
    help: Promise
    unit: Unit
    chart: str  # "bars", "stacked" or "line"
    table: Callable[[Scope], Table]
    filters: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Listing:
    key: str
    section: Section
    title: Promise
    help: Promise
    columns: Sequence[Column]
    rows: Callable[[Scope], Sequence[Any]]
    filters: frozenset[str] = frozenset()


@dataclass
class Registry:
    metrics: dict[str, Metric] = field(default_factory=dict)
    breakdowns: dict[str, Breakdown] = field(default_factory=dict)
    listings: dict[str, Listing] = field(default_factory=dict)

    def add(self, item: Metric | Breakdown | Listing) -> None:
        kind = {Metric: self.metrics, Breakdown: self.breakdowns, Listing: self.listings}[type(item)]
        if item.key in self.metrics or item.key in self.breakdowns or item.key in self.listings:
            raise ValueError(f"An analytics key is defined twice: {item.key}")
        kind[item.key] = item

    def in_section(self, section: Section) -> tuple[list[Metric], list[Breakdown], list[Listing]]:
        return (
            [metric for metric in self.metrics.values() if metric.section == section],
            [breakdown for breakdown in self.breakdowns.values() if breakdown.section == section],
            [listing for listing in self.listings.values() if listing.section == section],
        )


registry = Registry()


def register(*items: Metric | Breakdown | Listing) -> None:
    for item in items:
        registry.add(item)


# (key suffix, statistic, formula): the two points of a duration a manager reads, by nearest rank.
PERCENTILES = (
    (0.5, "median", _("median"), _("Median of {what} (nearest rank: the value at rank ⌈n ÷ 2⌉).")),
    (0.9, "p90", _("90th percentile"), _("90th percentile of {what} (nearest rank: the value at rank ⌈0.9 × n⌉).")),
)


def duration_percentiles(
    *,
    key: str,
    label: Promise,
    what: Promise,
    value: Callable[[Scope, float], float | None],
    note: Promise | None = None,
    **common: Any,
) -> list[Metric]:
    """A duration's median and 90th percentile (`<key>_median`, `<key>_p90`): two figures, one definition.

    `what` completes "Median of …"; `value(scope, fraction)` computes either; `note` is added to both formulas.
    """
    metrics = []
    for fraction, suffix, statistic, template in PERCENTILES:
        formula = format_lazy(template, what=what)
        metrics.append(
            Metric(
                key=f"{key}_{suffix}",
                label=format_lazy(_("{figure}, {statistic}"), figure=label, statistic=statistic),
                formula=format_lazy("{} {}", formula, note) if note else formula,
                unit=Unit.DURATION,
                value=partial(_at, value, fraction),
                higher_is_better=False,
                **common,
            )
        )
    return metrics


def _at(value: Callable[[Scope, float], float | None], fraction: float, scope: Scope) -> float | None:
    return value(scope, fraction)


def share(part: int | None, whole: int | None) -> float | None:
    """part ÷ whole, or None when there is nothing to divide by (shown as "—", never as 0 %)."""
    return part / whole if whole else None
