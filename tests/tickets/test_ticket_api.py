"""The tickets API: the same services as the pages, 400 with field errors on bad input."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.tickets.factories import TicketFactory
from tickets import services
from tickets.models import Status

pytestmark = pytest.mark.django_db

JSON = "application/json"


def test_customers_create_read_and_reply(customer_client):
    created = customer_client.post(
        "/api/v1/tickets/", {"subject": "Crash", "description": "On start", "proposed_priority": 2}, content_type=JSON
    ).json()
    reference = created["reference"]

    reply = customer_client.post(f"/api/v1/tickets/{reference}/messages/", {"body": "More detail"}, content_type=JSON)
    listing = customer_client.get("/api/v1/tickets/").json()

    assert created["status"] == "new"
    assert created["tier"] == 1
    assert "First response due by" in created["next_expected"]
    assert reply.status_code == 201
    assert [row["reference"] for row in listing["results"]] == [reference]


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"description": "no subject"}, "subject"),
        ({"subject": "x", "description": "y", "proposed_priority": 9}, "proposed_priority"),
        ({"subject": "x", "description": "y", "product_version": "99.9"}, "product_version"),
        ({"subject": "x" * 201, "description": "y"}, "subject"),
    ],
    ids=["missing-subject", "bad-priority", "unknown-version", "long-subject"],
)
def test_bad_input_answers_400_with_the_field(customer_client, payload, field):
    response = customer_client.post("/api/v1/tickets/", payload, content_type=JSON)

    assert response.status_code == 400
    assert field in response.json()


def test_customers_cannot_use_staff_actions(customer_client, customer):
    ticket = TicketFactory(requester=customer)
    base = f"/api/v1/tickets/{ticket.reference}"

    assert customer_client.patch(f"{base}/", {"priority": 1}, content_type=JSON).status_code == 403
    assert (
        customer_client.post(f"{base}/escalate/", {"to_tier": 2, "reason": "x"}, content_type=JSON).status_code == 403
    )
    note = customer_client.post(f"{base}/messages/", {"body": "x", "internal": True}, content_type=JSON)
    assert note.status_code == 403
    assert not ticket.messages.exists()


def test_staff_escalate_with_a_reason_only(client, agent1, agent2, customer):
    ticket = TicketFactory(requester=customer)
    client.force_login(agent1)
    url = f"/api/v1/tickets/{ticket.reference}/escalate/"

    missing = client.post(url, {"to_tier": 2}, content_type=JSON)
    done = client.post(url, {"to_tier": 2, "reason": "Needs tier 2"}, content_type=JSON)

    assert missing.status_code == 400
    assert "reason" in missing.json()
    assert done.json() == {"reference": ticket.reference, "tier": 2}


def test_staff_set_priority_and_status_and_write_notes(client, agent1, customer):
    ticket = TicketFactory(requester=customer)
    client.force_login(agent1)
    base = f"/api/v1/tickets/{ticket.reference}"

    updated = client.patch(f"{base}/", {"priority": 1, "status": "open", "reason": "Outage"}, content_type=JSON)
    client.post(f"{base}/messages/", {"body": "Internal finding", "internal": True}, content_type=JSON)

    assert (updated.json()["priority"], updated.json()["status"]) == (1, "open")
    assert ticket.messages.get().is_internal


def test_attach_resolve_survey_and_reopen_through_the_api(customer_client, customer, agent1):
    ticket = TicketFactory(requester=customer)
    base = f"/api/v1/tickets/{ticket.reference}"

    attached = customer_client.post(
        f"{base}/attachments/", {"file": SimpleUploadedFile("hw.log", b"ERROR HW-1042\n")}, format="multipart"
    )
    refused = customer_client.post(f"{base}/attachments/", {"file": SimpleUploadedFile("x.html", b"<html>")})
    services.ticket_resolve(ticket=ticket, by=agent1)
    survey = customer_client.post(
        f"{base}/survey/",
        {"csat": 4, "ratings": dict.fromkeys(["response_speed", "resolution", "expertise", "attitude", "follow_up"], 4),
         "ces": 2, "nps": 8},
        content_type=JSON,
    )  # fmt: skip
    bad_survey = customer_client.post(f"{base}/survey/", {"csat": 9, "ratings": {}, "ces": 2}, content_type=JSON)
    reopened = customer_client.post(f"{base}/reopen/")

    assert attached.status_code == 201
    assert attached.json()["attachments"][0]["content_type"] == "text/plain; charset=utf-8"
    assert refused.status_code == 400
    assert survey.status_code == 201
    assert survey.json()["service_index"] == "75.0"
    assert bad_survey.status_code == 400
    assert set(bad_survey.json()) >= {"csat", "ratings"}
    assert reopened.json()["status"] == Status.OPEN


def test_tickets_are_found_by_reference_or_number(customer_client, customer):
    ticket = TicketFactory(requester=customer)

    assert customer_client.get(f"/api/v1/tickets/{ticket.reference}/").status_code == 200
    assert customer_client.get(f"/api/v1/tickets/{ticket.pk}/").status_code == 200
    assert customer_client.get("/api/v1/tickets/HW-999999/").status_code == 404
