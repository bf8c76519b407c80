"""The periodic service-level check: warn before a breach, record breaches, close old resolved tickets.

Idempotent: each warning and each breach is recorded once (a timestamp on the
ticket), so running the job twice, or from two workers, changes nothing more.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from . import notifications
from .models import EventCause, EventKind, Priority, SlaClock, SlaPolicy, Status, Ticket
from .services import _record, iso_moment, ticket_set_priority, ticket_set_status


@dataclass
class SlaCheckReport:
    warned: int = 0
    breached: int = 0
    raised: int = 0
    closed: int = 0

    def __str__(self) -> str:
        return f"{self.warned} warned, {self.breached} breached, {self.raised} raised in priority, {self.closed} closed"


# The two clocks: the due-time field, the "fulfilled" field, and the flags the job sets.
_CLOCKS = {
    SlaClock.FIRST_RESPONSE: ("first_response_due_at", "first_response_at", "first_response_warned_at",
                              "first_response_breached_at"),
    SlaClock.RESOLUTION: ("resolution_due_at", "resolved_at", "resolution_warned_at", "resolution_breached_at"),
}  # fmt: skip


def sla_check(*, now: datetime | None = None) -> SlaCheckReport:
    now = now or timezone.now()
    report = SlaCheckReport()
    policies = {policy.plan: policy for policy in SlaPolicy.objects.all()}
    longest_warning = timedelta(minutes=max((p.warn_before_minutes for p in policies.values()), default=0))
    for clock, (due_field, _done_field, warned_field, breached_field) in _CLOCKS.items():
        pending = Q(**{f"{due_field}__lte": now + longest_warning}) & (
            Q(**{f"{warned_field}__isnull": True}) | Q(**{f"{breached_field}__isnull": True})
        )
        for pk in Ticket.objects.active().filter(pending).values_list("pk", flat=True).iterator():
            _check_ticket(pk, clock, now, policies, report)
    report.closed = close_resolved_tickets(now=now)
    return report


@transaction.atomic
def _check_ticket(pk: int, clock: str, now: datetime, policies: dict, report: SlaCheckReport) -> None:
    due_field, _done_field, warned_field, breached_field = _CLOCKS[clock]
    ticket = Ticket.objects.select_for_update(of=("self",)).select_related("assignee").filter(pk=pk).active().first()
    due = getattr(ticket, due_field) if ticket else None
    if due is None:
        return
    policy = policies.get(ticket.plan)
    warn_before = timedelta(minutes=policy.warn_before_minutes if policy else 0)
    if now >= due and getattr(ticket, breached_field) is None:
        _breach(ticket, clock, due, now, policy, report)
    elif now >= due - warn_before and getattr(ticket, warned_field) is None:
        setattr(ticket, warned_field, now)
        ticket.save(update_fields=[warned_field])
        _record(ticket, EventKind.SLA_WARNING, by=None, values={"clock": clock, "due": iso_moment(due)})
        notifications.sla_warning(ticket, clock=SlaClock(clock).label, due_at=due)
        report.warned += 1


def _breach(ticket: Ticket, clock: str, due, now, policy: SlaPolicy | None, report: SlaCheckReport) -> None:
    _due_field, _done_field, warned_field, breached_field = _CLOCKS[clock]
    setattr(ticket, breached_field, now)
    if getattr(ticket, warned_field) is None:
        setattr(ticket, warned_field, now)  # no warning after the fact
    ticket.save(update_fields=[breached_field, warned_field])
    _record(ticket, EventKind.SLA_BREACH, by=None, values={"clock": clock, "due": iso_moment(due)})
    notifications.sla_breached(ticket, clock=SlaClock(clock).label, due_at=due)
    report.breached += 1
    if clock == SlaClock.RESOLUTION and policy and policy.raise_priority_on_breach and ticket.priority > Priority.P2:
        ticket_set_priority(ticket=ticket, priority=ticket.priority - 1, by=None, reason=EventCause.RESOLUTION_MISSED)
        report.raised += 1


def close_resolved_tickets(*, now: datetime | None = None) -> int:
    """Close tickets resolved longer ago than the reopen window: after that, replies open a new ticket."""
    cutoff = (now or timezone.now()) - timedelta(days=settings.KBPORTAL_REOPEN_DAYS)
    closed = 0
    for ticket in Ticket.objects.filter(status=Status.RESOLVED, resolved_at__lt=cutoff).iterator():
        ticket_set_status(ticket=ticket, status=Status.CLOSED, by=None, reason=EventCause.REOPEN_WINDOW)
        closed += 1
    return closed


def refresh_all_due_times() -> int:
    """Recompute the due times of every active ticket, e.g. after editing a policy or a calendar."""
    from .services import _refresh_due_times

    count = 0
    for ticket in Ticket.objects.active().select_related("organisation").iterator():
        with transaction.atomic():
            _refresh_due_times(ticket, by=None, reason=EventCause.SERVICE_LEVELS)
        count += 1
    return count
