"""The customer's pages and the agents' workspace, end to end through the views."""

import re
from datetime import UTC, datetime

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from kbportal.accounts.roles import Role
from tests.accounts.factories import StaffFactory
from tests.articles.factories import CategoryFactory
from tests.tickets.factories import MembershipFactory, OrganisationFactory, TicketFactory
from tickets import services
from tickets.models import AgentAvailability, EventKind, Status, Ticket

pytestmark = pytest.mark.django_db


def test_the_customer_page_shows_status_handler_and_the_next_moment_in_plain_words(customer_client, customer, agent1):
    ticket = TicketFactory(requester=customer)

    page = customer_client.get(ticket.get_absolute_url()).content.decode()

    assert ticket.reference in page
    assert agent1.public_name in page
    assert "First response due by" in page


def test_customers_see_the_public_timeline_only(customer_client, customer, agent1):
    ticket = TicketFactory(requester=customer)
    services.ticket_reply(ticket=ticket, author=agent1, body="Public answer")
    services.ticket_reply(ticket=ticket, author=agent1, body="CANARY internal detail", internal=True)
    services.ticket_escalate(ticket=ticket, to_tier=2, reason="CANARY escalation reason", by=agent1)

    page = customer_client.get(ticket.get_absolute_url()).content.decode()

    assert "Public answer" in page
    assert "CANARY" not in page
    assert "Tier 2" in page


def test_an_organisation_admin_lists_the_organisations_tickets(client):
    organisation = OrganisationFactory()
    admin = MembershipFactory(organisation=organisation, is_admin=True).user
    colleague = MembershipFactory(organisation=organisation).user
    ticket = TicketFactory(requester=colleague, subject="Problem of a colleague")
    client.force_login(admin)

    mine = client.get(reverse("tickets:list")).content.decode()
    everyone = client.get(reverse("tickets:list") + "?scope=organisation").content.decode()

    assert ticket.subject not in mine
    assert ticket.subject in everyone
    assert client.get(ticket.get_absolute_url()).status_code == 200


def test_a_plain_member_cannot_list_the_organisation(client):
    organisation = OrganisationFactory()
    member = MembershipFactory(organisation=organisation).user
    TicketFactory(requester=MembershipFactory(organisation=organisation).user, subject="Someone else problem")
    client.force_login(member)

    assert "Someone else problem" not in client.get(reverse("tickets:list") + "?scope=organisation").content.decode()


def test_customers_resolve_and_reopen_their_ticket(customer_client, customer):
    ticket = TicketFactory(requester=customer)

    customer_client.post(reverse("tickets:resolve", args=[ticket.reference]))
    ticket.refresh_from_db()
    assert ticket.status == Status.RESOLVED
    customer_client.post(reverse("tickets:reopen", args=[ticket.reference]))
    ticket.refresh_from_db()
    assert ticket.status == Status.OPEN


def test_agents_reply_note_and_escalate_from_the_workspace(client, agent1, agent2, customer):
    ticket = TicketFactory(requester=customer)
    client.force_login(agent1)
    url = reverse("tickets:staff_detail", args=[ticket.reference])

    assert client.get(url).status_code == 200
    client.post(reverse("tickets:staff_reply", args=[ticket.reference]),
                {"body": "Checked the logs", "internal": "on"})  # fmt: skip
    refused = client.post(reverse("tickets:staff_escalate", args=[ticket.reference]), {"to_tier": 2, "reason": ""})
    client.post(reverse("tickets:staff_escalate", args=[ticket.reference]), {"to_tier": 2, "reason": "DB issue"})

    ticket.refresh_from_db()
    assert refused.status_code == 400
    assert "Say why" in refused.content.decode()
    assert ticket.messages.get().is_internal
    assert (ticket.tier, ticket.assignee) == (2, agent2)
    assert client.get(url).status_code == 404  # tier 2 is no longer agent1's queue


