"""The outbox in /health/ready: a backlog past its limit takes the machine out of rotation."""

import pytest
from django.core.mail import EmailMessage

from kbportal.outbox import services
from kbportal.outbox.models import Delivery, State

READY = "/health/ready"


def _waiting(count: int) -> None:
    # Recorded outside any request and never handed over: the checks' own connections see them.
    for n in range(count):
        services.record(kind="mail", payload={}, summary=f"waiting {n}", hand_over=False)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_ready_names_the_outbox_when_its_backlog_reaches_the_limit(client, settings):
    settings.KBPORTAL_READINESS_CHECKS = {
        **settings.KBPORTAL_READINESS_CHECKS,
        "outbox": ("kbportal.outbox.health.Backlog", {"limit": 3}),
    }
    _waiting(2)
    assert client.get(READY).json()["checks"]["outbox"] == "ok"

    _waiting(1)
    response = client.get(READY)

    assert response.status_code == 503
    assert response.json()["checks"]["outbox"] == "unavailable: 3 deliveries waiting (limit 3)"


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_failed_deliveries_show_in_ready_without_failing_it(client):
    delivery = services.mail_send(EmailMessage("Hi", "Body", "a@example.com", ["b@example.com"]))
    Delivery.objects.filter(pk=delivery.pk).update(state=State.FAILED)

    response = client.get(READY)

    assert response.status_code == 200
    assert "1 deliveries failed" in response.json()["checks"]["outbox"]
