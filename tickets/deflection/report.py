"""The deflection report: how often self-service solved the question, by day, and which questions it did not.

Everything is aggregated in SQL: the page costs the same few queries for ten sessions or a million.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.db.models import Count, Max, Q
from django.db.models.functions import TruncDate
from django.utils import timezone

from ..helpcenter.models import ContentGap, HelpEventKind, HelpOutcome, HelpSession, HelpSessionEvent

REPORT_DAYS = 30
LIST_LENGTH = 15


def _share(part: int, whole: int) -> float | None:
    return part / whole if whole else None


@dataclass(frozen=True)
class Figures:
    """Session counts for one day (or a whole period) and the rates derived from them."""

    day: date | None = None
    sessions: int = 0
    deflected: int = 0
    withdrawn: int = 0
    escalated: int = 0
    searched: int = 0
    clicked: int = 0

    @property
    def solved(self) -> int:
        return self.deflected + self.withdrawn

    @property
    def with_verdict(self) -> int:
        return self.solved + self.escalated

    @property
    def no_verdict(self) -> int:
        return self.sessions - self.with_verdict

    @property
    def deflection_rate(self) -> float | None:
        """Solved by self-service ÷ sessions that reached a verdict."""
        return _share(self.solved, self.with_verdict)

    @property
    def deflection_rate_all(self) -> float | None:
        """Solved by self-service ÷ all sessions (abandoned ones count as not solved)."""
        return _share(self.solved, self.sessions)

    @property
    def click_through(self) -> float | None:
        """Sessions that opened a result ÷ sessions that searched."""
        return _share(self.clicked, self.searched)


COUNTED = ("sessions", "deflected", "withdrawn", "escalated", "searched", "clicked")


@dataclass(frozen=True)
class QueryFigures:
    query: str
    searches: int
    sessions: int
    without_results: int


@dataclass(frozen=True)
class DeflectionReport:
    since: date
    until: date
    days: list[Figures]
    totals: Figures
    top_queries: list[QueryFigures] = field(default_factory=list)
    zero_result_gaps: list[ContentGap] = field(default_factory=list)
    escalated_gaps: list[ContentGap] = field(default_factory=list)


def _period(days: int, today: date) -> tuple[date, datetime]:
    first = today - timedelta(days=days - 1)
    return first, timezone.make_aware(datetime.combine(first, time.min))


def _daily(start: datetime) -> dict[date, Figures]:
    rows = (
        HelpSession.objects.filter(started_at__gte=start)
        .annotate(day=TruncDate("started_at"))
        .values("day")
        .annotate(
            sessions=Count("pk"),
            deflected=Count("pk", filter=Q(outcome=HelpOutcome.DEFLECTED)),
            withdrawn=Count("pk", filter=Q(outcome=HelpOutcome.WITHDRAWN)),
            escalated=Count("pk", filter=Q(outcome=HelpOutcome.ESCALATED)),
            searched=Count("pk", filter=Q(search_count__gt=0)),
            clicked=Count("pk", filter=Q(search_count__gt=0, open_count__gt=0)),
        )
        .order_by("day")
    )
    return {row["day"]: Figures(**row) for row in rows}


def _top_queries(start: datetime) -> list[QueryFigures]:
    rows = (
        HelpSessionEvent.objects.filter(kind=HelpEventKind.SEARCH, created_at__gte=start)
        .exclude(normalised_query="")
        .values("normalised_query")
        .annotate(
            searches=Count("pk"),
            sessions=Count("session", distinct=True),
            without_results=Count("pk", filter=Q(result_count=0)),
            example=Max("query"),
        )
        .order_by("-searches", "normalised_query")[:LIST_LENGTH]
    )
    return [
        QueryFigures(
            query=row["example"],
            searches=row["searches"],
            sessions=row["sessions"],
            without_results=row["without_results"],
        )
        for row in rows
    ]


def deflection_report(*, days: int = REPORT_DAYS, today: date | None = None) -> DeflectionReport:
    """The last `days` days up to today (in the site's time zone): four queries."""
    today = today or timezone.localdate()
    first, start = _period(days, today)
    daily = _daily(start)
    series = [daily.get(first + timedelta(days=n)) or Figures(day=first + timedelta(days=n)) for n in range(days)]
    totals = Figures(**{name: sum(getattr(day, name) for day in series) for name in COUNTED})
    recent_gaps = ContentGap.objects.filter(last_seen_at__gte=start)
    return DeflectionReport(
        since=first,
        until=today,
        days=series,
        totals=totals,
        top_queries=_top_queries(start),
        zero_result_gaps=list(
            recent_gaps.filter(zero_result_count__gt=0).order_by("-zero_result_count", "normalised_query")[:LIST_LENGTH]
        ),
        escalated_gaps=list(
            recent_gaps.filter(escalated_count__gt=0).order_by("-escalated_count", "normalised_query")[:LIST_LENGTH]
        ),
    )
