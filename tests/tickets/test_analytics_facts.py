"""The facts the service dashboard reads from each ticket, worked out by hand.

Every ticket here belongs to a Professional organisation in Berlin: business hours Monday to Friday
09:00–18:00 Berlin time; P2 targets 4 business hours to the first response and 24 to resolution (P4: 24
and 120, P1: 2 and 8). The reference week is 3–7 March 2025, Monday to Friday, before Berlin changes
to summer time. The clock fixture stands in for ``timezone.now()``, so every step happens at the local
moment the test says.
"""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.db.models import Count, Q
from django.utils import timezone, translation

from tests.tickets.factories import MembershipFactory, OrganisationFactory, TicketFactory
from tickets import clocks, services
from tickets.analytics_facts import CLOCK_FACT_FIELDS, TALLY_FIELDS, fill_ticket_facts
from tickets.models import Priority, Status, Ticket, Tier

pytestmark = pytest.mark.django_db

BERLIN = ZoneInfo("Europe/Berlin")
HOUR = 3600
FACTS = (*CLOCK_FACT_FIELDS, *TALLY_FIELDS)


class Clock:
    def __init__(self) -> None:
        self.moment = datetime(2025, 3, 3, 9, tzinfo=UTC)

    def at(self, text: str) -> None:
        """Move to the Berlin wall-clock time ``text``, e.g. "2025-03-07 17:00" (a Friday)."""
        self.moment = datetime.fromisoformat(text).replace(tzinfo=BERLIN).astimezone(UTC)


@pytest.fixture
def clock(monkeypatch):
    stand_in = Clock()
    monkeypatch.setattr(timezone, "now", lambda: stand_in.moment)
    return stand_in


@pytest.fixture
def berliner(db):
    organisation = OrganisationFactory(plan="professional", time_zone="Europe/Berlin")
    return MembershipFactory(organisation=organisation).user


def _open(clock: Clock, requester, when: str, priority: int = Priority.P2) -> Ticket:
    clock.at(when)
    return TicketFactory(requester=requester, proposed_priority=priority)


def _reply(clock: Clock, ticket: Ticket, author, when: str, **options) -> Ticket:
    clock.at(when)
    services.ticket_reply(ticket=ticket, author=author, body="Here is what we found.", **options)
    return Ticket.objects.get(pk=ticket.pk)


def _status(clock: Clock, ticket: Ticket, by, when: str, status: str) -> Ticket:
    clock.at(when)
    services.ticket_set_status(ticket=ticket, status=status, by=by)
    return Ticket.objects.get(pk=ticket.pk)


def _facts(ticket: Ticket) -> dict:
    return {name: getattr(ticket, name) for name in FACTS}


# --- First response --------------------------------------------------------------------------------


def test_a_new_ticket_has_no_clock_facts_and_no_tallies(clock, agent1, berliner):
    ticket = _open(clock, berliner, "2025-03-07 17:00")

    assert _facts(ticket) == dict.fromkeys(CLOCK_FACT_FIELDS) | dict.fromkeys(TALLY_FIELDS, 0)


def test_first_response_counts_business_hours_only(clock, agent1, berliner):
    ticket = _open(clock, berliner, "2025-03-07 17:00")  # Friday, one business hour left

    ticket = _reply(clock, ticket, agent1, "2025-03-10 10:00")  # Monday, one hour after opening

    assert ticket.first_response_seconds == 2 * HOUR  # 1 h on Friday + 1 h on Monday; the weekend is closed
    assert ticket.first_response_met is True  # P2: 4 business hours
    assert ticket.resolution_seconds is None


def test_internal_notes_and_customer_replies_do_not_stop_the_first_response_clock(clock, agent1, berliner):
    ticket = _open(clock, berliner, "2025-03-03 09:00")
    ticket = _reply(clock, ticket, agent1, "2025-03-03 10:00", internal=True)
    ticket = _reply(clock, ticket, berliner, "2025-03-03 11:00")
    assert ticket.first_response_seconds is None

    ticket = _reply(clock, ticket, agent1, "2025-03-03 12:30")

    assert ticket.first_response_seconds == 3 * HOUR + 30 * 60


