"""The weekly digest: last week's headline figures and top content gaps, mailed to every support manager."""

from datetime import UTC, date, datetime, timedelta

import pytest
from django.core.management import call_command

from kbportal.accounts.roles import Role
from kbportal.analytics.digest import DIGEST_KEYS, digest_send, last_week
from kbportal.analytics.registry import registry
from kbportal.helpcenter.models import HelpEventKind, HelpOutcome, HelpSession, HelpSessionEvent
from tests.accounts.factories import StaffFactory

pytestmark = pytest.mark.django_db

MONDAY = date(2026, 11, 23)


def test_every_headline_of_the_digest_is_a_defined_figure():
    assert set(DIGEST_KEYS) <= set(registry.metrics)


def test_last_week_is_the_seven_days_before_today():
    scope = last_week(MONDAY)
    assert (scope.since, scope.until) == (date(2026, 11, 16), date(2026, 11, 22))


def _failed_search(query: str, when: datetime) -> None:
    session = HelpSession.objects.create(started_at=when, outcome=HelpOutcome.ESCALATED, search_count=1)
    HelpSessionEvent.objects.create(
        session=session, kind=HelpEventKind.SEARCH, query=query, normalised_query=query, result_count=0, created_at=when
    )


def test_managers_get_the_headlines_and_the_top_content_gaps(mailoutbox, django_capture_on_commit_callbacks):
    manager = StaffFactory(email="boss@example.com", role=Role.SUPPORT_MANAGER)
    StaffFactory(email="agent@example.com", role=Role.AGENT_TIER_1)
    tuesday = datetime(2026, 11, 17, 10, tzinfo=UTC)
    for _ in range(3):
        _failed_search("printer offline", tuesday)
    _failed_search("older gap", tuesday - timedelta(days=7))

    with django_capture_on_commit_callbacks(execute=True):
        assert digest_send(today=MONDAY) == 1

    (mail,) = mailoutbox
    assert mail.to == [manager.email]
    assert "Nov. 16, 2026" in mail.subject  # the language's date format, as every date
    assert "Help sessions: 3" in mail.body
    assert "Deflection rate: 0.0%" in mail.body
    assert "1. printer offline — 3 without results, 3 ending in a ticket" in mail.body
    assert "older gap" not in mail.body
    assert "/staff/analytics/?since=2026-11-16&until=2026-11-22" in mail.body


def test_superusers_and_holders_of_the_permission_get_it_too(mailoutbox, django_capture_on_commit_callbacks):
    from django.contrib.auth.models import Permission

    StaffFactory(email="root@example.com", is_superuser=True)
    direct = StaffFactory(email="analyst@example.com")
    direct.user_permissions.add(Permission.objects.get(codename="view_service_analytics"))
    StaffFactory(email="editor@example.com", role=Role.CONTENT_EDITOR)

    with django_capture_on_commit_callbacks(execute=True):
        digest_send(today=MONDAY)

    assert sorted(mail.to[0] for mail in mailoutbox) == ["analyst@example.com", "root@example.com"]


def test_the_command_sends_the_digest(mailoutbox, capsys, django_capture_on_commit_callbacks):
    StaffFactory(email="boss@example.com", role=Role.SUPPORT_MANAGER)

    with django_capture_on_commit_callbacks(execute=True):
        call_command("send_analytics_digest")

    assert len(mailoutbox) == 1
    assert "1 manager(s)" in capsys.readouterr().out


def test_a_digest_goes_once_per_manager_and_week_however_often_it_is_run(
    mailoutbox, django_capture_on_commit_callbacks
):
    StaffFactory(email="boss@example.com", role=Role.SUPPORT_MANAGER)

    with django_capture_on_commit_callbacks(execute=True):
        first = digest_send(today=MONDAY)
        again = digest_send(today=MONDAY)  # beat's retry of a task whose worker died, or the command by hand
        next_week = digest_send(today=MONDAY + timedelta(days=7))

    assert (first, again, next_week) == (1, 0, 1)
    assert len(mailoutbox) == 2
