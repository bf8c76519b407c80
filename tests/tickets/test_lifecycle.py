"""The ticket lifecycle through its services: tiers, statuses, clocks, events, reopening."""

from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import timezone

from kbportal.accounts.roles import Role
from tests.accounts.factories import StaffFactory
from tests.tickets.factories import TicketFactory
from tickets import services
from tickets.models import Channel, EventKind, Priority, SlaPause, Status, Ticket

pytestmark = pytest.mark.django_db


def _kinds(ticket: Ticket) -> list[str]:
    return list(ticket.events.values_list("kind", flat=True))


def test_a_new_ticket_starts_at_tier_1_with_due_times_and_the_least_loaded_agent(agent1, enterprise_customer):
    TicketFactory(requester=enterprise_customer)  # goes to agent1, who is now the busier agent
    free = StaffFactory(username="agent-free", role=Role.AGENT_TIER_1)

    ticket = TicketFactory(requester=enterprise_customer, proposed_priority=Priority.P1)

    assert (ticket.tier, ticket.status, ticket.channel) == (1, Status.NEW, Channel.WEB)
    assert ticket.assignee == free
    assert ticket.plan == "enterprise"
    assert ticket.first_response_due_at == ticket.created_at + timedelta(minutes=15)
    assert ticket.resolution_due_at == ticket.created_at + timedelta(hours=2)
    assert _kinds(ticket)[:2] == [EventKind.CREATED, EventKind.ASSIGNEE]


def test_away_agents_get_no_new_tickets(agent1, customer):
    services.agent_set_away(agent=agent1, away=True)

    assert TicketFactory(requester=customer).assignee is None


def test_automatic_assignment_can_be_switched_off(agent1, customer, settings):
    settings.KBPORTAL_AUTO_ASSIGN = False

    assert TicketFactory(requester=customer).assignee is None


def test_customers_without_organisation_get_basic_service_levels(customer):
    ticket = TicketFactory(requester=customer)

    assert ticket.plan == "basic"
    assert ticket.organisation is None


def test_the_first_public_staff_reply_stops_the_first_response_clock(agent1, customer):
    ticket = TicketFactory(requester=customer)

    services.ticket_reply(ticket=ticket, author=agent1, body="Looking into it", internal=True)
    ticket.refresh_from_db()
    assert ticket.first_response_at is None

    services.ticket_reply(ticket=ticket, author=agent1, body="Could you send the log?")
    ticket.refresh_from_db()
    assert ticket.first_response_at is not None
    assert ticket.first_response_due_at is None  # stopped clocks have no due time
    assert ticket.status == Status.OPEN


def test_waiting_on_the_customer_pauses_the_clock_and_their_reply_resumes_it(agent1, enterprise_customer):
    ticket = TicketFactory(requester=enterprise_customer)

    services.ticket_reply(ticket=ticket, author=agent1, body="Which version?", then_status=Status.WAITING)
    ticket.refresh_from_db()
    assert ticket.status == Status.WAITING
    assert ticket.resolution_due_at is None
    assert SlaPause.objects.filter(ticket=ticket, ended_at__isnull=True).exists()

    services.ticket_reply(ticket=ticket, author=enterprise_customer, body="4.2")
    ticket.refresh_from_db()
    assert ticket.status == Status.OPEN
    assert ticket.resolution_due_at is not None
    assert not SlaPause.objects.filter(ticket=ticket, ended_at__isnull=True).exists()


def test_a_paused_hour_moves_the_due_time_by_an_hour(agent1, enterprise_customer):
    ticket = TicketFactory(requester=enterprise_customer, proposed_priority=Priority.P3)
    created = timezone.now() - timedelta(hours=3)
    Ticket.objects.filter(pk=ticket.pk).update(created_at=created)
    services.ticket_set_status(ticket=ticket, status=Status.WAITING, by=agent1)
    SlaPause.objects.filter(ticket=ticket).update(started_at=timezone.now() - timedelta(hours=1))

    services.ticket_set_status(ticket=ticket, status=Status.OPEN, by=agent1)

    ticket.refresh_from_db()
    # Enterprise P3: 48 h around the clock, plus the hour spent waiting on the customer.
    assert abs(ticket.resolution_due_at - (created + timedelta(hours=49))) < timedelta(seconds=5)