@pytest.mark.parametrize(
    ("replied", "seconds", "met"),
    [
        pytest.param("2025-03-03 12:59", 3 * HOUR + 59 * 60, True, id="a-minute-early"),
        pytest.param("2025-03-03 13:00", 4 * HOUR, True, id="exactly-at-the-target"),
        pytest.param("2025-03-03 13:01", 4 * HOUR + 60, False, id="a-minute-late"),
        pytest.param("2025-03-04 09:30", 9 * HOUR + 30 * 60, False, id="next-morning"),
    ],
)
def test_first_response_is_met_within_the_target_and_missed_after_it(clock, agent1, berliner, replied, seconds, met):
    ticket = _open(clock, berliner, "2025-03-03 09:00")

    ticket = _reply(clock, ticket, agent1, replied)

    assert (ticket.first_response_seconds, ticket.first_response_met) == (seconds, met)
    # The periodic check never ran, so the breach time stays empty: the stored flag does not depend on it.
    assert ticket.first_response_breached_at is None


def test_the_facts_are_what_the_staff_page_shows_for_the_stopped_clocks(clock, agent1, berliner):
    ticket = _open(clock, berliner, "2025-03-03 16:00")
    ticket = _reply(clock, ticket, agent1, "2025-03-04 11:00", then_status=Status.WAITING)
    ticket = _reply(clock, ticket, berliner, "2025-03-05 10:00")
    ticket = _status(clock, ticket, agent1, "2025-03-07 17:00", Status.RESOLVED)

    shown = clocks.ticket_clocks(ticket)
    counted_first = shown.target.first_response - shown.first_response.remaining
    counted_resolution = shown.target.resolution - shown.resolution.remaining

    assert (ticket.first_response_seconds, ticket.resolution_seconds) == (
        counted_first.total_seconds(),
        counted_resolution.total_seconds(),
    )
    assert (ticket.first_response_met, ticket.resolution_met) == (
        not shown.first_response.breached,
        not shown.resolution.breached,
    )
    # By hand: Monday 16–18 and Tuesday 09–11; then 37 h to Friday 17:00 less 8 h waiting (Tue 11–18, Wed 09–10).
    assert (ticket.first_response_seconds, ticket.first_response_met) == (4 * HOUR, True)
    assert (ticket.resolution_seconds, ticket.resolution_met) == (29 * HOUR, False)


# --- Resolution ----------------------------------------------------------------------------------------


def test_waiting_on_the_customer_is_not_counted(clock, agent1, berliner):
    ticket = _open(clock, berliner, "2025-03-03 09:00")
    ticket = _reply(clock, ticket, agent1, "2025-03-03 10:00", then_status=Status.WAITING)  # paused
    ticket = _reply(clock, ticket, berliner, "2025-03-03 15:00")  # resumed

    ticket = _status(clock, ticket, agent1, "2025-03-04 11:00", Status.RESOLVED)

    assert ticket.first_response_seconds == 1 * HOUR
    # Monday 09–18 less the 5 h paused (10–15), then Tuesday 09–11.
    assert ticket.resolution_seconds == (9 - 5 + 2) * HOUR
    assert ticket.resolution_met is True  # P2: 24 business hours


def test_resolving_while_waiting_on_the_customer_counts_up_to_the_pause(clock, agent1, berliner):
    ticket = _open(clock, berliner, "2025-03-03 09:00")
    ticket = _reply(clock, ticket, agent1, "2025-03-03 11:00", then_status=Status.WAITING)

    ticket = _status(clock, ticket, agent1, "2025-03-05 12:00", Status.RESOLVED)

    assert ticket.resolution_seconds == 2 * HOUR


def test_resolution_is_missed_after_the_target(clock, agent1, berliner):
    ticket = _open(clock, berliner, "2025-03-03 09:00")
    ticket = _reply(clock, ticket, agent1, "2025-03-03 10:00")

    ticket = _status(clock, ticket, agent1, "2025-03-06 12:00", Status.RESOLVED)

    assert ticket.resolution_seconds == (9 + 9 + 9 + 3) * HOUR  # Monday to Wednesday, Thursday 09–12
    assert ticket.resolution_met is False
    assert ticket.resolution_breached_at is None  # the periodic check never ran


