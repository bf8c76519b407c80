"""Self-service: help sessions, deflection, searches, content gaps and the content that fails customers.

The deflection rate and the click-through are defined here and nowhere else: `/staff/deflection/` is this
section of the dashboard.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import replace
from datetime import UTC, date, timedelta

from django.conf import settings
from django.db.models import Count, Max, Q, QuerySet, Sum
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from articles.models import Article, Feedback, FeedbackReason, Video
from kbportal.choices import Language
from kbportal.helpcenter.models import (
    ContentGapDay,
    ContentGapRolledDay,
    HelpEventKind,
    HelpOutcome,
    HelpSession,
    HelpSessionEvent,
)
from kbportal.helpcenter.selectors import content_gaps_of
from kbportal.helpcenter.services import utc_day_bounds

from ..links import metric_url
from ..registry import Breakdown, Column, Listing, Metric, Section, Table, Unit, register, share
from ..scope import Scope, memoized
from ..timebuckets import LocalDate

# Sessions have a language and a customer (hence an organisation and its plan); no tier, no version.
SESSION_FILTERS = frozenset({"language", "organisation", "plan"})
SOLVED = (HelpOutcome.DEFLECTED, HelpOutcome.WITHDRAWN)
LIST_LENGTH = 10
LANGUAGE_NAMES = dict(Language.choices)


def session_condition(scope: Scope, prefix: str = "") -> Q:
    """Help sessions started in the period, under the filters that apply to them (`prefix`: the path to the session)."""
    return scope.between(f"{prefix}started_at") & scope.filtered(
        language=f"{prefix}language",
        organisation=f"{prefix}user__membership__organisation",
        plan=f"{prefix}user__membership__organisation__plan",
    )


def sessions(scope: Scope) -> QuerySet[HelpSession]:
    return HelpSession.objects.filter(session_condition(scope))


def _counted() -> dict[str, Count]:
    """The session counts every rate below is made of, for a whole period or by day."""
    return {
        "total": Count("pk"),
        "solved": Count("pk", filter=Q(outcome__in=SOLVED)),
        "verdict": Count("pk", filter=~Q(outcome=HelpOutcome.OPEN)),
        "searched": Count("pk", filter=Q(search_count__gt=0)),
        "clicked": Count("pk", filter=Q(search_count__gt=0, open_count__gt=0)),
    }


@memoized
def _session_counts(scope: Scope) -> dict[str, int]:
    return sessions(scope).aggregate(**_counted())


def deflection_rate(counts: dict[str, int]) -> float | None:
    return share(counts["solved"], counts["verdict"])


def deflection_rate_all(counts: dict[str, int]) -> float | None:
    return share(counts["solved"], counts["total"])


def click_through(counts: dict[str, int]) -> float | None:
    return share(counts["clicked"], counts["searched"])


DEFLECTION_RATE = _("Deflection rate")
DEFLECTION_RATE_ALL = _("Deflection rate, all sessions")
CLICK_THROUGH = _("Click-through")


def searches(scope: Scope) -> QuerySet[HelpSessionEvent]:
    """Searches made in the period by sessions under the filters (a search belongs to its own day)."""
    filters = scope.filtered(
        language="session__language",
        organisation="session__user__membership__organisation",
        plan="session__user__membership__organisation__plan",
    )
    return HelpSessionEvent.objects.filter(Q(kind=HelpEventKind.SEARCH) & scope.between("created_at") & filters)


def _ticket_link(ticket) -> str:
    return reverse("tickets:staff_detail", args=[ticket.reference])


@memoized
def _search_counts(scope: Scope) -> dict[str, int]:
    return searches(scope).aggregate(all=Count("pk"), zero=Count("pk", filter=Q(result_count=0)))


SESSION_COLUMNS = (
    Column(_("started"), lambda session: session.started_at),
    Column(_("language"), lambda session: session.get_language_display()),
    Column(_("outcome"), lambda session: session.get_outcome_display()),
    Column(_("searches"), lambda session: session.search_count),
    Column(_("results opened"), lambda session: session.open_count),
    Column(
        _("ticket"),
        lambda session: session.ticket.reference if session.ticket_id else "",
        link=lambda session: (
            reverse("tickets:staff_detail", args=[session.ticket.reference]) if session.ticket_id else ""
        ),
    ),
)
SEARCH_COLUMNS = (
    Column(_("searched"), lambda event: event.created_at),
    Column(_("query"), lambda event: event.query),
    Column(_("results"), lambda event: event.result_count),
    Column(_("session outcome"), lambda event: event.session.get_outcome_display()),
)


def _sessions_rows(scope: Scope) -> QuerySet[HelpSession]:
    return sessions(scope).select_related("ticket").order_by("-started_at", "-pk")


register(
    Metric(
        key="help_sessions",
        section=Section.SELF_SERVICE,
        label=_("Help sessions"),
        formula=_("Help sessions started in the period: a visitor's searches, opened results and verdict."),
        unit=Unit.COUNT,
        value=lambda scope: _session_counts(scope)["total"],
        filters=SESSION_FILTERS,
        rows=_sessions_rows,
        columns=SESSION_COLUMNS,
        higher_is_better=None,
    ),
    Metric(
        key="deflection_rate",
        section=Section.SELF_SERVICE,
        label=DEFLECTION_RATE,
        formula=_(
            "Sessions solved by self-service (the customer said it helped, or withdrew the request) ÷ sessions "
            "that reached a verdict (solved or escalated to a ticket)."
        ),
        unit=Unit.PERCENT,
        value=lambda scope: deflection_rate(_session_counts(scope)),
        filters=SESSION_FILTERS,
        rows=lambda scope: _sessions_rows(scope).exclude(outcome=HelpOutcome.OPEN),
        columns=SESSION_COLUMNS,
    ),
    Metric(
        key="deflection_rate_all",
        section=Section.SELF_SERVICE,
        label=DEFLECTION_RATE_ALL,
        formula=_(
            "Sessions solved by self-service ÷ all sessions (sessions abandoned without a verdict count as not solved)."
        ),
        unit=Unit.PERCENT,
        value=lambda scope: deflection_rate_all(_session_counts(scope)),
        filters=SESSION_FILTERS,
        rows=_sessions_rows,
        columns=SESSION_COLUMNS,
    ),
    Metric(
        key="searches",
        section=Section.SELF_SERVICE,
        label=_("Searches"),
        formula=_("Searches made in the period (reloading the same results page counts once)."),
        unit=Unit.COUNT,
        value=lambda scope: _search_counts(scope)["all"],
        filters=SESSION_FILTERS,
        rows=lambda scope: searches(scope).select_related("session").order_by("-created_at", "-pk"),
        columns=SEARCH_COLUMNS,
        higher_is_better=None,
    ),
    Metric(
        key="zero_result_rate",
        section=Section.SELF_SERVICE,
        label=_("Searches without results"),
        formula=_("Searches that found nothing ÷ all searches."),
        unit=Unit.PERCENT,
        value=lambda scope: share(_search_counts(scope)["zero"], _search_counts(scope)["all"]),
        filters=SESSION_FILTERS,
        rows=lambda scope: searches(scope).filter(result_count=0).select_related("session").order_by("-created_at"),
        columns=SEARCH_COLUMNS,
        higher_is_better=False,
    ),
    Metric(
        key="click_through",
        section=Section.SELF_SERVICE,
        label=CLICK_THROUGH,
        formula=_("Sessions that opened a search result ÷ sessions that searched."),
        unit=Unit.PERCENT,
        value=lambda scope: click_through(_session_counts(scope)),
        filters=SESSION_FILTERS,
        rows=lambda scope: _sessions_rows(scope).filter(search_count__gt=0),
        columns=SESSION_COLUMNS,
    ),
)


# --- Breakdowns and lists ------------------------------------------------------------------------


# Each day's sessions by how they ended, from the bottom of a bar upwards (the CSV's columns in this order:
# "solved after sending" came last, when the old deflection report's split joined the dashboard).
BY_OUTCOME = (
    (HelpOutcome.DEFLECTED, _("solved by self-service")),
    (HelpOutcome.ESCALATED, _("escalated to a ticket")),
    (HelpOutcome.OPEN, _("no verdict")),
    (HelpOutcome.WITHDRAWN, _("solved after sending")),
)


@memoized
def _daily_counts(scope: Scope) -> dict:
    """Per day (in the viewer's zone): the sessions by outcome and the counts the rates are made of."""
    by_outcome = {str(outcome): Count("pk", filter=Q(outcome=outcome)) for outcome, _label in BY_OUTCOME}
    rows = (
        sessions(scope).annotate(day=LocalDate("started_at", scope)).values("day").annotate(**by_outcome, **_counted())
    )
    return {row["day"]: row for row in rows}


def _day_links(scope: Scope) -> list[str]:
    return [metric_url("help_sessions", replace(scope, since=day, until=day)) for day in scope.days]


def _sessions_by_day(scope: Scope) -> Table:
    by_day = _daily_counts(scope)
    table_rows = [
        (day.isoformat(), [by_day.get(day, {}).get(str(outcome), 0) for outcome, _label in BY_OUTCOME])
        for day in scope.days
    ]
    return Table(columns=[label for _outcome, label in BY_OUTCOME], rows=table_rows, links=_day_links(scope))


def _rates_by_day(scope: Scope) -> Table:
    """The day's rates, by the same definitions as the period's figures; None (a gap) on a day without data."""
    by_day = _daily_counts(scope)
    empty = dict.fromkeys(_counted(), 0)
    table_rows = []
    for day in scope.days:
        counts = by_day.get(day, empty)
        table_rows.append(
            (day.isoformat(), [deflection_rate(counts), deflection_rate_all(counts), click_through(counts)])
        )
    return Table(
        columns=[DEFLECTION_RATE, DEFLECTION_RATE_ALL, CLICK_THROUGH], rows=table_rows, links=_day_links(scope)
    )


def _top_searches(scope: Scope) -> list[dict]:
    """The queries searched most often, with how many sessions searched them and how often they found nothing."""
    return list(
        searches(scope)
        .exclude(normalised_query="")
        .values("normalised_query")
        .annotate(
            query=Max("query"),
            searches=Count("pk"),
            sessions=Count("session", distinct=True),
            without_results=Count("pk", filter=Q(result_count=0)),
        )
        .order_by("-searches", "normalised_query")[:LIST_LENGTH]
    )


def _failed_queries(scope: Scope) -> list[dict]:
    """Content gaps: queries that found nothing, or whose session ended in a ticket, most frequent first; one row
    per query and language (the missing article is missing in that language).

    Closed UTC days come from their daily rollup (ContentGapDay); today, days not rolled up yet, and the edges of
    a period in a time zone other than UTC from the searches themselves, with the same aggregate; the two are
    added per query. With an organisation or a plan chosen (the rollup does not keep them), all from the searches.
    """
    if scope.organisation_id is not None or scope.plan:
        return _failed_queries_from(searches(scope))[:LIST_LENGTH]
    rolled = _rolled_run(scope)
    if rolled is None:
        return _failed_queries_from(searches(scope))[:LIST_LENGTH]
    first, last = rolled
    rolled_start, rolled_end = utc_day_bounds(first)[0], utc_day_bounds(last)[1]
    edges = _failed_queries_from(searches(scope).exclude(created_at__gte=rolled_start, created_at__lt=rolled_end))
    days = ContentGapDay.objects.filter(day__gte=first, day__lte=last, **_rollup_language(scope))
    # The rollup's top rows with their edges added, and the rollup's rows of every query the edges name: a query
    # in neither is beaten by LIST_LENGTH rows that sort before it in the rollup alone and can only gain.
    top = _summed(days, LIST_LENGTH)
    named = {(row["normalised_query"], row["session__language"]) for row in edges}
    named -= {(row["normalised_query"], row["session__language"]) for row in top}
    extra = []
    if named:
        extra = [
            row
            for row in _summed(days.filter(normalised_query__in={query for query, _language in named}))
            if (row["normalised_query"], row["session__language"]) in named
        ]
    merged: dict[tuple[str, str], dict] = {}
    for row in [*top, *extra, *edges]:
        key = (row["normalised_query"], row["session__language"])
        if key not in merged:
            merged[key] = dict(row)
            continue
        into = merged[key]
        into["query"] = max(into["query"], row["query"])
        into["last_seen"] = max(into["last_seen"], row["last_seen"])
        for name in ("without_results", "escalated", "total"):
            into[name] += row[name]
    rows = sorted(merged.values(), key=lambda row: (-row["total"], row["normalised_query"], row["session__language"]))
    return rows[:LIST_LENGTH]


def _failed_queries_from(found: QuerySet[HelpSessionEvent]) -> list[dict]:
    return list(content_gaps_of(found).order_by("-total", "normalised_query", "session__language"))


def _rolled_run(scope: Scope) -> tuple[date, date] | None:
    """The longest run of rolled-up UTC days lying wholly inside the period, or None."""
    first_whole = scope.start.astimezone(UTC).date() + timedelta(days=1)
    if utc_day_bounds(first_whole - timedelta(days=1))[0] >= scope.start:
        first_whole -= timedelta(days=1)
    last_whole = scope.end.astimezone(UTC).date() - timedelta(days=1)
    rolled = sorted(
        ContentGapRolledDay.objects.filter(day__gte=first_whole, day__lte=last_whole).values_list("day", flat=True)
    )
    best: tuple[date, date] | None = None
    run_start = previous = None
    for day in rolled:
        if previous is None or day != previous + timedelta(days=1):
            run_start = day
        previous = day
        if best is None or (day - run_start) > (best[1] - best[0]):
            best = (run_start, day)
    return best


def _rollup_language(scope: Scope) -> dict[str, str]:
    return {"language": scope.language} if scope.language else {}


def _summed(days: QuerySet[ContentGapDay], limit: int | None = None) -> list[dict]:
    """The rollup's days summed per query and language, in the list's order (the first `limit`)."""
    rows = (
        days.values("normalised_query", "language")
        .annotate(
            query=Max("example_query"),
            last_seen=Max("last_seen_at"),
            without_results=Sum("zero_result_count"),
            escalated=Sum("escalated_count"),
            total=Sum("zero_result_count") + Sum("escalated_count"),
        )
        .order_by("-total", "normalised_query", "language")
    )
    summed = []
    for row in rows[:limit] if limit else rows:
        row["session__language"] = row.pop("language")
        summed.append(row)
    return summed


def _worst_rated(scope: Scope) -> list[dict]:
    """Articles and videos with the lowest share of "helpful" in the period's feedback, and the top reason."""
    minimum = settings.KBPORTAL_HELPFULNESS_MIN_VOTES
    given = Feedback.objects.filter(scope.between("updated_at"))
    found = []
    for kind, field_name, model in (("article", "article", Article), ("video", "video", Video)):
        language = scope.filtered(language=f"{field_name}__language")
        rows = (
            given.filter(language, **{f"{field_name}__isnull": False})
            .values(field_name)
            .annotate(votes=Count("pk"), unhelpful=Count("pk", filter=Q(helpful=False)))
            .filter(votes__gte=minimum, unhelpful__gt=0)
        )
        for row in rows:
            found.append({"kind": kind, "id": row[field_name], "votes": row["votes"], "unhelpful": row["unhelpful"],
                          "helpful_share": 1 - row["unhelpful"] / row["votes"], "model": model})  # fmt: skip
    found.sort(key=lambda row: (row["helpful_share"], -row["votes"]))
    worst = found[:LIST_LENGTH]
    _attach_items_and_reasons(worst, given)
    return worst


def _attach_items_and_reasons(rows: list[dict], given: QuerySet[Feedback]) -> None:
    """Two queries per kind: the items' titles and their "didn't help" reasons."""
    for kind, model in (("article", Article), ("video", Video)):
        ids = [row["id"] for row in rows if row["kind"] == kind]
        if not ids:
            continue
        items = model.objects.in_bulk(ids)
        reasons: dict[int, Counter] = {}
        for item_id, reason in (
            given.filter(helpful=False, **{f"{kind}__in": ids}).exclude(reason="").values_list(kind, "reason")
        ):
            reasons.setdefault(item_id, Counter())[reason] += 1
        labels = dict(FeedbackReason.choices)
        for row in rows:
            if row["kind"] == kind:
                row["item"] = items.get(row["id"])
                common = reasons.get(row["id"], Counter()).most_common(2)
                row["reasons"] = ", ".join(f"{labels.get(reason, reason)} ({count})" for reason, count in common)


def _before_tickets(scope: Scope) -> list[dict]:
    """The articles and videos most often opened in sessions that still ended in a ticket."""
    rows = (
        HelpSessionEvent.objects.filter(
            Q(kind=HelpEventKind.OPEN, item_kind__in=["article", "video"], session__outcome=HelpOutcome.ESCALATED)
            & session_condition(scope, prefix="session__")
        )
        .values("item_kind", "item_id")
        .annotate(sessions=Count("session", distinct=True), title=Max("item_title"), url=Max("item_url"))
        .order_by("-sessions", "item_kind", "item_id")[:LIST_LENGTH]
    )
    return list(rows)


register(
    Breakdown(
        key="sessions_by_day",
        section=Section.SELF_SERVICE,
        title=_("Help sessions by day and how they ended"),
        help=_(
            "Each day's help sessions, stacked by verdict; the deflection rate is the solved part of the bars "
            "that reached a verdict."
        ),
        unit=Unit.COUNT,
        chart="stacked",
        table=_sessions_by_day,
        filters=SESSION_FILTERS,
    ),
    Breakdown(
        key="self_service_rates_by_day",
        section=Section.SELF_SERVICE,
        title=_("Deflection rate and click-through by day"),
        help=_(
            "Each day's deflection rate (of the sessions that reached a verdict, and of all sessions) and "
            "click-through, as defined for the figures above; a line breaks on a day without sessions."
        ),
        unit=Unit.PERCENT,
        chart="line",
        table=_rates_by_day,
        filters=SESSION_FILTERS,
    ),
    Listing(
        key="top_searches",
        section=Section.SELF_SERVICE,
        title=_("Top searches"),
        help=_("The queries searched most often in the period."),
        columns=(
            Column(_("query"), lambda row: row["query"]),
            Column(_("searches"), lambda row: row["searches"]),
            Column(_("sessions"), lambda row: row["sessions"]),
            Column(_("searches without results"), lambda row: row["without_results"]),
        ),
        rows=_top_searches,
        filters=SESSION_FILTERS,
    ),
    Listing(
        key="content_gaps",
        section=Section.SELF_SERVICE,
        title=_("Top failed queries (content gaps)"),
        help=_("Queries that found nothing, or that were searched in a session that ended in a ticket."),
        columns=(
            Column(_("query"), lambda row: row["query"]),
            Column(_("language"), lambda row: LANGUAGE_NAMES.get(row["session__language"], row["session__language"])),
            Column(_("searches without results"), lambda row: row["without_results"]),
            Column(_("sessions ending in a ticket"), lambda row: row["escalated"]),
            Column(_("last seen"), lambda row: row["last_seen"]),
        ),
        rows=_failed_queries,
        filters=SESSION_FILTERS,
    ),
    Listing(
        key="worst_rated",
        section=Section.SELF_SERVICE,
        title=_("Least helpful articles and videos"),
        help=_(
            "Share of “yes” answers to “Was this helpful?” given in the period (items with enough votes), "
            "with the most frequent reasons given for “no”."
        ),
        columns=(
            Column(
                _("item"),
                lambda row: row["item"].title if row.get("item") else row["id"],
                link=lambda row: row["item"].get_absolute_url() if row.get("item") else "",
            ),
            Column(_("helpful"), lambda row: f"{round(100 * row['helpful_share'])}%"),
            Column(_("votes"), lambda row: row["votes"]),
            Column(_("most frequent reasons"), lambda row: row.get("reasons", "")),
        ),
        rows=_worst_rated,
        filters=frozenset({"language"}),
    ),
    Listing(
        key="before_tickets",
        section=Section.SELF_SERVICE,
        title=_("Content that most often precedes a ticket"),
        help=_("Articles and videos opened in help sessions that still ended in a ticket: candidates to improve."),
        columns=(
            Column(_("item"), lambda row: row["title"], link=lambda row: row["url"]),
            Column(_("sessions ending in a ticket"), lambda row: row["sessions"]),
        ),
        rows=_before_tickets,
        filters=SESSION_FILTERS,
    ),
)
