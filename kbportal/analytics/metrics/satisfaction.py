"""Satisfaction: survey answers on resolved tickets (CSAT, service index, CES, NPS) and the follow-up on low scores."""

from __future__ import annotations

from datetime import date, timedelta

from django.db.models import Avg, Count, Q, QuerySet, Sum
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from tickets.models import SERVICE_DIMENSIONS, FollowUpCase, FollowUpStatus, SurveyResponse

from ..registry import Breakdown, Column, Metric, Section, Table, Unit, register, share
from ..scope import Scope, memoized
from ..stats import round_half_up
from ..timebuckets import LocalDate

# A response belongs to a ticket, which has all five dimensions.
TICKET_FILTERS = frozenset({"product_version", "organisation", "plan", "tier", "language", "priority", "channel"})
SATISFIED = Q(csat__gte=4)
PROMOTER = Q(nps__gte=9)
DETRACTOR = Q(nps__lte=6)


def ticket_filters(scope: Scope, prefix: str = "ticket__") -> Q:
    """The filters that apply to a record of a ticket (`prefix`: the path to the ticket)."""
    return scope.filtered(
        product_version=f"{prefix}product_version",
        organisation=f"{prefix}organisation",
        plan=f"{prefix}plan",
        tier=f"{prefix}tier",
        language=f"{prefix}language",
        priority=f"{prefix}priority",
        channel=f"{prefix}channel",
    )


def responses(scope: Scope) -> QuerySet[SurveyResponse]:
    """Survey answers given in the period under the filters, without those flagged as part of a burst.

    A flagged answer came in a burst from one address and waits for a manager's check; counting it would let one
    address move the figures.
    """
    return SurveyResponse.objects.filter(scope.between("created_at") & ticket_filters(scope), flagged=False)


def follow_up_cases(scope: Scope) -> QuerySet[FollowUpCase]:
    return FollowUpCase.objects.filter(scope.between("opened_at") & ticket_filters(scope))


@memoized
def _response_figures(scope: Scope) -> dict:
    return responses(scope).aggregate(
        total=Count("pk"),
        csat_average=Avg("csat"),
        satisfied=Count("pk", filter=SATISFIED),
        service_index_average=Avg("service_index"),
        ces_average=Avg("ces"),
        nps_answers=Count("nps"),
        promoters=Count("pk", filter=PROMOTER),
        detractors=Count("pk", filter=DETRACTOR),
    )


def _average(scope: Scope, name: str) -> float | None:
    value = _response_figures(scope)[name]
    return None if value is None else float(value)


def net_promoter_score(promoters: int, detractors: int, answers: int) -> float | None:
    """% promoters − % detractors, rounded half away from zero to a whole number; None without answers."""
    if not answers:
        return None
    return round_half_up(100 * (promoters - detractors) / answers)


def _nps(scope: Scope) -> float | None:
    figures = _response_figures(scope)
    return net_promoter_score(figures["promoters"], figures["detractors"], figures["nps_answers"])


def _ticket_link(record) -> str:
    return reverse("tickets:staff_detail", args=[record.ticket.reference])


RESPONSE_COLUMNS = (
    Column(_("answered"), lambda response: response.created_at),
    Column(_("ticket"), lambda response: response.ticket.reference, link=_ticket_link),
    Column(_("CSAT"), lambda response: response.csat),
    Column(_("service index"), lambda response: response.service_index),
    Column(_("CES"), lambda response: response.ces),
    Column(_("NPS"), lambda response: "" if response.nps is None else response.nps),
    Column(_("comment"), lambda response: response.comment),
)
CASE_COLUMNS = (
    Column(_("opened"), lambda case: case.opened_at),
    Column(_("ticket"), lambda case: case.ticket.reference, link=_ticket_link),
    Column(_("trigger"), lambda case: case.trigger),
    Column(_("status"), lambda case: case.get_status_display()),
    Column(_("closed"), lambda case: case.closed_at or ""),
)


