"""One FilterSet for the work queue and the tickets API: each filter gives the same tickets on both channels,
at the same cost, and the time rules (breached, due soon, paused) are queryset methods."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from kbportal.accounts.roles import Role
from tests.accounts.factories import StaffFactory
from tests.tickets.factories import MembershipFactory, OrganisationFactory, TicketFactory
from tickets.models import Channel, Priority, Status, Ticket, Tier

pytestmark = pytest.mark.django_db

ACTIVE = "&".join(f"status={status}" for status in Status.active())


@pytest.fixture
def desk():
    """A manager (who sees every ticket) and one ticket for each thing a filter picks out."""
    manager = StaffFactory(username="boss", role=Role.SUPPORT_MANAGER)
    agent = StaffFactory(username="agent-one", role=Role.AGENT_TIER_1)
    organisation = OrganisationFactory(name="Acme")
    now = timezone.now()
    specs = {
        "breached": {"first_response_breached_at": now - timedelta(hours=1)},
        "resolution breached": {"status": Status.OPEN, "resolution_breached_at": now - timedelta(minutes=5)},
        "due soon": {"first_response_due_at": now + timedelta(hours=1), "resolution_due_at": now + timedelta(days=3)},
        "resolution due soon": {
            "first_response_at": now - timedelta(hours=1),
            "first_response_due_at": now + timedelta(minutes=30),  # answered: this clock has stopped
            "resolution_due_at": now + timedelta(minutes=90),
        },
        "answered, due later": {
            "first_response_at": now - timedelta(hours=1),
            "first_response_due_at": now + timedelta(minutes=30),
            "resolution_due_at": now + timedelta(days=2),
        },
        "paused": {"status": Status.WAITING, "first_response_due_at": None, "resolution_due_at": None},
        "urgent": {"priority": Priority.P1},
        "tier 2": {"tier": Tier.TIER_2},
        "assigned": {"assignee_id": agent.pk},
        "unassigned": {"assignee_id": None},
        "by API": {"channel": Channel.API},
        "resolved": {"status": Status.RESOLVED, "resolved_at": now},
        "closed and breached": {"status": Status.CLOSED, "resolution_breached_at": now - timedelta(days=1)},
    }
    tickets = {}
    for name, changes in specs.items():
        requester = MembershipFactory(organisation=organisation).user if name == "urgent" else None
        ticket = TicketFactory(subject=f"Ticket {name}", **({"requester": requester} if requester else {}))
        defaults = {"first_response_due_at": now + timedelta(days=1), "resolution_due_at": now + timedelta(days=3)}
        if name not in ("assigned", "unassigned"):
            defaults["assignee_id"] = manager.pk
        Ticket.objects.filter(pk=ticket.pk).update(**{**defaults, **changes})
        tickets[name] = ticket.reference
    return {"manager": manager, "agent": agent, "organisation": organisation, "tickets": tickets}


def _page(client, query: str) -> set[str]:
    response = client.get(f"{reverse('tickets:queue')}?{query}")
    assert response.status_code == 200
    return {ticket.reference for ticket in response.context["page"].object_list}


def _api(client, query: str) -> set[str]:
    response = client.get(f"/api/v1/tickets/?page_size=100&{query}")
    assert response.status_code == 200, response.content
    return {row["reference"] for row in response.json()["results"]}


def _names(desk, references: set[str]) -> set[str]:
    by_reference = {reference: name for name, reference in desk["tickets"].items()}
    return {by_reference[reference] for reference in references}


FILTERS = {
    "sla=breached": {"breached", "resolution breached"},
    "breached=true": {"breached", "resolution breached"},
    "sla=due-soon": {"due soon", "resolution due soon"},
    "sla=paused": {"paused"},
    f"status={Status.WAITING}&status={Status.RESOLVED}": {"paused", "resolved"},
    f"sla=breached&status={Status.CLOSED}": {"closed and breached"},
    f"priority={Priority.P1}": {"urgent"},
    f"tier={Tier.TIER_2}": {"tier 2"},
    "assignee=none": {"unassigned"},
    f"channel={Channel.API}": {"by API"},
    "q=due+soon": {"due soon", "resolution due soon"},
}


@pytest.mark.parametrize("query", FILTERS)
def test_the_queue_and_the_api_return_the_same_tickets_for_each_filter(client, desk, query):
    client.force_login(desk["manager"])
    # The queue opens on the tickets that still need work; the API lists every status unless asked.
    api_query = query if "status=" in query else f"{query}&{ACTIVE}"

    page, api = _page(client, query), _api(client, api_query)

    assert page == api
    assert _names(desk, page) == FILTERS[query]


def test_assignee_organisation_and_reference_filter_alike_on_both_channels(client, desk):
    client.force_login(desk["agent"])
    Ticket.objects.filter(tier=Tier.TIER_2).update(tier=Tier.TIER_1)  # all in the agent's tier
    urgent = desk["tickets"]["urgent"]

    for query, expected in (
        ("assignee=me", {"assigned"}),
        (f"assignee={desk['agent'].pk}", {"assigned"}),
        (f"organisation={desk['organisation'].pk}", {"urgent"}),
        (f"q={urgent}", {"urgent"}),
        (f"q={urgent.removeprefix('HW-')}", {"urgent"}),
    ):
        page, api = _page(client, query), _api(client, f"{query}&{ACTIVE}")
        assert page == api, query
        assert _names(desk, page) == expected, query
    client.force_login(desk["manager"])
    assert _names(desk, _page(client, "assignee=me")) == _names(desk, _api(client, f"assignee=me&{ACTIVE}"))


def test_unbreached_is_the_complement_of_breached(client, desk):
    client.force_login(desk["manager"])

    breached, unbreached, every = _api(client, "breached=true"), _api(client, "breached=false"), _api(client, "")

    assert breached | unbreached == every
    assert not breached & unbreached


def test_a_filter_the_page_does_not_understand_shows_the_queue_as_it_opens_and_the_api_refuses_it(client, desk):
    client.force_login(desk["manager"])

    page = _page(client, "priority=9&tier=2")
    response = client.get("/api/v1/tickets/?priority=9")

    assert page == set(desk["tickets"].values()) - {
        desk["tickets"][name] for name in ("resolved", "closed and breached")
    }
    assert response.status_code == 400
    assert "priority" in response.json()


@pytest.mark.parametrize("suffix", [".5", "e0", "th"])
def test_an_organisation_is_named_by_a_whole_number_on_both_channels(client, desk, suffix):
    """Not "7.5" read as organisation 7: the page opens unfiltered, the API refuses it."""
    client.force_login(desk["manager"])
    organisation = desk["organisation"].pk

    page = _page(client, f"organisation={organisation}{suffix}")
    response = client.get(f"/api/v1/tickets/?organisation={organisation}{suffix}")

    assert page == set(desk["tickets"].values()) - {
        desk["tickets"][name] for name in ("resolved", "closed and breached")
    }
    assert response.status_code == 400
    assert "organisation" in response.json()


def _queries(client, url: str) -> int:
    client.get(url)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_filtering_costs_no_query_on_either_channel(client, desk):
    client.force_login(desk["manager"])
    every = "sla=due-soon&priority=1&priority=2&tier=1&assignee=none&organisation=1&q=ticket&channel=web"

    page = (_queries(client, reverse("tickets:queue")), _queries(client, f"{reverse('tickets:queue')}?{every}"))
    api = (_queries(client, "/api/v1/tickets/"), _queries(client, f"/api/v1/tickets/?{every}"))

    # Fewer rows may cost less (each row's service zone); the filters themselves read nothing.
    assert page[1] <= page[0]
    assert api[1] <= api[0]


def test_the_time_rules_are_queryset_methods():
    now = timezone.now()
    ticket = TicketFactory()
    Ticket.objects.filter(pk=ticket.pk).update(
        first_response_due_at=now + timedelta(minutes=30), resolution_due_at=now + timedelta(days=1)
    )

    assert list(Ticket.objects.due_within(timedelta(hours=1), now=now)) == [ticket]
    assert not Ticket.objects.due_within(timedelta(minutes=10), now=now).exists()
    assert not Ticket.objects.breached().exists()
    assert list(Ticket.objects.unbreached()) == [ticket]
    assert not Ticket.objects.paused().exists()
    Ticket.objects.filter(pk=ticket.pk).update(status=Status.WAITING, resolution_breached_at=now)
    assert list(Ticket.objects.paused()) == list(Ticket.objects.breached()) == [ticket]
