"""The same ticket submitted twice, or the same key sent ten times at once: one ticket, one e-mail."""

import threading

import pytest
from django.core import mail
from django.db import connection
from django.urls import reverse

from tickets import services
from tickets.models import Ticket


def _ticket_form(client) -> dict:
    form = client.get(reverse("tickets:new")).context["form"]
    return {
        "subject": "Sync fails",
        "description": "It stops at 99%.",
        "proposed_priority": "2",
        "idempotency_key": form.initial["idempotency_key"],
    }


@pytest.mark.django_db
def test_submitting_the_same_form_twice_creates_one_ticket_and_one_mail(
    customer_client, django_capture_on_commit_callbacks
):
    data = _ticket_form(customer_client)

    with django_capture_on_commit_callbacks(execute=True):
        first = customer_client.post(reverse("tickets:new"), data)
        second = customer_client.post(reverse("tickets:new"), data)

    assert Ticket.objects.count() == 1
    assert first["Location"] == second["Location"] == Ticket.objects.get().get_absolute_url()
    assert [m.to for m in mail.outbox] == [["customer@example.com"]]


@pytest.mark.django_db
def test_two_forms_make_two_tickets(customer_client):
    customer_client.post(reverse("tickets:new"), _ticket_form(customer_client))
    customer_client.post(reverse("tickets:new"), _ticket_form(customer_client))

    assert Ticket.objects.count() == 2


@pytest.mark.django_db
def test_a_bad_form_shows_the_errors_and_keeps_what_was_typed(customer_client):
    data = {**_ticket_form(customer_client), "subject": "", "description": "Keep this text"}

    response = customer_client.post(reverse("tickets:new"), data)

    page = response.content.decode()
    assert response.status_code == 200
    assert "Give your request a short subject." in page
    assert "Keep this text" in page
    assert not Ticket.objects.exists()


@pytest.mark.django_db
def test_the_api_replays_an_idempotency_key(customer_client):
    payload = {"subject": "API ticket", "description": "Created by a script", "proposed_priority": 3}

    first = customer_client.post(
        "/api/v1/tickets/", payload, content_type="application/json", HTTP_IDEMPOTENCY_KEY="k1"
    )
    again = customer_client.post(
        "/api/v1/tickets/", payload, content_type="application/json", HTTP_IDEMPOTENCY_KEY="k1"
    )

    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["reference"] == again.json()["reference"]
    assert Ticket.objects.get().channel == "api"


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_ten_concurrent_requests_with_one_key_create_one_ticket_and_one_mail(customer):
    barrier = threading.Barrier(10)
    references, errors = [], []
    mail.outbox = []

    def submit() -> None:
        try:
            barrier.wait()
            ticket, _created = services.ticket_create(
                requester=customer, requester_email=customer.email, subject="Down", description="All down",
                idempotency_key="same-key",
            )  # fmt: skip
            references.append(ticket.reference)
        except BaseException as error:  # asserted below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=submit) for _ in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert Ticket.objects.count() == 1
    assert set(references) == {Ticket.objects.get().reference}
    assert len([m for m in mail.outbox if "We received your request" in m.subject]) == 1
