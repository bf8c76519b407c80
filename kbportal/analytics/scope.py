"""What the dashboard is looking at: a period in the viewer's time zone and the filters, as one value."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, tzinfo
from functools import wraps
from typing import TypeVar

from django.db.models import Q
from django.utils import timezone

T = TypeVar("T")
DEFAULT_DAYS = 30
MAX_DAYS = 366


@dataclass(frozen=True)
class Scope:
    """A period (whole days, both ends included, in `tz`) and the optional filters.

    Each metric says which filters it honours (a help session has no tier); the page shows that.
    """

    since: date
    until: date
    tz: tzinfo = field(default_factory=timezone.get_current_timezone)
    product_version_id: int | None = None
    organisation_id: int | None = None
    plan: str = ""
    tier: int | None = None
    language: str = ""
    # Narrowings that the lists behind a chart's bars use (tickets of one priority or channel).
    priority: int | None = None
    channel: str = ""

    @property
    def start(self) -> datetime:
        return datetime.combine(self.since, time.min, tzinfo=self.tz)

    @property
    def end(self) -> datetime:
        """The first instant after the period."""
        return datetime.combine(self.until + timedelta(days=1), time.min, tzinfo=self.tz)

    @property
    def days(self) -> list[date]:
        return [self.since + timedelta(days=n) for n in range((self.until - self.since).days + 1)]

    def between(self, field_name: str) -> Q:
        return Q(**{f"{field_name}__gte": self.start, f"{field_name}__lt": self.end})

    def filtered(self, **lookups: str | None) -> Q:
        """The filters that apply, given the lookup path of each one for the model at hand (None: not applicable).

        `scope.filtered(language="language", plan="organisation__plan", tier=None)`.
        """
        values = {
            "product_version": self.product_version_id,
            "organisation": self.organisation_id,
            "plan": self.plan or None,
            "tier": self.tier,
            "language": self.language or None,
            "priority": self.priority,
            "channel": self.channel or None,
        }
        condition = Q()
        for name, path in lookups.items():
            if path and values[name] is not None:
                condition &= Q(**{path: values[name]})
        return condition

    @property
    def active_filters(self) -> set[str]:
        names = {
            "product_version": self.product_version_id,
            "organisation": self.organisation_id,
            "plan": self.plan,
            "tier": self.tier,
            "language": self.language,
            "priority": self.priority,
            "channel": self.channel,
        }
        return {name for name, value in names.items() if value}


_page_results: ContextVar[dict | None] = ContextVar("analytics_page_results", default=None)


@contextmanager
def one_computation() -> Iterator[None]:
    """While a page (or a digest) is computed, figures that share an aggregate compute it once (`memoized`)."""
    token = _page_results.set({})
    try:
        yield
    finally:
        _page_results.reset(token)


def page_memo(key: tuple, compute: Callable[[], T]) -> T:
    """Compute once per page computation under `key` (outside one, every call computes)."""
    results = _page_results.get()
    if results is None:
        return compute()
    if key not in results:
        results[key] = compute()
    return results[key]


def memoized(compute: Callable[[Scope], T]) -> Callable[[Scope], T]:
    """Share one aggregate between several figures (sessions by outcome feed four of them) within a computation."""

    @wraps(compute)
    def cached(scope: Scope) -> T:
        return page_memo((compute.__module__, compute.__qualname__, scope), lambda: compute(scope))

    return cached


def default_scope(today: date | None = None) -> Scope:
    today = today or timezone.localdate()
    return Scope(since=today - timedelta(days=DEFAULT_DAYS - 1), until=today)
