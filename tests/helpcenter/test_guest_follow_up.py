"""A guest whose request is closed (withdrawn, or resolved too long ago) opens a follow-up from the guest link."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from kbportal.helpcenter import services as help_services
from kbportal.helpcenter.guest import guest_token, ticket_from_guest_token
from tickets import services
from tickets.models import Channel, Status, Ticket

pytestmark = pytest.mark.django_db


@pytest.fixture
def withdrawn():
    ticket, _created = services.ticket_create(
        requester=None, requester_email="guest@example.com", subject="Licence key rejected",
        description="Help", channel=Channel.SELF_SERVICE,
    )  # fmt: skip
    return help_services.ticket_withdraw(ticket=ticket, by=None)


def _follow_up_url(ticket: Ticket) -> str:
    return reverse("helpcenter:guest_follow_up", kwargs={"token": guest_token(ticket)})


def test_a_withdrawn_guest_ticket_shows_a_follow_up_form(client, withdrawn):
    page = client.get(reverse("helpcenter:guest_ticket", kwargs={"token": guest_token(withdrawn)}))

    body = page.content.decode()
    assert withdrawn.status == Status.CLOSED
    assert page.status_code == 200
    action = re.search(r'action="/tickets/guest/([^"/]+)/follow-up/"', body)
    # The token is signed with a timestamp, so it is compared by what it opens, not by its text.
    assert action
    assert ticket_from_guest_token(action.group(1))[1] == withdrawn
    assert 'name="description"' in body
    assert "csrfmiddlewaretoken" in body


def test_the_follow_up_is_linked_to_the_first_and_its_link_is_mailed(
    client, withdrawn, mailoutbox, django_capture_on_commit_callbacks
):
    before = Ticket.objects.count()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(_follow_up_url(withdrawn), {"description": "The new key is rejected too."})

    assert Ticket.objects.count() == before + 1
    follow_up = Ticket.objects.get(previous_ticket=withdrawn)
    assert (follow_up.requester, follow_up.requester_email) == (None, "guest@example.com")
    assert follow_up.description == "The new key is rejected too."
    assert response.status_code == 302
    assert ticket_from_guest_token(response["Location"].rstrip("/").rsplit("/", 1)[1])[1] == follow_up
    mailed = [mail for mail in mailoutbox if follow_up.reference in mail.subject + mail.body]
    assert mailed
    assert all(mail.to == ["guest@example.com"] for mail in mailed)
    tokens = re.findall(r"/tickets/guest/([^/\s]+)/", " ".join(mail.body for mail in mailed))
    assert any(ticket_from_guest_token(token)[1] == follow_up for token in tokens)
    assert client.get(response["Location"]).status_code == 200


def test_an_empty_follow_up_is_refused_with_the_reason(client, withdrawn):
    response = client.post(_follow_up_url(withdrawn), {"description": ""})

    assert response.status_code == 400
    assert "Describe what still needs help." in response.content.decode()
    assert not Ticket.objects.filter(previous_ticket=withdrawn).exists()


def test_an_open_guest_ticket_takes_replies_not_follow_ups(client):
    ticket, _created = services.ticket_create(
        requester=None, requester_email="guest@example.com", subject="Open", description="Help",
        channel=Channel.SELF_SERVICE,
    )  # fmt: skip

    response = client.post(_follow_up_url(ticket), {"description": "More"})

    assert response.status_code == 302
    assert not Ticket.objects.filter(previous_ticket=ticket).exists()


def test_the_follow_up_post_needs_the_csrf_token(withdrawn):
    browser = Client(enforce_csrf_checks=True)
    page = browser.get(reverse("helpcenter:guest_ticket", kwargs={"token": guest_token(withdrawn)}))
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.content.decode()).group(1)

    refused = browser.post(_follow_up_url(withdrawn), {"description": "No token"})
    accepted = browser.post(_follow_up_url(withdrawn), {"description": "With token", "csrfmiddlewaretoken": token})

    assert (refused.status_code, accepted.status_code) == (403, 302)
    assert Ticket.objects.filter(previous_ticket=withdrawn).count() == 1


def test_guest_follow_ups_are_limited_like_guest_replies(client, withdrawn, settings):
    settings.KBPORTAL_RATE_LIMITS = {**settings.KBPORTAL_RATE_LIMITS, "guest-reply": {"ip": "30/h", "ticket": "2/h"}}

    codes = [client.post(_follow_up_url(withdrawn), {"description": f"Still {n}"}).status_code for n in range(3)]

    assert codes == [302, 302, 429]
    assert Ticket.objects.filter(previous_ticket=withdrawn).count() == 2
