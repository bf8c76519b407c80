"""Who sees a notice, and when: audiences (everyone, a plan, an organisation) and the notice's window."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from articles.models import ProductVersion
from kbportal.announcements import selectors, services
from kbportal.announcements.models import Audience, NoticeKind, ServiceNotice, Severity
from tests.accounts.factories import StaffFactory, UserFactory
from tests.tickets.factories import MembershipFactory, OrganisationFactory
from tickets.models import Plan

pytestmark = pytest.mark.django_db


def _titles(user, now=None) -> set[str]:
    return {notice.title for notice in selectors.active_notices(user=user, now=now)}


@pytest.fixture
def acme():
    return OrganisationFactory(name="Acme", plan=Plan.ENTERPRISE)


@pytest.fixture
def audiences(publish, acme):
    publish(title="For everyone")
    publish(title="For Enterprise", audience=Audience.PLAN, plan=Plan.ENTERPRISE)
    publish(title="For Acme", audience=Audience.ORGANISATION, organisation=acme)
    return acme


def test_anonymous_visitors_see_only_notices_for_everyone(audiences, django_user_model):
    from django.contrib.auth.models import AnonymousUser

    assert _titles(AnonymousUser()) == {"For everyone"}


def test_members_see_the_notices_of_their_organisation_and_of_its_plan(audiences):
    member = MembershipFactory(organisation=audiences).user

    assert _titles(member) == {"For everyone", "For Enterprise", "For Acme"}


def test_members_of_another_organisation_on_the_same_plan_see_the_plan_notice_only(audiences):
    other = MembershipFactory(organisation=OrganisationFactory(plan=Plan.ENTERPRISE)).user

    assert _titles(other) == {"For everyone", "For Enterprise"}


def test_customers_on_another_plan_or_without_an_organisation_see_neither(audiences):
    basic = MembershipFactory(organisation=OrganisationFactory(plan=Plan.BASIC)).user

    assert _titles(basic) == {"For everyone"}
    assert _titles(UserFactory()) == {"For everyone"}


def test_staff_see_every_audience(audiences):
    assert _titles(StaffFactory()) == {"For everyone", "For Enterprise", "For Acme"}


def test_a_notice_shows_only_within_its_window(publish):
    now = timezone.now()
    publish(title="Soon", starts_at=now + timedelta(hours=1), ends_at=now + timedelta(hours=2))
    publish(title="Running", starts_at=now - timedelta(hours=1), ends_at=now + timedelta(hours=1))
    publish(title="Open-ended", starts_at=now - timedelta(days=3))
    publish(title="Over", starts_at=now - timedelta(hours=3), ends_at=now - timedelta(hours=2))
    anyone = UserFactory()

    assert _titles(anyone, now) == {"Running", "Open-ended"}
    assert _titles(anyone, now + timedelta(minutes=90)) == {"Soon", "Open-ended"}


def test_a_resolved_incident_lingers_as_resolved_then_leaves(publish, settings):
    settings.KBPORTAL_NOTICE_RESOLVED_SHOWN_MINUTES = 30
    incident = publish(title="Outage", kind=NoticeKind.INCIDENT)
    services.notice_resolve(notice=incident, by=None)
    anyone = UserFactory()

    (shown,) = selectors.active_notices(user=anyone)
    assert shown.is_resolved
    assert _titles(anyone, timezone.now() + timedelta(minutes=31)) == set()


def test_the_most_severe_notice_comes_first_and_resolved_ones_last(publish):
    publish(title="Info", severity=Severity.INFO)
    resolved = publish(title="Fixed", severity=Severity.CRITICAL)
    services.notice_resolve(notice=resolved, by=None)
    publish(title="Critical", severity=Severity.CRITICAL)
    publish(title="Minor", severity=Severity.MINOR)

    assert [n.title for n in selectors.active_notices(user=UserFactory())] == ["Critical", "Minor", "Info", "Fixed"]


def test_known_issues_are_the_running_incidents_of_that_version(publish):
    v42, v41 = ProductVersion.objects.create(name="4.2"), ProductVersion.objects.create(name="4.1")
    publish(title="Sync delays", product_version=v42)
    publish(title="Old bug", product_version=v41)
    publish(title="4.2 maintenance", kind=NoticeKind.MAINTENANCE, product_version=v42)
    fixed = publish(title="Fixed 4.2 bug", product_version=v42)
    services.notice_resolve(notice=fixed, by=None)
    anyone = UserFactory()

    assert [n.title for n in selectors.known_issues(product_version=v42, user=anyone)] == ["Sync delays"]
    assert [n.title for n in selectors.known_issues(product_version=v41.pk, user=anyone)] == ["Old bug"]
    assert selectors.known_issues(product_version=None, user=anyone) == []


def test_an_audience_must_name_its_target_and_keeps_no_other(publish, acme):
    with pytest.raises(ValidationError) as error:
        publish(audience=Audience.PLAN)
    assert "plan" in error.value.message_dict

    with pytest.raises(ValidationError) as error:
        publish(audience=Audience.ORGANISATION)
    assert "organisation" in error.value.message_dict

    notice = publish(audience=Audience.EVERYONE, plan=Plan.BASIC, organisation=acme)
    assert (notice.plan, notice.organisation) == ("", None)


def test_a_window_cannot_end_before_it_starts(publish):
    now = timezone.now()

    with pytest.raises(ValidationError):
        publish(starts_at=now, ends_at=now - timedelta(minutes=1))
    assert not ServiceNotice.objects.exists()


def test_resolving_ends_the_window_and_cannot_be_done_twice(publish):
    notice = publish(ends_at=timezone.now() + timedelta(days=1))

    services.notice_resolve(notice=notice, by=None)
    notice.refresh_from_db()

    assert notice.resolved_at is not None
    assert notice.ends_at == notice.resolved_at
    assert notice.updates.get().status == "resolved"
    with pytest.raises(ValidationError):
        services.notice_resolve(notice=notice, by=None)