def test_the_queue_filters_and_bulk_assigns(client, agent1, customer):
    other_agent = StaffFactory(username="agent-three", role=Role.AGENT_TIER_1)
    tickets = [TicketFactory(requester=customer, proposed_priority=p) for p in (1, 4, 4)]
    client.force_login(agent1)

    urgent = client.get(reverse("tickets:queue"), {"priority": 1}).context["page"].object_list
    client.post(
        reverse("tickets:queue_bulk"),
        {"tickets": [t.pk for t in tickets], "action": "assign", "assignee": other_agent.pk},
    )

    assert [t.pk for t in urgent] == [tickets[0].pk]
    assert set(Ticket.objects.values_list("assignee", flat=True)) == {other_agent.pk}


def test_bulk_escalation_needs_a_reason(client, agent1, customer):
    ticket = TicketFactory(requester=customer)
    client.force_login(agent1)

    client.post(reverse("tickets:queue_bulk"), {"tickets": [ticket.pk], "action": "escalate", "tier": 2, "reason": ""})

    ticket.refresh_from_db()
    assert ticket.tier == 1


def test_the_queue_puts_the_most_urgent_first(client, agent1, enterprise_customer):
    later = TicketFactory(requester=enterprise_customer, proposed_priority=4)
    sooner = TicketFactory(requester=enterprise_customer, proposed_priority=1)
    client.force_login(agent1)

    rows = list(client.get(reverse("tickets:queue")).context["page"].object_list)

    assert rows == [sooner, later]


def test_agents_mark_themselves_away(client, agent1):
    client.force_login(agent1)

    client.post(reverse("tickets:away"))

    assert AgentAvailability.objects.get(user=agent1).is_away


def test_customers_and_editors_cannot_open_the_queue(client, customer):
    assert client.get(reverse("tickets:queue")).status_code == 302  # anonymous: sign in first
    client.force_login(customer)
    assert client.get(reverse("tickets:queue")).status_code == 403
    client.force_login(StaffFactory(role=Role.CONTENT_EDITOR))
    assert client.get(reverse("tickets:queue")).status_code == 403


def test_a_manager_changes_priority_in_the_admin_through_the_service(admin_client, customer):
    manager = StaffFactory(username="boss", role=Role.SUPPORT_MANAGER)
    ticket = TicketFactory(requester=customer, proposed_priority=4)
    admin_client.force_login(manager)
    url = reverse("admin:tickets_ticket_change", args=[ticket.pk])

    admin_client.post(url, {"subject": ticket.subject, "priority": 1, "status": "new", "tier": 1,
                            "messages-TOTAL_FORMS": 0, "messages-INITIAL_FORMS": 0, "events-TOTAL_FORMS": 0,
                            "events-INITIAL_FORMS": 0})  # fmt: skip

    ticket.refresh_from_db()
    assert ticket.priority == 1
    assert ticket.events.filter(kind=EventKind.PRIORITY, actor=manager).exists()


def test_moving_a_ticket_names_the_tier_it_moved_to(client, agent1, agent2, customer):
    ticket = TicketFactory(requester=customer)
    client.force_login(agent1)

    response = client.post(
        reverse("tickets:staff_escalate", args=[ticket.reference]), {"to_tier": 2, "reason": "DB issue"}, follow=True
    )

    assert [str(m) for m in response.context["messages"]] == ["Moved to Tier 2."]


def test_the_customer_list_says_how_long_ago_a_ticket_was_updated(customer_client, customer):
    TicketFactory(requester=customer)

    english = customer_client.get(reverse("tickets:list")).content.decode()
    chinese = customer_client.get(reverse("tickets:list"), HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()

    assert "Updated 0\xa0minutes ago" in english
    assert "0\xa0分钟前更新" in chinese


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        (Role.AGENT_TIER_1, "1 ticket · tier 1 · most urgent first"),
        (Role.SUPPORT_MANAGER, "1 ticket · tiers 1, 2, 3 · most urgent first"),
    ],
)
def test_the_queue_counts_tickets_and_tiers_in_the_right_number(client, customer, role, expected):
    TicketFactory(requester=customer)
    client.force_login(StaffFactory(username="worker", role=role))

    page = client.get(reverse("tickets:queue")).content.decode()

    assert expected in page