def test_a_reopened_ticket_keeps_its_resolution_until_resolved_again(clock, agent1, berliner):
    ticket = _open(clock, berliner, "2025-03-03 09:00")
    ticket = _reply(clock, ticket, agent1, "2025-03-03 10:00")
    ticket = _status(clock, ticket, agent1, "2025-03-03 12:00", Status.RESOLVED)
    assert (ticket.resolution_seconds, ticket.resolution_met) == (3 * HOUR, True)

    clock.at("2025-03-04 10:00")
    services.ticket_reopen(ticket=ticket, by=berliner, reason="It came back.")
    ticket.refresh_from_db()
    # Like resolved_at, the facts of the last resolution stay while the ticket is worked again.
    assert ticket.status == Status.OPEN
    assert ticket.resolved_at == datetime(2025, 3, 3, 12, tzinfo=BERLIN)
    assert (ticket.resolution_seconds, ticket.resolution_met) == (3 * HOUR, True)

    ticket = _status(clock, ticket, agent1, "2025-03-04 11:00", Status.RESOLVED)

    # The resolution clock runs from creation to the new resolution; the night it sat resolved is closed
    # hours, but Monday 12–18 counts, because the clock is paused only while waiting on the customer.
    assert ticket.resolution_seconds == (9 + 2) * HOUR
    assert ticket.reopen_count == 1


def test_closing_a_resolved_ticket_keeps_its_resolution(clock, agent1, berliner):
    ticket = _open(clock, berliner, "2025-03-03 09:00")
    ticket = _status(clock, ticket, agent1, "2025-03-03 12:00", Status.RESOLVED)

    ticket = _status(clock, ticket, agent1, "2025-03-05 12:00", Status.CLOSED)

    assert (ticket.resolution_seconds, ticket.resolution_met) == (3 * HOUR, True)
    assert ticket.first_response_seconds is None  # resolved without a public reply


def test_a_new_priority_judges_the_stopped_clocks_against_its_targets(clock, agent1, berliner):
    ticket = _open(clock, berliner, "2025-03-03 09:00", priority=Priority.P4)  # 24 h to first response
    ticket = _reply(clock, ticket, agent1, "2025-03-03 12:00")
    assert (ticket.first_response_seconds, ticket.first_response_met) == (3 * HOUR, True)

    clock.at("2025-03-03 13:00")
    services.ticket_set_priority(ticket=ticket, priority=Priority.P1, by=agent1, reason="Production is down")
    ticket.refresh_from_db()

    # The seconds do not change; P1 allows 2 h, as the staff page now shows.
    assert (ticket.first_response_seconds, ticket.first_response_met) == (3 * HOUR, False)
    assert clocks.ticket_clocks(ticket).first_response.breached


def test_a_plan_change_measures_the_stopped_clocks_on_the_new_calendar(clock, agent1, berliner):
    ticket = _open(clock, berliner, "2025-03-07 17:00")
    ticket = _reply(clock, ticket, agent1, "2025-03-10 10:00")
    assert ticket.first_response_seconds == 2 * HOUR

    services.ticket_change_plan(ticket=ticket, plan="enterprise", by=agent1, reason="Upgraded")
    ticket.refresh_from_db()

    # Enterprise runs around the clock: Friday 17:00 to Monday 10:00 is 65 h, over its 1 h for P2.
    assert (ticket.first_response_seconds, ticket.first_response_met) == (65 * HOUR, False)


# --- Escalations and reopenings ---------------------------------------------------------------------------


def test_only_moves_to_a_higher_tier_count_as_escalations(clock, agent1, berliner):
    ticket = _open(clock, berliner, "2025-03-03 09:00")
    moves = [(Tier.TIER_2, 1), (Tier.TIER_1, 1), (Tier.TIER_3, 2), (Tier.TIER_2, 2), (Tier.TIER_3, 3)]

    for to_tier, expected in moves:
        services.ticket_escalate(ticket=ticket, to_tier=to_tier, reason="Needs other hands.", by=agent1)
        ticket.refresh_from_db()
        assert (ticket.tier, ticket.escalation_count) == (to_tier, expected)