def _response_rows(scope: Scope) -> QuerySet[SurveyResponse]:
    # The ticket gives each row its reference and link.
    return responses(scope).select_related("ticket").order_by("-created_at", "-pk")


def _case_rows(scope: Scope) -> QuerySet[FollowUpCase]:
    # The ticket gives each row its reference and link.
    return follow_up_cases(scope).select_related("ticket").order_by("-opened_at", "-pk")


register(
    Metric(
        key="csat_average",
        section=Section.SATISFACTION,
        label=_("Customer satisfaction (CSAT)"),
        formula=_(
            "Average of the CSAT answers (1 = very unsatisfied, 5 = very satisfied) given in the period; "
            "answers flagged as part of a burst from one address are left out."
        ),
        unit=Unit.SCORE,
        value=lambda scope: _average(scope, "csat_average"),
        filters=TICKET_FILTERS,
        rows=_response_rows,
        columns=RESPONSE_COLUMNS,
    ),
    Metric(
        key="csat_satisfied",
        section=Section.SATISFACTION,
        label=_("Satisfied customers"),
        formula=_(
            "Survey answers with CSAT 4 or 5 ÷ all survey answers given in the period (flagged answers left out)."
        ),
        unit=Unit.PERCENT,
        value=lambda scope: share(*(lambda f: (f["satisfied"], f["total"]))(_response_figures(scope))),
        filters=TICKET_FILTERS,
        rows=lambda scope: _response_rows(scope).filter(SATISFIED),
        columns=RESPONSE_COLUMNS,
    ),
    Metric(
        key="service_index",
        section=Section.SATISFACTION,
        label=_("Service index"),
        formula=_(
            "Average service index (0–100) of the survey answers given in the period: each answer weighs its five "
            "service ratings with the weights set in the admin (flagged answers left out)."
        ),
        unit=Unit.SCORE,
        value=lambda scope: _average(scope, "service_index_average"),
        filters=TICKET_FILTERS,
        rows=_response_rows,
        columns=RESPONSE_COLUMNS,
    ),
    Metric(
        key="ces_average",
        section=Section.SATISFACTION,
        label=_("Customer effort (CES)"),
        formula=_(
            "Average of the CES answers (1 = very easy, 5 = very hard) given in the period; lower is better "
            "(flagged answers left out)."
        ),
        unit=Unit.SCORE,
        value=lambda scope: _average(scope, "ces_average"),
        filters=TICKET_FILTERS,
        rows=_response_rows,
        columns=RESPONSE_COLUMNS,
        higher_is_better=False,
    ),
    Metric(
        key="nps",
        section=Section.SATISFACTION,
        label=_("Net Promoter Score (NPS)"),
        formula=_(
            "Among the survey answers of the period that include the recommendation question (0–10): % promoters "
            "(9–10) − % detractors (0–6), rounded half away from zero to a whole number, from −100 to 100 "
            "(flagged answers left out)."
        ),
        unit=Unit.NPS,
        value=_nps,
        filters=TICKET_FILTERS,
        rows=lambda scope: _response_rows(scope).filter(nps__isnull=False),
        columns=RESPONSE_COLUMNS,
    ),
    Metric(
        key="follow_up_cases",
        section=Section.SATISFACTION,
        label=_("Follow-up cases opened"),
        formula=_(
            "Follow-up cases opened in the period: a CSAT of 1 or 2, or an NPS detractor who left a comment, opens one."
        ),
        unit=Unit.COUNT,
        value=lambda scope: follow_up_cases(scope).count(),
        filters=TICKET_FILTERS,
        rows=_case_rows,
        columns=CASE_COLUMNS,
        higher_is_better=None,
    ),
    Metric(
        key="follow_up_closed",
        section=Section.SATISFACTION,
        label=_("Follow-up cases closed"),
        formula=_("Follow-up cases opened in the period and closed by now ÷ follow-up cases opened in the period."),
        unit=Unit.PERCENT,
        value=lambda scope: share(
            *(lambda f: (f["closed"], f["total"]))(
                follow_up_cases(scope).aggregate(
                    total=Count("pk"), closed=Count("pk", filter=Q(status=FollowUpStatus.CLOSED))
                )
            )
        ),
        filters=TICKET_FILTERS,
        rows=lambda scope: _case_rows(scope).filter(status=FollowUpStatus.CLOSED),
        columns=CASE_COLUMNS,
    ),
)