def test_changing_priority_recomputes_due_times_from_creation(agent1, enterprise_customer):
    ticket = TicketFactory(requester=enterprise_customer, proposed_priority=Priority.P4)

    services.ticket_set_priority(ticket=ticket, priority=Priority.P1, by=agent1, reason="Production is down")

    ticket.refresh_from_db()
    assert ticket.resolution_due_at == ticket.created_at + timedelta(hours=2)
    event = ticket.events.filter(kind=EventKind.PRIORITY).get()
    assert (event.actor, event.reason) == (agent1, "Production is down")
    assert ticket.events.filter(kind=EventKind.DUE).exists()


def test_a_plan_change_recomputes_due_times(agent1, customer):
    ticket = TicketFactory(requester=customer, proposed_priority=Priority.P1)

    services.ticket_change_plan(ticket=ticket, plan="enterprise", by=agent1, reason="Upgraded")

    ticket.refresh_from_db()
    assert ticket.first_response_due_at == ticket.created_at + timedelta(minutes=15)


@pytest.mark.parametrize("reason", ["", "   "])
def test_escalation_needs_a_reason(agent1, customer, reason):
    ticket = TicketFactory(requester=customer)

    with pytest.raises(ValidationError, match="Say why"):
        services.ticket_escalate(ticket=ticket, to_tier=2, reason=reason, by=agent1)

    ticket.refresh_from_db()
    assert ticket.tier == 1


def test_escalation_and_hand_back_are_events_and_reassign_within_the_tier(agent1, agent2, customer):
    ticket = TicketFactory(requester=customer)

    services.ticket_escalate(ticket=ticket, to_tier=2, reason="Needs a database expert", by=agent1)
    ticket.refresh_from_db()
    assert (ticket.tier, ticket.assignee) == (2, agent2)

    services.ticket_escalate(ticket=ticket, to_tier=1, reason="Workaround found, customer education", by=agent2)
    ticket.refresh_from_db()
    assert (ticket.tier, ticket.assignee) == (1, agent1)
    tiers = ticket.events.filter(kind=EventKind.TIER).values_list("values", flat=True)
    assert list(tiers) == [
        {"from": 1, "to": 2, "reason": "Needs a database expert"},
        {"from": 2, "to": 1, "reason": "Workaround found, customer education"},
    ]


def test_assigning_outside_the_tier_is_refused(agent2, customer):
    ticket = TicketFactory(requester=customer)

    with pytest.raises(ValidationError, match="agent of its tier"):
        services.ticket_assign(ticket=ticket, assignee=agent2, by=agent2)


def test_customers_cannot_write_internal_notes(customer):
    ticket = TicketFactory(requester=customer)

    with pytest.raises(ValidationError):
        services.ticket_reply(ticket=ticket, author=customer, body="sneaky", internal=True)


def test_internal_notes_send_no_mail(agent1, customer, django_capture_on_commit_callbacks):
    ticket = TicketFactory(requester=customer)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        services.ticket_reply(ticket=ticket, author=agent1, body="CANARY internal", internal=True)

    assert mail.outbox == []


