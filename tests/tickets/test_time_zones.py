"""One rule for times on ticket pages and in ticket e-mails.

Times are shown in the reader's zone — the browser's (the `tz` cookie), before the browser has said it the
reader's stored zone (their organisation's), for a guest the ticket's — and the zone is named whenever it is
not the zone the ticket's service-level clock runs in. E-mails always name it.
"""

import re
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.urls import reverse

from kbportal.helpcenter.guest import guest_path
from tests.tickets.factories import MembershipFactory, OrganisationFactory, TicketFactory
from tickets import clocks, notifications
from tickets.models import ServiceCalendar, Ticket

pytestmark = pytest.mark.django_db

BERLIN = ZoneInfo("Europe/Berlin")
# 07:32 UTC is 08:32 in Berlin (CET) and 15:32 in Shanghai (CST); 09:00 UTC is 10:00 and 17:00.
OPENED = datetime(2030, 11, 26, 7, 32, tzinfo=UTC)
DUE = datetime(2030, 11, 26, 9, 0, tzinfo=UTC)


@pytest.fixture
def shanghai_member(db):
    organisation = OrganisationFactory(time_zone="Asia/Shanghai")
    return MembershipFactory(organisation=organisation).user


def _ticket(**fields) -> Ticket:
    ticket = TicketFactory(**fields)
    Ticket.objects.filter(pk=ticket.pk).update(created_at=OPENED, first_response_due_at=DUE)
    return Ticket.objects.get(pk=ticket.pk)


def _expectation(page: str) -> str:
    return re.search(r'<p class="expectation">(.*?)</p>', page, re.S).group(1)


def _opened(page: str) -> str:
    return re.search(r"<dt>Opened</dt><dd>(.*?)</dd>", page, re.S).group(1)


def test_a_reader_in_berlin_reads_a_shanghai_ticket_in_berlin_time_with_the_zone_named(client, shanghai_member):
    ticket = _ticket(requester=shanghai_member)
    client.force_login(shanghai_member)
    client.cookies["tz"] = "Europe/Berlin"

    page = client.get(ticket.get_absolute_url()).content.decode()

    assert "First response due by 10:00 CET on Nov. 26, 2030." in _expectation(page)
    assert "Nov. 26, 2030, 08:32 CET" in _opened(page)


def test_before_the_browser_says_its_zone_a_member_reads_the_organisations_zone_unnamed(client, shanghai_member):
    ticket = _ticket(requester=shanghai_member)
    client.force_login(shanghai_member)

    page = client.get(ticket.get_absolute_url()).content.decode()

    assert "First response due by 17:00 on Nov. 26, 2030." in _expectation(page)
    assert _opened(page).endswith("Nov. 26, 2030, 15:32</time>")
    assert "CST" not in page


def test_a_reader_in_the_tickets_own_zone_sees_no_zone_names(client, shanghai_member):
    ticket = _ticket(requester=shanghai_member)
    client.force_login(shanghai_member)
    client.cookies["tz"] = "Asia/Shanghai"

    page = client.get(ticket.get_absolute_url()).content.decode()

    assert "17:00" in _expectation(page)
    assert "CST" not in page


def test_a_guest_following_the_e_mailed_link_reads_the_tickets_zone(client, shanghai_member):
    ticket = _ticket(requester=shanghai_member)
    Ticket.objects.filter(pk=ticket.pk).update(requester=None, requester_email="guest@example.com")

    page = client.get(guest_path(Ticket.objects.get(pk=ticket.pk))).content.decode()

    assert "17:00 on Nov. 26, 2030" in _expectation(page)
    assert _opened(page).endswith("Nov. 26, 2030, 15:32</time>")


def test_a_guest_whose_browser_is_elsewhere_reads_its_zone_named(client, shanghai_member):
    ticket = _ticket(requester=shanghai_member)
    Ticket.objects.filter(pk=ticket.pk).update(requester=None, requester_email="guest@example.com")
    client.cookies["tz"] = "Europe/Berlin"

    page = client.get(guest_path(Ticket.objects.get(pk=ticket.pk))).content.decode()

    assert "10:00 CET" in _expectation(page)
    assert "Nov. 26, 2030, 08:32 CET" in _opened(page)


def test_a_ticket_without_an_organisation_runs_in_its_calendars_zone(customer_client, customer):
    ServiceCalendar.objects.update(default_time_zone="Asia/Shanghai")
    ticket = _ticket(requester=customer)

    page = customer_client.get(ticket.get_absolute_url()).content.decode()

    assert "17:00" in _expectation(page)
    assert "CST" not in page


def test_the_workspace_shows_the_agents_zone_and_names_it_when_not_the_tickets(client, agent1, shanghai_member):
    ticket = _ticket(requester=shanghai_member)
    due = clocks.ticket_clocks(ticket).first_response.due_at.astimezone(BERLIN)
    client.force_login(agent1)
    client.cookies["tz"] = "Europe/Berlin"

    page = client.get(reverse("tickets:staff_detail", args=[ticket.reference])).content.decode()

    assert f"{due:%H:%M} {due.tzname()}" in page


def test_the_queue_names_the_agents_zone_when_not_the_tickets(client, agent1, shanghai_member):
    _ticket(requester=shanghai_member)
    client.force_login(agent1)
    client.cookies["tz"] = "Europe/Berlin"

    in_berlin = client.get(reverse("tickets:queue")).content.decode()
    client.cookies["tz"] = "Asia/Shanghai"
    in_shanghai = client.get(reverse("tickets:queue")).content.decode()

    assert "10:00 CET on Nov. 26, 2030" in in_berlin
    assert "17:00 on Nov. 26, 2030" in in_shanghai
    assert "CST" not in in_shanghai


def test_the_customers_e_mail_gives_times_in_their_zone_and_names_it(
    shanghai_member, django_capture_on_commit_callbacks
):
    ticket = _ticket(requester=shanghai_member)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        notifications.ticket_created(ticket)

    assert "Nov. 26, 2030, 17:00 CST" in mail.outbox[0].body


def test_the_customers_e_mail_is_in_their_language_and_its_date_format(
    shanghai_member, django_capture_on_commit_callbacks
):
    ticket = _ticket(requester=shanghai_member)
    Ticket.objects.filter(pk=ticket.pk).update(language="zh-hans")
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        notifications.ticket_created(Ticket.objects.get(pk=ticket.pk))

    assert "2030年11月26日 17:00 CST" in mail.outbox[0].body


def test_a_staff_e_mail_names_the_zone_it_gives_times_in(agent1, shanghai_member, django_capture_on_commit_callbacks):
    ticket = _ticket(requester=shanghai_member)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        notifications.sla_warning(ticket, clock="first response", due_at=DUE)

    assert "Nov. 26, 2030, 09:00 UTC" in mail.outbox[0].body