def test_every_way_back_from_resolved_or_closed_counts_as_a_reopening(clock, agent1, berliner):
    ticket = _open(clock, berliner, "2025-03-03 09:00")
    ticket = _status(clock, ticket, agent1, "2025-03-03 10:00", Status.RESOLVED)

    clock.at("2025-03-03 11:00")
    services.ticket_reopen(ticket=ticket, by=berliner)  # the customer's reopen button
    ticket = _status(clock, ticket, agent1, "2025-03-03 12:00", Status.RESOLVED)
    ticket = _reply(clock, ticket, berliner, "2025-03-03 13:00")  # a reply within the reopen window
    ticket = _status(clock, ticket, agent1, "2025-03-03 14:00", Status.CLOSED)
    ticket = _status(clock, ticket, agent1, "2025-03-03 15:00", Status.OPEN)  # staff take a closed one back
    assert ticket.reopen_count == 3

    ticket = _status(clock, ticket, agent1, "2025-03-03 16:00", Status.WAITING)
    ticket = _status(clock, ticket, agent1, "2025-03-03 17:00", Status.RESOLVED)
    ticket = _status(clock, ticket, agent1, "2025-03-04 10:00", Status.CLOSED)

    assert ticket.reopen_count == 3  # leaving waiting, or closing, is not a reopening


def test_first_contact_resolution_and_compliance_are_single_aggregates(clock, agent1, agent2, berliner):
    # At tier 1, met: a first-contact resolution.
    quick = _open(clock, berliner, "2025-03-03 09:00")
    _status(clock, quick, agent1, "2025-03-03 10:00", Status.RESOLVED)
    # Escalated and back: resolved at tier 1, but not at first contact; missed.
    bounced = _open(clock, berliner, "2025-03-03 09:00")
    services.ticket_escalate(ticket=bounced, to_tier=Tier.TIER_2, reason="Database question.", by=agent1)
    services.ticket_escalate(ticket=bounced, to_tier=Tier.TIER_1, reason="Answered, back to you.", by=agent2)
    _status(clock, bounced, agent1, "2025-03-07 10:00", Status.RESOLVED)
    # Reopened: not at first contact, met.
    again = _open(clock, berliner, "2025-03-03 09:00")
    _status(clock, again, agent1, "2025-03-03 10:00", Status.RESOLVED)
    clock.at("2025-03-03 11:00")
    services.ticket_reopen(ticket=again, by=berliner)
    _status(clock, again, agent1, "2025-03-03 12:00", Status.RESOLVED)
    # Still open: not measured.
    _open(clock, berliner, "2025-03-03 09:00")

    resolved = Ticket.objects.filter(status__in=[Status.RESOLVED, Status.CLOSED])
    first_contact = resolved.aggregate(
        all=Count("pk"), fcr=Count("pk", filter=Q(tier=Tier.TIER_1, escalation_count=0, reopen_count=0))
    )
    compliance = list(
        Ticket.objects.values("priority", "tier")
        .annotate(measured=Count("resolution_met"), met=Count("pk", filter=Q(resolution_met=True)))
        .order_by("priority", "tier")
    )

    assert first_contact == {"all": 3, "fcr": 1}
    assert compliance == [{"priority": Priority.P2, "tier": Tier.TIER_1, "measured": 3, "met": 2}]


# --- Backfill ------------------------------------------------------------------------------------------------


def _a_busy_week(clock: Clock, agent1, agent2, customer) -> list[Ticket]:
    """Tickets in every state, some changed by staff working in Chinese."""
    waiting = _open(clock, customer, "2025-03-03 09:00")
    _reply(clock, waiting, agent1, "2025-03-03 10:00", then_status=Status.WAITING)
    _reply(clock, waiting, customer, "2025-03-03 15:00")
    _status(clock, waiting, agent1, "2025-03-04 11:00", Status.RESOLVED)

    escalated = _open(clock, customer, "2025-03-07 17:00", priority=Priority.P1)
    _reply(clock, escalated, agent1, "2025-03-10 10:00")
    with translation.override("zh-hans"):
        services.ticket_escalate(ticket=escalated, to_tier=Tier.TIER_2, reason="数据库问题", by=agent1)
        services.ticket_escalate(ticket=escalated, to_tier=Tier.TIER_1, reason="已回答", by=agent2)
        services.ticket_escalate(ticket=escalated, to_tier=Tier.TIER_3, reason="需要工程师", by=agent1)
        _status(clock, escalated, agent1, "2025-03-11 16:00", Status.RESOLVED)
        _status(clock, escalated, agent1, "2025-03-11 17:00", Status.OPEN)
    _status(clock, escalated, agent1, "2025-03-12 10:00", Status.RESOLVED)

    reopened = _open(clock, customer, "2025-03-03 09:00", priority=Priority.P4)
    _status(clock, reopened, agent1, "2025-03-03 12:00", Status.RESOLVED)
    _reply(clock, reopened, customer, "2025-03-04 10:00")
    _status(clock, reopened, agent1, "2025-03-04 11:00", Status.RESOLVED)
    _status(clock, reopened, agent1, "2025-03-05 11:00", Status.CLOSED)

    untouched = _open(clock, customer, "2025-03-05 09:00")
    return [Ticket.objects.get(pk=ticket.pk) for ticket in (waiting, escalated, reopened, untouched)]


