"""A known issue on the contact form heads off a ticket: following it is a deflection. Followers hear of news."""

import pytest
from django.test import Client
from django.urls import reverse

from articles.models import ProductVersion
from kbportal.analytics.registry import registry
from kbportal.analytics.scope import default_scope
from kbportal.announcements import services
from kbportal.announcements.models import NoticeFollow, NoticeKind, UpdateStatus
from kbportal.helpcenter import selectors as help_selectors
from kbportal.helpcenter import session as help_browser
from kbportal.helpcenter.models import HelpEventKind, HelpOutcome, HelpSession, HelpSessionEvent, HelpVia
from tests.accounts.factories import UserFactory

pytestmark = pytest.mark.django_db

KNOWN_ISSUE = "Known issue — follow it instead of opening a ticket"


@pytest.fixture
def versions():
    return ProductVersion.objects.create(name="4.2"), ProductVersion.objects.create(name="4.1")


@pytest.fixture
def incident(publish, versions):
    return publish(title="Sync delays for some EU customers", kind=NoticeKind.INCIDENT, product_version=versions[0])


def _contact(client, version) -> str:
    """The contact form sent back (an empty description) with a product version chosen."""
    response = client.post(reverse("helpcenter:contact"), {"subject": "Sync is slow", "product_version": version.pk})
    assert response.status_code == 400
    return response.content.decode()


def _session(client) -> HelpSession:
    return HelpSession.objects.get(pk=client.session[help_browser.SESSION_KEY])


def _search_and_reach_the_contact_form(client, query: str) -> None:
    """Search, then open the contact form as the results page links it (with the search visit): the form, where
    known issues are offered, makes the visit's help session the browser's own."""
    visit = client.get(reverse("helpcenter:search"), {"q": query}).context["visit"]
    client.get(reverse("helpcenter:contact"), {"hv": visit})


# --- The contact form ---------------------------------------------------------------------------------------


def test_the_contact_form_shows_the_incident_of_the_chosen_version(customer_client, incident, versions):
    html = _contact(customer_client, versions[0])

    assert KNOWN_ISSUE in html
    assert "Sync delays for some EU customers" in html
    assert reverse("announcements:follow", kwargs={"pk": incident.pk}) in html


def test_other_versions_and_no_version_show_no_known_issue(customer_client, incident, versions):
    assert KNOWN_ISSUE not in _contact(customer_client, versions[1])
    assert KNOWN_ISSUE not in customer_client.get(reverse("helpcenter:contact")).content.decode()


def test_maintenance_and_resolved_incidents_are_not_known_issues(customer_client, publish, incident, versions):
    services.notice_resolve(notice=incident, by=None)
    publish(title="Upgrade", kind=NoticeKind.MAINTENANCE, product_version=versions[0])

    assert KNOWN_ISSUE not in _contact(customer_client, versions[0])


def test_the_version_prefilled_from_the_help_session_shows_its_known_issue(customer_client, incident, monkeypatch):
    from kbportal.helpcenter.selectors import ContactPrefill, Topic

    def with_version(*, session):
        return ContactPrefill(subject="Sync is slow", topic=Topic(product_version_id=incident.product_version_id))

    monkeypatch.setattr(help_selectors, "contact_prefill", with_version)

    html = customer_client.get(reverse("helpcenter:contact")).content.decode()

    assert KNOWN_ISSUE in html


# --- Following from the contact form is a deflection -------------------------------------------------------------


def test_following_from_the_contact_form_ends_the_help_session_as_deflected(customer_client, customer, incident):
    _search_and_reach_the_contact_form(customer_client, "sync slow")
    session = _session(customer_client)
    assert session.outcome == HelpOutcome.OPEN

    response = customer_client.post(
        reverse("announcements:follow", kwargs={"pk": incident.pk}), {"via": HelpVia.CONTACT_FORM}
    )

    assert response.status_code == 302
    assert NoticeFollow.objects.filter(notice=incident, user=customer).exists()
    session.refresh_from_db()
    assert session.outcome == HelpOutcome.DEFLECTED
    assert session.verdict_at is not None
    event = session.events.get(kind=HelpEventKind.FOLLOWED_NOTICE)
    assert (event.item_kind, event.item_id, event.item_title) == ("notice", incident.pk, incident.title)
    assert event.via == HelpVia.CONTACT_FORM


def test_following_twice_records_the_deflection_once(customer_client, incident):
    _search_and_reach_the_contact_form(customer_client, "sync slow")
    follow = reverse("announcements:follow", kwargs={"pk": incident.pk})

    customer_client.post(follow, {"via": HelpVia.CONTACT_FORM})
    customer_client.post(follow, {"via": HelpVia.CONTACT_FORM})

    assert HelpSessionEvent.objects.filter(kind=HelpEventKind.FOLLOWED_NOTICE).count() == 1


def test_without_a_help_session_the_follow_works_and_still_counts_as_a_deflection(customer_client, customer, incident):
    customer_client.post(reverse("announcements:follow", kwargs={"pk": incident.pk}), {"via": HelpVia.CONTACT_FORM})

    assert NoticeFollow.objects.filter(notice=incident, user=customer).exists()
    session = _session(customer_client)
    assert (session.outcome, session.user) == (HelpOutcome.DEFLECTED, customer)