def test_mails_leave_only_after_commit(customer, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        TicketFactory(requester=customer)

    assert mail.outbox == []
    assert len(callbacks) >= 1


def test_a_customer_reply_reopens_within_the_window(agent1, customer):
    ticket = TicketFactory(requester=customer)
    services.ticket_resolve(ticket=ticket, by=agent1)

    services.ticket_reply(ticket=ticket, author=customer, body="It is back")

    ticket.refresh_from_db()
    assert ticket.status == Status.OPEN
    assert EventKind.REOPENED in _kinds(ticket)


def test_after_the_window_a_reply_is_refused_and_a_follow_up_links_back(agent1, customer):
    ticket = TicketFactory(requester=customer)
    services.ticket_resolve(ticket=ticket, by=agent1)
    Ticket.objects.filter(pk=ticket.pk).update(resolved_at=timezone.now() - timedelta(days=8))
    ticket.refresh_from_db()

    with pytest.raises(ValidationError, match="too long ago"):
        services.ticket_reply(ticket=ticket, author=customer, body="It is back")
    with pytest.raises(ValidationError):
        services.ticket_reopen(ticket=ticket, by=customer)
    follow_up = services.ticket_follow_up(ticket=ticket, by=customer, description="Same crash again")

    assert follow_up.previous_ticket == ticket
    assert follow_up.tier == 1
    assert ticket.reference in follow_up.subject


def test_resolving_records_the_time_and_mails_the_survey_link(agent1, customer, django_capture_on_commit_callbacks):
    ticket = TicketFactory(requester=customer)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        services.ticket_resolve(ticket=ticket, by=agent1)

    ticket.refresh_from_db()
    assert ticket.resolved_at is not None
    assert ticket.resolution_due_at is None
    assert len(mail.outbox) == 1
    assert "/survey/" in mail.outbox[0].body


def test_a_resolved_ticket_becomes_a_draft_article_linked_both_ways(agent1, customer):
    from articles.models import Status as ArticleStatus
    from tests.articles.factories import CategoryFactory

    ticket = TicketFactory(requester=customer)
    services.ticket_reply(ticket=ticket, author=agent1, body="## Fix\n\nClear the cache folder.")
    services.ticket_resolve(ticket=ticket, by=agent1)

    article = services.ticket_to_draft_article(ticket=ticket, by=agent1, category=CategoryFactory())

    assert article.status == ArticleStatus.DRAFT
    assert article.title == ticket.subject
    assert "Clear the cache folder." in article.body
    assert list(article.source_tickets.all()) == [ticket]
    assert EventKind.ARTICLE in _kinds(ticket)


def test_an_unresolved_ticket_cannot_become_an_article(agent1, customer):
    ticket = TicketFactory(requester=customer)

    with pytest.raises(ValidationError, match="Resolve the ticket"):
        services.ticket_to_draft_article(ticket=ticket, by=agent1)


def test_moving_an_organisation_to_another_plan_updates_its_open_tickets(agent1):
    from tests.tickets.factories import MembershipFactory, OrganisationFactory

    organisation = OrganisationFactory(plan="basic", time_zone="UTC")
    ticket = TicketFactory(requester=MembershipFactory(organisation=organisation).user, proposed_priority=Priority.P1)

    assert services.organisation_set_plan(organisation=organisation, plan="enterprise", by=agent1) == 1

    ticket.refresh_from_db()
    assert ticket.plan == "enterprise"
    assert ticket.first_response_due_at == ticket.created_at + timedelta(minutes=15)


def test_editing_a_policy_recomputes_open_tickets(enterprise_customer):
    from tickets.jobs import refresh_all_due_times
    from tickets.models import SlaTarget

    ticket = TicketFactory(requester=enterprise_customer, proposed_priority=Priority.P2)
    SlaTarget.objects.filter(policy__plan="enterprise", priority=2).update(first_response_minutes=30)

    assert refresh_all_due_times() == 1

    ticket.refresh_from_db()
    assert ticket.first_response_due_at == ticket.created_at + timedelta(minutes=30)


def test_the_article_admin_links_back_to_the_ticket(admin_client, agent1, customer):
    from django.urls import reverse

    from tests.articles.factories import CategoryFactory

    ticket = TicketFactory(requester=customer)
    services.ticket_resolve(ticket=ticket, by=agent1)
    article = services.ticket_to_draft_article(ticket=ticket, by=agent1, category=CategoryFactory())

    page = admin_client.get(reverse("admin:articles_article_change", args=[article.pk])).content.decode()

    assert ticket.reference in page
