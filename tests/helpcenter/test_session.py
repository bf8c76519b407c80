"""The browser's help session: the services take plain values, reading never writes, adoption is a claim."""

from datetime import timedelta

import pytest
from django.test import RequestFactory
from django.utils import timezone

from kbportal.helpcenter import selectors, services
from kbportal.helpcenter import session as browser
from kbportal.helpcenter.models import HelpOutcome, HelpSession
from tests.accounts.factories import UserFactory

pytestmark = pytest.mark.django_db


def _open(**fields) -> HelpSession:
    return HelpSession.objects.create(session_key="k", language="en", **fields)


def test_reading_the_current_session_never_writes(django_assert_num_queries):
    session, customer = _open(), UserFactory()

    with django_assert_num_queries(1):
        current = selectors.help_session_current(session_id=session.pk, user=customer)

    assert current == session
    assert current.user is None
    assert HelpSession.objects.get(pk=session.pk).user is None


def test_a_claim_gives_an_anonymous_session_to_who_signed_in_and_nothing_else():
    anonymous, customer, other = _open(), UserFactory(), UserFactory()
    owned = _open(user=customer)

    claimed = services.help_session_claim(session=anonymous, user=customer)
    services.help_session_claim(session=owned, user=other)
    services.help_session_claim(session=_open(), user=None)

    assert claimed.user == customer
    assert HelpSession.objects.get(pk=anonymous.pk).user == customer
    assert HelpSession.objects.get(pk=owned.pk).user == customer
    assert not HelpSession.objects.filter(user=other).exists()


def test_another_visitors_session_and_an_ended_or_idle_one_are_not_current():
    customer = UserFactory()
    theirs = _open(user=UserFactory())
    ended = _open(outcome=HelpOutcome.DEFLECTED)
    idle = _open(last_activity_at=timezone.now() - timedelta(hours=2))

    assert selectors.help_session_current(session_id=theirs.pk, user=customer) is None
    assert selectors.help_session_current(session_id=theirs.pk, user=None) is None
    assert selectors.help_session_current(session_id=ended.pk, user=None) is None
    assert selectors.help_session_latest(session_id=ended.pk, user=None) == ended
    assert selectors.help_session_current(session_id=idle.pk, user=None) is None
    assert selectors.help_session_current(session_id=None, user=customer) is None


def test_help_session_for_continues_claims_or_starts_from_plain_values():
    customer = UserFactory()
    anonymous = _open()

    continued = services.help_session_for(session_id=anonymous.pk, session_key="k2", user=customer, language="en")
    HelpSession.objects.filter(pk=anonymous.pk).update(outcome=HelpOutcome.ESCALATED)
    started = services.help_session_for(session_id=anonymous.pk, session_key="k2", user=customer, language="zh-hans")

    assert (continued.pk, continued.user) == (anonymous.pk, customer)
    assert started.pk != anonymous.pk
    assert (started.session_key, started.user, started.language) == ("k2", customer, "zh-hans")


def test_the_adapter_keeps_the_id_in_the_browser_session_and_reads_without_writing(client):
    request = RequestFactory().get("/search/")
    request.session = client.session
    request.user = UserFactory()
    session = _open()
    request.session[browser.SESSION_KEY] = session.pk
    request.session.save()
    request.session.modified = False

    read = browser.current(request)

    assert (read, request.session.modified) == (session, False)
    assert HelpSession.objects.get(pk=session.pk).user is None
    assert browser.claim(request).user == request.user
    assert browser.help_session(request) == session
    assert request.session.modified is False  # the same session: nothing to remember again
