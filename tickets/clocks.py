"""The bridge between tickets in the database and the pure clock arithmetic in sla.py."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, tzinfo

from django.utils import timezone

from kbportal import timezones

from . import sla
from .models import Plan, ServiceCalendar, SlaPolicy, SlaTarget, Status, Ticket


@dataclass(frozen=True)
class TicketClocks:
    """Both service-level clocks of one ticket at one moment."""

    first_response: sla.ClockState
    resolution: sla.ClockState
    policy: SlaPolicy
    target: SlaTarget


def _open_days(calendar: ServiceCalendar) -> frozenset[int]:
    return frozenset(int(day) for day in calendar.open_days.split(",") if day.strip().isdigit())


def _as_time(value) -> time:
    return value if isinstance(value, time) else time.fromisoformat(str(value))


def business_calendar(policy: SlaPolicy, *, time_zone: str | None) -> sla.BusinessCalendar:
    """The policy's calendar in the customer's time zone (an unknown zone falls back to the calendar's)."""
    try:
        return _calendar(policy.calendar, time_zone or policy.calendar.default_time_zone)
    except ValueError:
        return _calendar(policy.calendar, policy.calendar.default_time_zone)


def _calendar(calendar: ServiceCalendar, zone: str) -> sla.BusinessCalendar:
    if calendar.always_open:
        return sla.BusinessCalendar.twenty_four_seven(zone)
    return sla.BusinessCalendar.business_hours(
        zone,
        open_days=_open_days(calendar),
        opens_at=_as_time(calendar.opens_at),
        closes_at=_as_time(calendar.closes_at),
        holidays=[holiday.date for holiday in calendar.holidays.all()],
    )


def policy_for(plan: str) -> SlaPolicy:
    """The policy of a plan, with its calendar, holidays and targets loaded; Basic when a plan has none."""
    policies = SlaPolicy.objects.select_related("calendar").prefetch_related("calendar__holidays", "targets")
    return policies.filter(plan=plan).first() or policies.get(plan=Plan.BASIC)


def _target(policy: SlaPolicy, priority: int) -> SlaTarget:
    return next(target for target in policy.targets.all() if target.priority == priority)


def ticket_time_zone(ticket: Ticket) -> str | None:
    return ticket.organisation.time_zone if ticket.organisation_id else None


class ServiceZones:
    """The zone each ticket's service-level clock runs in: its organisation's, else its plan's calendar's.

    Times about a ticket are named when the reader's zone is not this one. One instance answers for a whole
    page of tickets with at most one query (the calendars' zones, for tickets without an organisation).
    """

    def __init__(self) -> None:
        self._by_plan: dict[str, str] | None = None

    def of(self, ticket: Ticket) -> tzinfo:
        zone = timezones.zone_named(ticket_time_zone(ticket))
        return zone or timezones.zone_named(self._calendar_zone(ticket.plan)) or timezone.get_default_timezone()

    def _calendar_zone(self, plan: str) -> str | None:
        if self._by_plan is None:
            self._by_plan = dict(SlaPolicy.objects.values_list("plan", "calendar__default_time_zone"))
        # A plan without a policy is measured by Basic's (policy_for).
        return self._by_plan.get(plan) or self._by_plan.get(Plan.BASIC)


def ticket_zone(ticket: Ticket) -> tzinfo:
    """The zone of one ticket's service-level clock (ServiceZones for a list of them)."""
    return ServiceZones().of(ticket)


def pauses_of(ticket: Ticket) -> list[sla.Pause]:
    return [sla.Pause(started_at=p.started_at, ended_at=p.ended_at) for p in ticket.pauses.all()]


def ticket_clocks(ticket: Ticket, *, now: datetime | None = None, policy: SlaPolicy | None = None) -> TicketClocks:
    now = now or timezone.now()
    policy = policy or policy_for(ticket.plan)
    calendar = business_calendar(policy, time_zone=ticket_time_zone(ticket))
    target = _target(policy, ticket.priority)
    pauses = pauses_of(ticket)
    return TicketClocks(
        first_response=sla.clock_state(
            calendar, ticket.created_at, target.first_response, pauses, now, stopped_at=ticket.first_response_at
        ),
        resolution=sla.clock_state(
            calendar, ticket.created_at, target.resolution, pauses, now, stopped_at=_resolved_at(ticket)
        ),
        policy=policy,
        target=target,
    )


def _resolved_at(ticket: Ticket) -> datetime | None:
    return ticket.resolved_at if ticket.status in (Status.RESOLVED, Status.CLOSED) else None


def due_times(ticket: Ticket, *, now: datetime | None = None) -> tuple[datetime | None, datetime | None]:
    """The due times to store: None for a clock that has stopped or is paused."""
    clocks = ticket_clocks(ticket, now=now)
    first = None if clocks.first_response.stopped else clocks.first_response.due_at
    resolution = None if clocks.resolution.stopped else clocks.resolution.due_at
    return first, resolution
