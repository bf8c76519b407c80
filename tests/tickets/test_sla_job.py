"""The periodic SLA check: warns before, records breaches once, raises priority per policy, closes old tickets."""

from datetime import timedelta

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from kbportal.accounts.roles import Role
from tests.accounts.factories import StaffFactory
from tests.tickets.factories import TicketFactory
from tickets import services
from tickets.jobs import sla_check
from tickets.models import EventKind, Priority, SlaPolicy, Status, Ticket

pytestmark = pytest.mark.django_db


@pytest.fixture
def ticket(agent1, enterprise_customer):
    return TicketFactory(requester=enterprise_customer, proposed_priority=Priority.P3)  # 4 h / 48 h, 24×7


def _events(ticket, kind) -> int:
    return ticket.events.filter(kind=kind).count()


def test_nothing_happens_while_targets_are_far(ticket):
    report = sla_check(now=timezone.now())

    assert (report.warned, report.breached) == (0, 0)


def test_the_assignee_is_warned_once_before_the_first_response_is_due(ticket, django_capture_on_commit_callbacks):
    soon = ticket.first_response_due_at - timedelta(minutes=10)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        first = sla_check(now=soon)
        second = sla_check(now=soon + timedelta(minutes=1))

    assert (first.warned, second.warned) == (1, 0)
    assert _events(ticket, EventKind.SLA_WARNING) == 1
    assert [m.to for m in mail.outbox] == [[ticket.assignee.email]]


def test_a_breach_is_recorded_once_and_managers_are_told(ticket, django_capture_on_commit_callbacks):
    manager = StaffFactory(username="boss", role=Role.SUPPORT_MANAGER)
    late = ticket.first_response_due_at + timedelta(minutes=1)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        first = sla_check(now=late)
        again = sla_check(now=late + timedelta(minutes=5))

    ticket.refresh_from_db()
    assert (first.breached, again.breached) == (1, 0)
    assert ticket.first_response_breached_at is not None
    assert _events(ticket, EventKind.SLA_BREACH) == 1
    assert manager.email in mail.outbox[0].to


def test_a_met_target_is_never_breached(ticket, agent1):
    services.ticket_reply(ticket=ticket, author=agent1, body="On it")

    report = sla_check(now=timezone.now() + timedelta(hours=5))

    ticket.refresh_from_db()
    assert report.breached == 0
    assert ticket.first_response_breached_at is None


def test_a_paused_ticket_is_not_breached(ticket, agent1):
    services.ticket_set_status(ticket=ticket, status=Status.WAITING, by=agent1)

    assert sla_check(now=timezone.now() + timedelta(days=30)).breached == 0


def test_policy_can_raise_priority_once_on_a_resolution_breach(ticket):
    SlaPolicy.objects.filter(plan="enterprise").update(raise_priority_on_breach=True)
    late = ticket.resolution_due_at + timedelta(minutes=1)

    sla_check(now=late)
    sla_check(now=late + timedelta(minutes=1))

    ticket.refresh_from_db()
    assert ticket.priority == Priority.P2
    assert _events(ticket, EventKind.PRIORITY) == 1


def test_resolved_tickets_close_after_the_reopen_window(ticket, agent1):
    services.ticket_resolve(ticket=ticket, by=agent1)
    Ticket.objects.filter(pk=ticket.pk).update(resolved_at=timezone.now() - timedelta(days=8))

    report = sla_check()
    again = sla_check()

    ticket.refresh_from_db()
    assert (report.closed, again.closed) == (1, 0)
    assert ticket.status == Status.CLOSED


def test_the_management_command_runs_the_check(ticket, capsys):
    call_command("sla_check")

    assert "SLA check:" in capsys.readouterr().out


def test_the_celery_task_runs_the_same_check(ticket):
    from tickets.tasks import sla_check_task

    assert "warned" in sla_check_task.delay().get()