def test_following_from_the_status_page_is_not_a_deflection(customer_client, incident):
    _search_and_reach_the_contact_form(customer_client, "sync slow")

    customer_client.post(reverse("announcements:follow", kwargs={"pk": incident.pk}))

    assert _session(customer_client).outcome == HelpOutcome.OPEN


def test_a_visitor_signs_in_and_the_follow_still_counts_for_their_session(client, incident, password):
    _search_and_reach_the_contact_form(client, "sync slow")
    response = client.post(reverse("announcements:follow", kwargs={"pk": incident.pk}), {"via": HelpVia.CONTACT_FORM})
    assert "via%3Dcontact-form" in response["Location"] or "via=contact-form" in response["Location"]
    member = UserFactory()
    client.post(reverse("accounts:login"), {"username": member.username, "password": password})

    page = client.get(f"{incident.get_absolute_url()}?via=contact-form").content.decode()
    assert 'name="via" value="contact-form"' in page
    client.post(reverse("announcements:follow", kwargs={"pk": incident.pk}), {"via": HelpVia.CONTACT_FORM})

    session = _session(client)
    assert (session.outcome, session.user) == (HelpOutcome.DEFLECTED, member)


def test_the_deflection_report_counts_the_follow_as_solved(customer_client, incident):
    _search_and_reach_the_contact_form(customer_client, "sync slow")
    customer_client.post(reverse("announcements:follow", kwargs={"pk": incident.pk}), {"via": HelpVia.CONTACT_FORM})

    solved = registry.metrics["deflection_rate"].value(default_scope())

    assert solved == 1.0


# --- Followers hear of updates and of the resolution ---------------------------------------------------------


@pytest.fixture
def followers(incident):
    english, chinese, quiet = UserFactory(), UserFactory(), UserFactory(is_active=False)
    services.notice_follow(notice=incident, user=english)
    services.notice_follow(notice=incident, user=chinese, language="zh-hans")
    services.notice_follow(notice=incident, user=quiet)
    return english, chinese


def test_followers_are_mailed_each_update_after_commit(
    incident, followers, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.notice_add_update(notice=incident, body="A node in Frankfurt is overloaded.", status="identified",
                                   body_zh_hans="法兰克福的一个节点过载。", by=None)  # fmt: skip
    assert mailoutbox == []  # nothing leaves before the commit

    for callback in callbacks:
        callback()

    assert sorted(message.to[0] for message in mailoutbox) == sorted(user.email for user in followers)
    english = next(m for m in mailoutbox if m.to == [followers[0].email])
    chinese = next(m for m in mailoutbox if m.to == [followers[1].email])
    assert "Sync delays for some EU customers" in english.subject
    assert "Frankfurt is overloaded" in english.body
    assert "法兰克福" in chinese.body
    assert incident.get_absolute_url() in english.body
    assert english.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


def test_followers_are_mailed_the_resolution(incident, followers, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.notice_resolve(notice=incident, by=None)

    assert len(mailoutbox) == 2
    assert all(message.subject.startswith("Resolved") for message in mailoutbox if message.to == [followers[0].email])
    assert "This incident is resolved." in mailoutbox[0].body


def test_the_unsubscribe_link_stops_the_mails(
    client, incident, followers, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.notice_add_update(notice=incident, body="Still looking", status=UpdateStatus.INVESTIGATING, by=None)
    link = next(m for m in mailoutbox if m.to == [followers[0].email]).extra_headers["List-Unsubscribe"].strip("<>")
    path = link.split("://", 1)[1].split("/", 1)[1]

    assert client.get(f"/{path}").status_code == 200  # a link scanner's GET changes nothing
    assert NoticeFollow.objects.filter(user=followers[0]).exists()
    client.post(f"/{path}")

    assert not NoticeFollow.objects.filter(user=followers[0]).exists()
    assert Client().post("/status/unsubscribe/forged/").status_code == 400


def test_a_follower_outside_the_notice_s_new_audience_is_not_mailed(
    publish, mailoutbox, django_capture_on_commit_callbacks
):
    from kbportal.announcements.models import Audience
    from tests.tickets.factories import MembershipFactory, OrganisationFactory

    acme, other = OrganisationFactory(name="Acme"), OrganisationFactory(name="Other")
    insider, outsider = UserFactory(), UserFactory()
    MembershipFactory(user=insider, organisation=acme)
    MembershipFactory(user=outsider, organisation=other)
    notice = publish(title="Sync delays")
    for user in (insider, outsider):
        services.notice_follow(notice=notice, user=user, language="en")
    services.notice_edit(notice=notice, by=None, audience=Audience.ORGANISATION, organisation=acme,
                         title="Acme & Co: private outage")  # fmt: skip

    with django_capture_on_commit_callbacks(execute=True):
        services.notice_add_update(notice=notice, body="Internal detail", status=UpdateStatus.INVESTIGATING, by=None)

    assert [message.to for message in mailoutbox] == [[insider.email]]
    assert "Acme & Co" in mailoutbox[0].subject  # plain text, not HTML entities


def test_customers_without_an_organisation_see_basic_plan_notices(publish):
    from kbportal.announcements.models import Audience
    from kbportal.announcements.selectors import active_notices
    from tickets.models import Plan

    notice = publish(title="Basic plan maintenance", audience=Audience.PLAN, plan=Plan.BASIC)

    assert [item.pk for item in active_notices(user=UserFactory())] == [notice.pk]
