"""Tickets: volume, response and resolution times on the service-level clocks, first-contact resolution,
escalations, service-level compliance and the backlog."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from django.db.models import Choices, Count, Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tickets.models import Channel, Priority, Status, Ticket, Tier

from ..links import metric_url
from ..registry import Breakdown, Column, Metric, Section, Table, Unit, duration_percentiles, register, share
from ..scope import Scope
from ..stats import percentile
from ..timebuckets import LocalDate

TICKET_FILTERS = frozenset({"product_version", "organisation", "plan", "tier", "language", "priority", "channel"})
FIRST_CONTACT = Q(tier=Tier.TIER_1, escalation_count=0, reopen_count=0)
ESCALATED = Q(escalation_count__gt=0)
# Backlog age buckets: (label, lower bound included, upper bound excluded).
AGE_BUCKETS = (
    (_("under 1 day"), timedelta(0), timedelta(days=1)),
    (_("1–3 days"), timedelta(days=1), timedelta(days=3)),
    (_("3–7 days"), timedelta(days=3), timedelta(days=7)),
    (_("7–30 days"), timedelta(days=7), timedelta(days=30)),
    (_("over 30 days"), timedelta(days=30), None),
)


def ticket_filters(scope: Scope) -> Q:
    return scope.filtered(
        product_version="product_version", organisation="organisation", plan="plan", tier="tier", language="language",
        priority="priority", channel="channel",
    )  # fmt: skip


def created(scope: Scope) -> QuerySet[Ticket]:
    """Tickets created in the period under the filters."""
    return Ticket.objects.filter(scope.between("created_at") & ticket_filters(scope))


def resolved(scope: Scope) -> QuerySet[Ticket]:
    """Tickets whose latest resolution falls in the period, under the filters (a reopened ticket keeps it)."""
    return Ticket.objects.filter(scope.between("resolved_at") & ticket_filters(scope))


def _stopped(scope: Scope) -> dict[str, Q]:
    """Each service-level clock counts in the period where it stopped: at the first reply, and at the resolution."""
    first, resolution = scope.between("first_response_at"), scope.between("resolved_at")
    return {
        "first_stopped": first & Q(first_response_met__isnull=False),
        "first_in_time": first & Q(first_response_met=True),
        "resolution_stopped": resolution & Q(resolution_met__isnull=False),
        "resolution_in_time": resolution & Q(resolution_met=True),
    }


def clocks_stopped(scope: Scope) -> QuerySet[Ticket]:
    """Tickets with a service-level clock that stopped in the period, under the filters."""
    stopped = _stopped(scope)
    return Ticket.objects.filter((stopped["first_stopped"] | stopped["resolution_stopped"]) & ticket_filters(scope))


def _clock_counts(queryset: QuerySet[Ticket], scope: Scope) -> dict[str, int]:
    return queryset.aggregate(**{name: Count("pk", filter=condition) for name, condition in _stopped(scope).items()})


def _compliance(counts: dict[str, int]) -> float | None:
    return share(
        counts["first_in_time"] + counts["resolution_in_time"], counts["first_stopped"] + counts["resolution_stopped"]
    )


def _yes_no(value: bool | None) -> str:
    return "" if value is None else str(_("yes") if value else _("no"))


TICKET_COLUMNS = (
    Column(
        _("ticket"),
        lambda ticket: ticket.reference,
        link=lambda ticket: reverse("tickets:staff_detail", args=[ticket.reference]),
    ),
    Column(_("created"), lambda ticket: ticket.created_at),
    Column(_("subject"), lambda ticket: ticket.subject),
    Column(_("organisation"), lambda ticket: ticket.organisation.name if ticket.organisation_id else ""),
    Column(_("priority"), lambda ticket: ticket.get_priority_display()),
    Column(_("tier"), lambda ticket: ticket.get_tier_display()),
    Column(_("channel"), lambda ticket: ticket.get_channel_display()),
    Column(_("status"), lambda ticket: ticket.get_status_display()),
    Column(_("first response (business seconds)"), lambda ticket: ticket.first_response_seconds),
    Column(_("first-response target met"), lambda ticket: _yes_no(ticket.first_response_met)),
    Column(_("resolved"), lambda ticket: ticket.resolved_at or ""),
    Column(_("resolution (business seconds)"), lambda ticket: ticket.resolution_seconds),
    Column(_("resolution target met"), lambda ticket: _yes_no(ticket.resolution_met)),
    Column(_("escalations"), lambda ticket: ticket.escalation_count),
    Column(_("reopenings"), lambda ticket: ticket.reopen_count),
)


def _rows(queryset: QuerySet[Ticket], order: str = "-created_at") -> QuerySet[Ticket]:
    # The organisation gives each row its name.
    return queryset.select_related("organisation").order_by(order, "-pk")


BUSINESS_TIME = _(
    "In business time as the service-level clock counts it: on the calendar of the ticket's plan, in its "
    "organisation's time zone, less the time spent waiting on the customer."
)


def _stopped_rows(scope: Scope) -> QuerySet[Ticket]:
    return _rows(clocks_stopped(scope))


register(
    Metric(
        key="tickets_created",
        section=Section.TICKETS,
        label=_("Tickets created"),
        formula=_("Tickets created in the period, from every channel."),
        unit=Unit.COUNT,
        value=lambda scope: created(scope).count(),
        filters=TICKET_FILTERS,
        rows=lambda scope: _rows(created(scope)),
        columns=TICKET_COLUMNS,
        higher_is_better=None,
    ),
    *duration_percentiles(
        key="first_response",
        section=Section.TICKETS,
        label=_("First response time"),
        what=_(
            "the time from creation to the first public staff reply, among the tickets created in the period that "
            "have had one"
        ),
        note=BUSINESS_TIME,
        value=lambda scope, fraction: percentile(created(scope), "first_response_seconds", fraction),
        filters=TICKET_FILTERS,
        rows=lambda scope: _rows(created(scope).filter(first_response_seconds__isnull=False)),
        columns=TICKET_COLUMNS,
    ),
    *duration_percentiles(
        key="resolution",
        section=Section.TICKETS,
        label=_("Resolution time"),
        what=_("the time from creation to the latest resolution, among the tickets resolved in the period"),
        note=BUSINESS_TIME,
        value=lambda scope, fraction: percentile(resolved(scope), "resolution_seconds", fraction),
        filters=TICKET_FILTERS,
        rows=lambda scope: _rows(resolved(scope).filter(resolution_seconds__isnull=False), "-resolved_at"),
        columns=TICKET_COLUMNS,
    ),
    Metric(
        key="first_contact_resolution",
        section=Section.TICKETS,
        label=_("First-contact resolution"),
        formula=_(
            "Tickets resolved in the period at tier 1, never escalated and never reopened ÷ tickets resolved in the "
            "period. A ticket counts once, by its latest resolution."
        ),
        unit=Unit.PERCENT,
        value=lambda scope: share(
            *(lambda c: (c["first_contact"], c["total"]))(
                resolved(scope).aggregate(total=Count("pk"), first_contact=Count("pk", filter=FIRST_CONTACT))
            )
        ),
        filters=TICKET_FILTERS,
        rows=lambda scope: _rows(resolved(scope).filter(FIRST_CONTACT), "-resolved_at"),
        columns=TICKET_COLUMNS,
    ),
    Metric(
        key="escalation_rate",
        section=Section.TICKETS,
        label=_("Escalation rate"),
        formula=_(
            "Tickets created in the period that have been moved to a higher tier at least once ÷ tickets created in "
            "the period (a hand-back to a lower tier is not an escalation)."
        ),
        unit=Unit.PERCENT,
        value=lambda scope: share(
            *(lambda c: (c["escalated"], c["total"]))(
                created(scope).aggregate(total=Count("pk"), escalated=Count("pk", filter=ESCALATED))
            )
        ),
        filters=TICKET_FILTERS,
        rows=lambda scope: _rows(created(scope).filter(ESCALATED)),
        columns=TICKET_COLUMNS,
        higher_is_better=False,
    ),
    Metric(
        key="sla_compliance",
        section=Section.TICKETS,
        label=_("Service-level compliance"),
        formula=_(
            "Service-level clocks that stopped within their target ÷ clocks that stopped in the period. Each ticket "
            "has two clocks: first response (stops at the first public staff reply) and resolution (stops at the "
            "latest resolution); each counts in the period where it stopped, against the target of the ticket's "
            "current plan and priority."
        ),
        unit=Unit.PERCENT,
        value=lambda scope: _compliance(_clock_counts(clocks_stopped(scope), scope)),
        filters=TICKET_FILTERS,
        rows=_stopped_rows,
        columns=TICKET_COLUMNS,
    ),
)


# --- Breakdowns ------------------------------------------------------------------------------------


def _narrowed_link(key: str, scope: Scope, field_name: str, value) -> str:
    """The drill-down of `key` narrowed to one tier, priority or channel: the list behind one bar."""
    return metric_url(key, replace(scope, **{field_name: value}))


def _counts_by(scope: Scope, field_name: str, choices: type[Choices]) -> Table:
    counts = dict(created(scope).values(field_name).annotate(total=Count("pk")).values_list(field_name, "total"))
    rows = [(str(label), [counts.get(value, 0)]) for value, label in choices.choices]
    links = [_narrowed_link("tickets_created", scope, field_name, value) for value in choices.values]
    return Table(columns=[_("tickets")], rows=rows, links=links)


def _compliance_by(scope: Scope, field_name: str, choices: type[Choices]) -> Table:
    conditions = _stopped(scope)
    by_value = {
        row[field_name]: row
        for row in clocks_stopped(scope)
        .values(field_name)
        .annotate(**{name: Count("pk", filter=condition) for name, condition in conditions.items()})
    }
    rows = []
    for value, label in choices.choices:
        counts = by_value.get(value, dict.fromkeys(conditions, 0))
        rows.append(
            (
                str(label),
                [
                    share(counts["first_in_time"], counts["first_stopped"]),
                    share(counts["resolution_in_time"], counts["resolution_stopped"]),
                ],
            )
        )
    links = [_narrowed_link("sla_compliance", scope, field_name, value) for value in choices.values]
    return Table(columns=[_("first response"), _("resolution")], rows=rows, links=links)


def _backlog_by_age(scope: Scope) -> Table:
    """Tickets still needing work now, by the time since they were created; the period does not apply."""
    now = timezone.now()
    buckets = {}
    for index, (_label, low, high) in enumerate(AGE_BUCKETS):
        condition = Q(created_at__lte=now - low)
        if high is not None:
            condition &= Q(created_at__gt=now - high)
        buckets[f"bucket{index}"] = Count("pk", filter=condition)
    counts = Ticket.objects.filter(Q(status__in=Status.active()) & ticket_filters(scope)).aggregate(**buckets)
    rows = [(str(label), [counts[f"bucket{index}"]]) for index, (label, _low, _high) in enumerate(AGE_BUCKETS)]
    return Table(columns=[_("open tickets")], rows=rows)


def _by_day_and_channel(scope: Scope) -> Table:
    counts = {
        (row["day"], row["channel"]): row["total"]
        for row in created(scope)
        .annotate(day=LocalDate("created_at", scope))
        .values("day", "channel")
        .annotate(total=Count("pk"))
    }
    rows = [(day.isoformat(), [counts.get((day, channel), 0) for channel in Channel.values]) for day in scope.days]
    links = [metric_url("tickets_created", replace(scope, since=day, until=day)) for day in scope.days]
    return Table(columns=[str(label) for label in Channel.labels], rows=rows, links=links)


SLA_HELP = _(
    "Share of the first-response and resolution clocks that stopped in the period within their target, against "
    "the target of the ticket's current plan and priority; empty where no clock stopped."
)

register(
    Breakdown(
        key="tickets_by_channel",
        section=Section.TICKETS,
        title=_("Tickets by channel"),
        help=_("Tickets created in the period, by the channel they came in through."),
        unit=Unit.COUNT,
        chart="bars",
        table=lambda scope: _counts_by(scope, "channel", Channel),
        filters=TICKET_FILTERS,
    ),
    Breakdown(
        key="tickets_by_priority",
        section=Section.TICKETS,
        title=_("Tickets by priority"),
        help=_("Tickets created in the period, by their priority now."),
        unit=Unit.COUNT,
        chart="bars",
        table=lambda scope: _counts_by(scope, "priority", Priority),
        filters=TICKET_FILTERS,
    ),
    Breakdown(
        key="tickets_by_tier",
        section=Section.TICKETS,
        title=_("Tickets by tier"),
        help=_("Tickets created in the period, by the tier that holds them now."),
        unit=Unit.COUNT,
        chart="bars",
        table=lambda scope: _counts_by(scope, "tier", Tier),
        filters=TICKET_FILTERS,
    ),
    Breakdown(
        key="sla_by_priority",
        section=Section.TICKETS,
        title=_("Service-level compliance by priority"),
        help=SLA_HELP,
        unit=Unit.PERCENT,
        chart="bars",
        table=lambda scope: _compliance_by(scope, "priority", Priority),
        filters=TICKET_FILTERS,
    ),
    Breakdown(
        key="sla_by_tier",
        section=Section.TICKETS,
        title=_("Service-level compliance by tier"),
        help=SLA_HELP,
        unit=Unit.PERCENT,
        chart="bars",
        table=lambda scope: _compliance_by(scope, "tier", Tier),
        filters=TICKET_FILTERS,
    ),
    Breakdown(
        key="backlog_by_age",
        section=Section.TICKETS,
        title=_("Backlog by age"),
        help=_(
            "Tickets needing work now (new, open or waiting on the customer), by the calendar time since they were "
            "created; each bucket includes its lower bound. The period does not apply: this is today's backlog."
        ),
        unit=Unit.COUNT,
        chart="bars",
        table=_backlog_by_age,
        filters=TICKET_FILTERS,
    ),
    Breakdown(
        key="tickets_by_day_and_channel",
        section=Section.TICKETS,
        title=_("Tickets by day and channel"),
        help=_("Tickets created each day of the period, in your time zone, stacked by channel."),
        unit=Unit.COUNT,
        chart="stacked",
        table=_by_day_and_channel,
        filters=TICKET_FILTERS,
    ),
)