# --- Breakdowns ------------------------------------------------------------------------------------


def _dimensions(scope: Scope) -> Table:
    averages = responses(scope).aggregate(**{f"{name}_average": Avg(name) for name in SERVICE_DIMENSIONS})
    rows = []
    for name in SERVICE_DIMENSIONS:
        value = averages[f"{name}_average"]
        rows.append((str(SurveyResponse._meta.get_field(name).verbose_name), [None if value is None else float(value)]))
    return Table(columns=[_("average rating (1–5)")], rows=rows)


def _weeks(scope: Scope) -> list[date]:
    """The Mondays of the ISO weeks that the period touches, in the viewer's time zone."""
    monday = scope.since - timedelta(days=scope.since.weekday())
    return [monday + timedelta(weeks=n) for n in range((scope.until - monday).days // 7 + 1)]


def _week_label(monday: date) -> str:
    year, week, _day = monday.isocalendar()
    return f"{year}-W{week:02d}"


@memoized
def _by_week(scope: Scope) -> dict[date, dict]:
    """Per ISO week: answers, CSAT average and satisfied answers — days counted in SQL, folded into weeks here."""
    days = (
        responses(scope)
        .annotate(day=LocalDate("created_at", scope))
        .values("day")
        .annotate(csat_sum=Sum("csat"), total=Count("pk"), satisfied=Count("pk", filter=SATISFIED))
    )
    weeks: dict[date, dict] = {}
    for row in days:
        week = weeks.setdefault(row["day"] - timedelta(days=row["day"].weekday()), {"csat_sum": 0, "total": 0,
                                                                                     "satisfied": 0})  # fmt: skip
        for name in ("csat_sum", "total", "satisfied"):
            week[name] += row[name]
    for week in weeks.values():
        week["csat_average"] = week["csat_sum"] / week["total"]
    return weeks


def _csat_by_week(scope: Scope) -> Table:
    by_week = _by_week(scope)
    rows = []
    for monday in _weeks(scope):
        row = by_week.get(monday)
        rows.append((_week_label(monday), [float(row["csat_average"]) if row else None]))
    return Table(columns=[_("CSAT average")], rows=rows)


def _satisfied_by_week(scope: Scope) -> Table:
    by_week = _by_week(scope)
    rows = []
    for monday in _weeks(scope):
        row = by_week.get(monday)
        rows.append((_week_label(monday), [share(row["satisfied"], row["total"]) if row else None]))
    return Table(columns=[_("satisfied (CSAT 4–5)")], rows=rows)


WEEK_HELP = _(
    "By ISO week (Monday to Sunday in your time zone); the first and last weeks hold only the days inside the period. "
    "Weeks without answers are left empty. Flagged answers are left out."
)

register(
    Breakdown(
        key="service_index_dimensions",
        section=Section.SATISFACTION,
        title=_("Service index dimensions"),
        help=_(
            "Average of each of the five service ratings (1–5) in the survey answers of the period; the service "
            "index weighs them. Flagged answers are left out."
        ),
        unit=Unit.SCORE,
        chart="bars",
        table=_dimensions,
        filters=TICKET_FILTERS,
    ),
    Breakdown(
        key="csat_by_week",
        section=Section.SATISFACTION,
        title=_("CSAT by week"),
        help=WEEK_HELP,
        unit=Unit.SCORE,
        chart="line",
        table=_csat_by_week,
        filters=TICKET_FILTERS,
    ),
    Breakdown(
        key="satisfied_by_week",
        section=Section.SATISFACTION,
        title=_("Satisfied customers by week"),
        help=WEEK_HELP,
        unit=Unit.PERCENT,
        chart="line",
        table=_satisfied_by_week,
        filters=TICKET_FILTERS,
    ),
)
