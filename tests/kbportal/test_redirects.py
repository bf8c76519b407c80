"""Every form that sends the browser on to a "next" URL keeps it on this site, through one check."""

import pytest
from django.urls import reverse

from kbportal.accounts.roles import Role
from tests.accounts.factories import StaffFactory
from tests.articles.factories import ArticleFactory
from tests.tickets.factories import TicketFactory

pytestmark = pytest.mark.django_db

FOREIGN = [
    pytest.param("//evil.example", id="scheme-relative"),
    pytest.param("https://evil.example/", id="absolute"),
    pytest.param("/\\evil.example", id="backslash"),
    pytest.param("\\\\evil.example", id="double-backslash"),
    pytest.param("javascript:alert(1)", id="javascript"),
    pytest.param(" //evil.example", id="leading-space"),
    pytest.param("/\t/evil.example", id="tab-inside"),
]


def _queue_bulk(client, customer, target: str):
    agent = StaffFactory(username="agent", role=Role.AGENT_TIER_1)
    ticket = TicketFactory(requester=customer)
    client.force_login(agent)
    data = {"tickets": [ticket.pk], "action": "assign-me", "next": target}
    return client.post(reverse("tickets:queue_bulk"), data), reverse("tickets:queue")


def _help_answer(client, customer, target: str):
    data = {"answer": "yes", "kind": "article", "item": ArticleFactory().pk, "next": target}
    return client.post(reverse("helpcenter:help_answer"), data), reverse("helpcenter:search")


VIEWS = [
    pytest.param(_queue_bulk, id="staff-queue-bulk"),
    pytest.param(_help_answer, id="help-answer"),
    # Sign-up redirects nowhere any more: it answers "check your inbox", and the mailed link leads home.
]


@pytest.mark.parametrize("view", VIEWS)
@pytest.mark.parametrize("target", FOREIGN)
def test_a_next_url_off_this_site_falls_back_to_the_views_default(client, customer, view, target):
    response, default = view(client, customer, target)

    assert response.status_code == 302
    assert response["Location"] == default


@pytest.mark.parametrize("view", VIEWS)
def test_a_next_url_on_this_site_is_followed(client, customer, view):
    response, _default = view(client, customer, "/queue/?priority=1&page=2")

    assert response["Location"] == "/queue/?priority=1&page=2"
