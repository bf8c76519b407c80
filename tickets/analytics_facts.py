"""The facts the service dashboard aggregates, kept on the ticket so percentiles are index walks, not Python.

Durations are what the service-level clocks count (``sla.clock_state`` on the ticket's calendar, in its
organisation's time zone, less the time spent waiting on the customer), taken where each clock stopped:
``first_response_at`` and ``resolved_at``. They are measured against the targets of the ticket's current
plan and priority, like the staff page's Met/Missed badges, so the services refresh them when a clock stops
and when the priority or the plan changes. Tallies grow with ``F()`` in the services; here they are counted
again from the ticket's events.

The same functions serve the services (live), the data migration (historical models, duck-typed: only
fields and related managers are used, never model methods or properties) and ``manage.py fill_ticket_facts``
(after editing a policy, a calendar or its holidays, which changes what a clock counts).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import astuple, dataclass, fields
from datetime import datetime, timedelta
from functools import cache

from django.conf import settings
from django.db import transaction
from django.utils import translation

from . import clocks, sla
from .models import Event, EventKind, Plan, SlaPolicy, Status, Ticket, Tier

_ONE_SECOND = timedelta(seconds=1)
_RESOLVED_STATUSES = (Status.RESOLVED, Status.CLOSED)


@dataclass(frozen=True)
class ClockFacts:
    """The four clock facts of a ticket, in the order and with the names of its fields."""

    first_response_seconds: int | None = None
    first_response_met: bool | None = None
    resolution_seconds: int | None = None
    resolution_met: bool | None = None


CLOCK_FACT_FIELDS = tuple(field.name for field in fields(ClockFacts))
TALLY_FIELDS = ("escalation_count", "reopen_count")


def stopped_clock(
    calendar: sla.BusinessCalendar, started_at: datetime, target: timedelta, pauses: Sequence[sla.Pause],
    stopped_at: datetime | None,
) -> tuple[int | None, bool | None]:  # fmt: skip
    """(whole seconds counted, met) of a clock that stopped at ``stopped_at``; (None, None) while it runs.

    Met is ``not ClockState.breached``: the counted time stayed within the target and the due moment had
    not passed, exactly as the staff page shows a stopped clock.
    """
    if stopped_at is None:
        return None, None
    state = sla.clock_state(calendar, started_at, target, pauses, now=stopped_at, stopped_at=stopped_at)
    counted = target - state.remaining
    return max(0, counted // _ONE_SECOND), not state.breached


def clock_facts(ticket, policy) -> ClockFacts:
    """The clock facts of ``ticket`` under ``policy`` (the policy of its plan, calendar and targets loaded).

    The resolution facts follow ``resolved_at``: kept while a reopened ticket is worked again, replaced
    when it is resolved again (the clock then counts from creation to the new resolution, pauses excepted).
    """
    calendar = clocks.business_calendar(policy, time_zone=clocks.ticket_time_zone(ticket))
    # The minute fields, not SlaTarget's timedelta properties: historical models have no properties.
    target = next(target for target in policy.targets.all() if target.priority == ticket.priority)
    pauses = clocks.pauses_of(ticket)
    first = stopped_clock(
        calendar, ticket.created_at, timedelta(minutes=target.first_response_minutes), pauses, ticket.first_response_at
    )
    resolution = stopped_clock(
        calendar, ticket.created_at, timedelta(minutes=target.resolution_minutes), pauses, ticket.resolved_at
    )
    return ClockFacts(*first, *resolution)


def refresh_clock_facts(ticket: Ticket, *, policy: SlaPolicy | None = None) -> list[str]:
    """Set the ticket's clock facts from its current state; returns the names of the fields that changed.

    The caller saves them (with its own fields, in one UPDATE). Costs no query while neither clock has
    stopped; otherwise the policy and the pauses are read.
    """
    if ticket.first_response_at is None and ticket.resolved_at is None:
        facts = ClockFacts()
    else:
        facts = clock_facts(ticket, policy or clocks.policy_for(ticket.plan))
    return _assign(ticket, CLOCK_FACT_FIELDS, astuple(facts))


def tallies_from_events(events: Iterable[tuple[str, object, object]]) -> tuple[int, int]:
    """(escalations, reopenings) in a ticket's (kind, from, to) events, oldest first, from and to as codes.

    An escalation is a move to a higher tier (a hand-back to a lower tier is not); a reopening is a move from
    resolved or closed back to new, open or waiting, by the customer's reopen or reply or by staff.
    """
    escalations = reopenings = 0
    for kind, before, after in events:
        if kind == EventKind.TIER:
            escalations += int(isinstance(before, int) and isinstance(after, int) and after > before)
        elif kind == EventKind.STATUS:
            reopenings += int(before in _RESOLVED_STATUSES and after in Status.active())
    return escalations, reopenings


def fill_ticket_facts(
    *, ticket_model=Ticket, policy_model=SlaPolicy, event_model=Event, pks: Iterable[int] | None = None,
    batch_size: int = 500,
) -> int:  # fmt: skip
    """Recompute every analytics fact of the tickets (all, or ``pks``) from their timestamps, pauses and events.

    Idempotent; returns how many tickets changed. Each batch is one transaction with its tickets locked, so
    a reply or an escalation arriving meanwhile waits instead of being overwritten. Pass historical models
    from a data migration.
    """
    policies = {
        policy.plan: policy
        for policy in policy_model.objects.select_related("calendar").prefetch_related("calendar__holidays", "targets")
    }
    ids = ticket_model.objects.order_by("pk")
    if pks is not None:
        ids = ids.filter(pk__in=list(pks))
    ids = list(ids.values_list("pk", flat=True))
    changed = 0
    for start in range(0, len(ids), batch_size):
        chunk = ids[start : start + batch_size]
        with transaction.atomic():
            changed += _fill_batch(ticket_model, event_model, policies, chunk)
    return changed


def _fill_batch(ticket_model, event_model, policies: dict, pks: list[int]) -> int:
    tickets = list(
        ticket_model.objects.select_for_update(of=("self",))
        .filter(pk__in=pks)
        # The calendar's time zone comes from the organisation and the clocks need the pauses: one query each.
        .select_related("organisation")
        .prefetch_related("pauses")
        .order_by("pk")
    )
    events = defaultdict(list)
    for ticket_id, *event in _tier_and_status_changes(event_model, pks):
        events[ticket_id].append(event)
    stale = []
    for ticket in tickets:
        has_stopped = ticket.first_response_at is not None or ticket.resolved_at is not None
        facts = clock_facts(ticket, policies.get(ticket.plan) or policies[Plan.BASIC]) if has_stopped else ClockFacts()
        changed = _assign(ticket, CLOCK_FACT_FIELDS, astuple(facts))
        changed += _assign(ticket, TALLY_FIELDS, tallies_from_events(events[ticket.pk]))
        if changed:
            stale.append(ticket)
    ticket_model.objects.bulk_update(stale, [*CLOCK_FACT_FIELDS, *TALLY_FIELDS])
    return len(stale)


def _tier_and_status_changes(event_model, pks: list[int]) -> Iterable[tuple[int, str, object, object]]:
    """(ticket, kind, from, to) of the tickets' tier and status events, oldest first, from and to as codes."""
    events = event_model.objects.filter(ticket_id__in=pks, kind__in=[EventKind.TIER, EventKind.STATUS]).order_by(
        "created_at", "pk"
    )
    if any(field.name == "values" for field in event_model._meta.get_fields()):
        for ticket_id, kind, values in events.values_list("ticket_id", "kind", "values"):
            yield ticket_id, kind, values.get("from"), values.get("to")
        return
    # The historical model of migration 0008: before 0011 events held display labels in the language of whoever
    # made the change, so labels are read back in every configured language.
    tiers, statuses = _labels(Tier), _labels(Status)
    for ticket_id, kind, before, after in events.values_list("ticket_id", "kind", "from_value", "to_value"):
        labels = tiers if kind == EventKind.TIER else statuses
        yield ticket_id, kind, labels.get(before), labels.get(after)


def _assign(ticket, names: Sequence[str], values: Sequence) -> list[str]:
    """Set the fields whose value differs; returns their names."""
    changed = []
    for name, value in zip(names, values, strict=True):
        if getattr(ticket, name) != value:
            setattr(ticket, name, value)
            changed.append(name)
    return changed


@cache
def _labels(choices) -> dict[str, int | str]:
    """Every display label of ``choices`` in every configured language, mapped to its value."""
    labels = {}
    for language, _name in settings.LANGUAGES:
        with translation.override(language):
            labels.update({str(label): value for value, label in choices.choices})
    return labels