def _blank_facts() -> None:
    Ticket.objects.update(**dict.fromkeys(CLOCK_FACT_FIELDS), **dict.fromkeys(TALLY_FIELDS, 0))


def test_the_backfill_gives_the_numbers_the_services_recorded(clock, agent1, agent2, berliner):
    tickets = _a_busy_week(clock, agent1, agent2, berliner)
    live = {ticket.pk: _facts(ticket) for ticket in tickets}
    assert live[tickets[1].pk]["escalation_count"] == 2
    assert live[tickets[1].pk]["reopen_count"] == 1
    assert live[tickets[2].pk]["reopen_count"] == 1
    _blank_facts()

    changed = fill_ticket_facts(batch_size=3)

    assert changed == 3  # the untouched ticket had nothing to fill
    assert {ticket.pk: _facts(ticket) for ticket in Ticket.objects.all()} == live
    assert fill_ticket_facts() == 0  # idempotent


def test_the_data_migration_fills_the_same_numbers_with_historical_models(clock, agent1, agent2, berliner):
    """Historical models are duck-typed (no methods, no properties). Migration 0008 itself ran on events that
    still held words: tests/tickets/test_event_migration.py covers that path."""
    live = {ticket.pk: _facts(ticket) for ticket in _a_busy_week(clock, agent1, agent2, berliner)}
    _blank_facts()
    state = MigrationExecutor(connection).loader.project_state(("tickets", "0013_remove_event_words"))

    fill_ticket_facts(
        ticket_model=state.apps.get_model("tickets", "Ticket"),
        policy_model=state.apps.get_model("tickets", "SlaPolicy"),
        event_model=state.apps.get_model("tickets", "Event"),
    )

    assert {ticket.pk: _facts(ticket) for ticket in Ticket.objects.all()} == live


def test_the_management_command_refills_after_a_policy_edit(clock, agent1, berliner, capsys):
    ticket = _open(clock, berliner, "2025-03-03 09:00")
    ticket = _reply(clock, ticket, agent1, "2025-03-03 14:00")
    assert ticket.first_response_met is False  # 5 h against 4 h
    clocks.policy_for("professional").targets.filter(priority=Priority.P2).update(first_response_minutes=6 * 60)

    call_command("fill_ticket_facts")

    ticket.refresh_from_db()
    assert ticket.first_response_met is True
    assert "1 tickets changed" in capsys.readouterr().out


# --- The dashboard's percentile walk -----------------------------------------------------------------------


def test_a_percentile_is_one_ordered_query_over_the_creation_range(clock, agent1, berliner, django_assert_num_queries):
    for minutes in (30, 90, 10, 240, 60):
        ticket = _open(clock, berliner, "2025-03-04 09:00")
        clock.at(f"2025-03-04 {9 + minutes // 60:02d}:{minutes % 60:02d}")
        services.ticket_reply(ticket=ticket, author=agent1, body="On it.")
    _open(clock, berliner, "2025-03-04 09:00")  # no reply yet: not measured
    created = (datetime(2025, 3, 4, tzinfo=BERLIN), datetime(2025, 3, 5, tzinfo=BERLIN))
    answered = Ticket.objects.filter(created_at__range=created, first_response_seconds__isnull=False)

    with django_assert_num_queries(1):
        median = answered.order_by("first_response_seconds").values_list("first_response_seconds", flat=True)[2]

    assert median == 60 * 60
