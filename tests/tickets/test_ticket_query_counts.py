"""The work queue, the customer's list and the ticket pages cost the same queries for few or many rows."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from kbportal.accounts.roles import Role
from tests.accounts.factories import StaffFactory, UserFactory
from tests.queries import page_queries
from tests.tickets.factories import MembershipFactory, OrganisationFactory, TicketFactory
from tickets import services

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 16


@pytest.fixture
def desk():
    organisation = OrganisationFactory()
    admin = MembershipFactory(organisation=organisation, is_admin=True).user
    agents = [StaffFactory(username=f"agent{n}", role=Role.AGENT_TIER_1) for n in range(3)]
    return {"organisation": organisation, "admin": admin, "agents": agents}


def _open_tickets(desk, count: int) -> None:
    for n in range(count):
        member = MembershipFactory(organisation=desk["organisation"]).user if n % 2 else desk["admin"]
        ticket = TicketFactory(requester=member, proposed_priority=1 + n % 4)
        services.ticket_reply(ticket=ticket, author=desk["agents"][n % 3], body="Looking", then_status="waiting"
                              if n % 3 == 0 else None)  # fmt: skip


def test_lists_cost_the_same_for_5_and_50_tickets(client, desk):
    manager = StaffFactory(username="boss", role=Role.SUPPORT_MANAGER)
    counts = []
    for total in (5, 50):
        _open_tickets(desk, total - (5 if counts else 0))
        client.force_login(desk["admin"])
        customer = {
            "mine": page_queries(client, reverse("tickets:list")),
            "organisation": page_queries(client, reverse("tickets:list") + "?scope=organisation"),
            "api": page_queries(client, "/api/v1/tickets/?page_size=100"),
        }
        client.force_login(manager)
        staff = {
            "queue": page_queries(client, reverse("tickets:queue")),
            "queue filtered": page_queries(client, reverse("tickets:queue") + "?sla=due-soon&priority=1&priority=2"),
            "api": page_queries(client, "/api/v1/tickets/?page_size=100"),
            "api filtered": page_queries(client, "/api/v1/tickets/?page_size=100&sla=due-soon&priority=1&priority=2"),
            "admin": page_queries(client, reverse("admin:tickets_ticket_changelist")),
        }
        counts.append((customer, staff))

    assert counts[0] == counts[1]


def test_a_ticket_page_costs_the_same_with_5_and_100_messages(client, desk):
    requester = desk["admin"]
    ticket = TicketFactory(requester=requester)
    agent = ticket.assignee or desk["agents"][0]
    counts = []
    for total in (5, 100):
        for n in range(total - (5 if counts else 0)):
            author = agent if n % 2 else requester
            services.ticket_reply(
                ticket=ticket, author=author, body=f"Message {n}", internal=author == agent and n % 4 == 1,
                attachments=[SimpleUploadedFile(f"shot{n}.png", PNG)] if n % 5 == 0 else [],
            )  # fmt: skip
        client.force_login(requester)
        customer_page = page_queries(client, ticket.get_absolute_url())
        client.force_login(agent)
        staff_page = page_queries(client, reverse("tickets:staff_detail", args=[ticket.reference]))
        client.force_login(requester)
        api = page_queries(client, f"/api/v1/tickets/{ticket.reference}/messages/")
        counts.append({"customer": customer_page, "staff": staff_page, "api messages": api})

    assert counts[0] == counts[1]


def test_the_work_queue_stays_small(client, desk):
    _open_tickets(desk, 10)
    client.force_login(desk["agents"][0])

    assert page_queries(client, reverse("tickets:queue")) <= 12


def test_a_customer_in_no_organisation_has_a_plain_list(client):
    customer = UserFactory()
    client.force_login(customer)

    assert page_queries(client, reverse("tickets:list")) <= 8


def _surveyed_tickets(count: int) -> None:
    """Tickets of new customers in new organisations, each with a low survey score and its follow-up case."""
    from tickets import surveys
    from tickets.models import SurveyResponse

    for _n in range(count):
        ticket = TicketFactory(requester=MembershipFactory().user)
        response = SurveyResponse.objects.create(
            ticket=ticket, respondent=ticket.requester, csat=1, response_speed=1, resolution=1, expertise=1,
            attitude=1, follow_up=1, service_index=0, ces=5,
        )  # fmt: skip
        surveys.follow_up_open(response=response)


ADMIN_CHANGELISTS = ["tickets_ticket", "tickets_surveyresponse", "tickets_followupcase", "accounts_user",
                     "tickets_organisation", "tickets_organisationmembership"]  # fmt: skip


def test_admin_changelists_cost_the_same_for_5_and_50_tickets_for_agents_and_managers(client, desk):
    """Scoped for the agent (a subquery, not a query per row), unscoped for the manager."""
    manager = StaffFactory(username="boss", role=Role.SUPPORT_MANAGER)
    agent = desk["agents"][0]
    counts = []
    for total in (5, 50):
        new = total - (5 if counts else 0)
        _open_tickets(desk, new)
        _surveyed_tickets(new)
        row = {}
        for user in (agent, manager):
            client.force_login(user)
            for name in ADMIN_CHANGELISTS:
                if user is agent and name == "tickets_followupcase":
                    continue  # the managers' alone
                row[f"{user.username} {name}"] = page_queries(client, reverse(f"admin:{name}_changelist"))
        counts.append(row)

    assert counts[0] == counts[1]


def _change_hands(ticket, agents, manager, rounds: int) -> None:
    """Events by several people and by the system: priorities, statuses, tiers (each with its reassignment)."""
    from tickets.models import Status

    for n in range(rounds):
        by = (agents[n % 3], manager)[n % 2]
        services.ticket_set_priority(ticket=ticket, priority=1 + n % 4, by=by, reason=f"Round {n}")
        services.ticket_set_status(ticket=ticket, status=(Status.WAITING, Status.OPEN)[n % 2], by=by)
        services.ticket_escalate(ticket=ticket, to_tier=1 + (n + 1) % 3, reason=f"Round {n}", by=by)


def test_a_timeline_costs_the_same_with_few_and_many_events_on_every_channel(client, desk):
    """The sentences come from each event's own codes: no query per event, whoever reads it in any language."""
    from kbportal.helpcenter.guest import guest_token

    manager = StaffFactory(username="boss", role=Role.SUPPORT_MANAGER)
    StaffFactory(username="second", role=Role.AGENT_TIER_2)
    StaffFactory(username="third", role=Role.AGENT_TIER_3)
    requester = desk["admin"]
    ticket = TicketFactory(requester=requester)
    counts = []
    for rounds in (2, 6):
        _change_hands(ticket, desk["agents"], manager, rounds - (2 if counts else 0))
        # Read in Chinese, the events written in English: the words are made at reading, from codes alone.
        client.defaults["HTTP_ACCEPT_LANGUAGE"] = "zh-hans"
        client.force_login(requester)
        row = {
            "customer": page_queries(client, ticket.get_absolute_url()),
            "customer api": page_queries(client, f"/api/v1/tickets/{ticket.reference}/events/"),
        }
        client.force_login(manager)
        row["staff"] = page_queries(client, reverse("tickets:staff_detail", args=[ticket.reference]))
        row["staff api"] = page_queries(client, f"/api/v1/tickets/{ticket.reference}/events/")
        row["admin"] = page_queries(client, reverse("admin:tickets_ticket_change", args=[ticket.pk]))
        client.logout()
        row["guest"] = page_queries(client, reverse("helpcenter:guest_ticket", args=[guest_token(ticket)]))
        counts.append(row)

    assert ticket.events.count() > 40
    assert counts[0] == counts[1]