def test_every_bulk_action_control_has_a_visible_label_of_its_own(client, agent1):
    client.force_login(agent1)

    page = client.get(reverse("tickets:queue")).content.decode()

    for name in ("action", "assignee", "priority", "status", "tier", "reason"):
        control = re.search(rf'<(?:select|input)[^>]*name="{name}"[^>]*id="(bulk-[a-z]+)"', page)
        control = control or re.search(rf'<(?:select|input)[^>]*id="(bulk-[a-z]+)"[^>]*name="{name}"', page)
        assert control, name
        label = re.search(rf'<label([^>]*)for="{control[1]}"', page)
        assert label, name
        assert "visually-hidden" not in label[1], name
    assert len(re.findall(r'id="([^"]+)"', page)) == len(set(re.findall(r'id="([^"]+)"', page)))  # ids unique


def test_bulk_updates_say_how_many_in_the_right_number(client, agent1, customer):
    ticket = TicketFactory(requester=customer)
    client.force_login(agent1)

    response = client.post(reverse("tickets:queue_bulk"), {"tickets": [ticket.pk], "action": "assign-me"}, follow=True)

    assert [str(m) for m in response.context["messages"]] == ["Updated 1 ticket."]


def test_the_contact_form_lists_topics_in_the_viewers_language(client):
    CategoryFactory(name="Installation", name_zh_hans="安装")

    chinese = client.get(reverse("helpcenter:contact"), HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    english = client.get(reverse("helpcenter:contact"), HTTP_ACCEPT_LANGUAGE="en").content.decode()

    assert ">安装</option>" in chinese
    assert ">Installation</option>" in english


def test_the_draft_article_categories_in_the_workspace_are_named_in_the_viewers_language(client, agent1, customer):
    CategoryFactory(name="Troubleshooting", name_zh_hans="故障排除")
    ticket = TicketFactory(requester=customer)
    services.ticket_resolve(ticket=ticket, by=agent1)
    client.force_login(agent1)
    url = reverse("tickets:staff_detail", args=[ticket.reference])

    chinese = client.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    english = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()

    assert ">故障排除</option>" in chinese
    assert ">选择分类</option>" in chinese
    assert ">Troubleshooting</option>" in english
    assert "---------" not in english


def test_the_due_date_on_the_ticket_page_follows_the_viewers_language(customer_client, customer, agent1):
    ticket = TicketFactory(requester=customer)
    due = datetime(2030, 11, 26, 12, 0, tzinfo=UTC)
    Ticket.objects.filter(pk=ticket.pk).update(first_response_due_at=due)

    chinese = customer_client.get(ticket.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    english = customer_client.get(ticket.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="en").content.decode()

    assert "2030年11月26日" in chinese
    assert "Nov. 26, 2030" in english


def test_the_due_times_in_the_workspace_follow_the_viewers_language(client, agent1, customer):
    ticket = TicketFactory(requester=customer)
    client.force_login(agent1)
    url = reverse("tickets:staff_detail", args=[ticket.reference])
    # The workspace's clocks are computed from the SLA, which is what the ticket stored when it was opened.
    due = timezone.localtime(Ticket.objects.get(pk=ticket.pk).first_response_due_at)

    chinese = client.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    english = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()

    assert f"{due.year}年{due.month}月{due.day}日" in chinese
    assert f"{date_format(due, 'N')} {due.day}, {due.year}" in english  # "Dec. 4, 2026"


def test_every_field_of_the_workspace_has_an_id_of_its_own(client, agent1, customer):
    """Two forms' "Reason" fields shared id_reason: the escalation's label focused the properties form's field."""
    ticket = TicketFactory(requester=customer)
    client.force_login(agent1)

    page = client.get(reverse("tickets:staff_detail", args=[ticket.reference])).content.decode()

    ids = re.findall(r'\sid="([^"]+)"', page)
    assert [name for name in set(ids) if ids.count(name) > 1] == []
    assert 'for="id_escalate_reason"' in page
