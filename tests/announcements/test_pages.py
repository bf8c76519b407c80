"""The banner on every page and above search results, the status page, a notice's page, following."""

from datetime import UTC, datetime, timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from kbportal.announcements import services
from kbportal.announcements.models import Audience, NoticeFollow, NoticeKind, Severity, UpdateStatus
from tests.accounts.factories import UserFactory
from tests.tickets.factories import MembershipFactory, OrganisationFactory
from tickets.models import Plan

pytestmark = pytest.mark.django_db

PAGES = ["articles:home", "articles:article_list", "community:questions", "helpcenter:contact", "announcements:status"]


def _html(response) -> str:
    assert response.status_code == 200
    return response.content.decode()


def _banner(html: str) -> str:
    start = html.find('class="status-banner"')
    return html[start : html.find("</section>", start)] if start >= 0 else ""


@pytest.mark.parametrize("page", [p for p in PAGES if p != "announcements:status"])
def test_a_running_notice_shows_as_a_banner_on_portal_pages(client, publish, page):
    notice = publish(title="Sync delays for some EU customers", severity=Severity.MAJOR)

    banner = _banner(_html(client.get(reverse(page))))

    assert "Sync delays for some EU customers" in banner
    assert notice.get_absolute_url() in banner
    assert "severity-major" in banner
    assert 'aria-labelledby="status-banner-heading"' in banner


def test_no_banner_without_a_running_notice(client, publish):
    publish(title="Next week", starts_at=timezone.now() + timedelta(days=7))

    assert _banner(_html(client.get(reverse("articles:home")))) == ""


def test_the_banner_stands_above_the_search_results_once(client, publish):
    publish(title="Sync delays for some EU customers")

    html = _html(client.get(reverse("helpcenter:search"), {"q": "sync"}))

    assert html.count('class="status-banner"') == 1
    assert html.index('class="search-page-form"') < html.index('class="status-banner"')
    assert html.index('class="status-banner"') < html.index("still-need-help")


def test_the_banner_is_in_the_visitors_language(client, publish):
    publish(title="Sync delays", title_zh_hans="同步延迟")

    html = _html(client.get(reverse("articles:home"), HTTP_ACCEPT_LANGUAGE="zh-hans"))

    assert "同步延迟" in _banner(html)


def test_a_plan_notice_reaches_its_customers_banner_only(client, publish):
    publish(title="Enterprise failover", audience=Audience.PLAN, plan=Plan.ENTERPRISE)
    enterprise = MembershipFactory(organisation=OrganisationFactory(plan=Plan.ENTERPRISE)).user
    basic = MembershipFactory(organisation=OrganisationFactory(plan=Plan.BASIC)).user

    assert "Enterprise failover" not in _html(client.get(reverse("articles:home")))
    client.force_login(basic)
    assert "Enterprise failover" not in _html(client.get(reverse("articles:home")))
    client.force_login(enterprise)
    assert "Enterprise failover" in _html(client.get(reverse("articles:home")))


def test_the_status_page_lists_running_scheduled_and_recent_notices(client, publish):
    now = timezone.now()
    publish(title="Running incident")
    publish(title="Database upgrade", kind=NoticeKind.MAINTENANCE, starts_at=now + timedelta(days=2))
    services.notice_resolve(notice=publish(title="Fixed last week", starts_at=now - timedelta(days=6)), by=None)
    publish(title="Long ago", starts_at=now - timedelta(days=60), ends_at=now - timedelta(days=59))
    publish(title="Acme only", audience=Audience.ORGANISATION, organisation=OrganisationFactory())

    html = _html(client.get(reverse("announcements:status")))

    assert html.index("Running incident") < html.index("Database upgrade") < html.index("Fixed last week")
    assert "Long ago" not in html
    assert "Acme only" not in html
    assert 'class="status-banner"' not in html  # the page itself is the list


def test_all_clear_when_nothing_runs(client):
    assert "All systems are working normally." in _html(client.get(reverse("announcements:status")))


def test_a_notice_page_shows_its_sanitised_body_and_its_updates_newest_first(client, publish):
    notice = publish(body="Use **offline mode**.\n\n<script>alert(1)</script>\n\n[x](javascript:alert(2))")
    services.notice_add_update(notice=notice, body="Looking into it", status=UpdateStatus.INVESTIGATING, by=None)
    services.notice_add_update(notice=notice, body="Found <img src=x onerror=alert(3)>", status="identified", by=None)

    html = _html(client.get(notice.get_absolute_url()))

    assert "<strong>offline mode</strong>" in html
    assert "<script>alert(1)" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert 'href="javascript:' not in html
    assert "Found &lt;img src=x onerror=alert(3)&gt;" in html  # shown as text, never as a tag
    assert html.index("Found") < html.index("Looking into it")
    assert "<script>" not in notice.body_html


def test_notices_of_another_audience_are_not_found(client, publish):
    notice = publish(audience=Audience.ORGANISATION, organisation=OrganisationFactory())

    assert client.get(notice.get_absolute_url()).status_code == 404
    client.force_login(MembershipFactory(organisation=notice.organisation).user)
    assert client.get(notice.get_absolute_url()).status_code == 200


def test_following_is_a_post_with_a_csrf_token(publish, customer):
    notice = publish()
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(customer)
    follow = reverse("announcements:follow", kwargs={"pk": notice.pk})

    assert browser.get(follow).status_code == 405
    assert browser.post(follow).status_code == 403
    assert not NoticeFollow.objects.exists()

    page = browser.get(notice.get_absolute_url())
    token = page.context["csrf_token"]
    response = browser.post(follow, {"csrfmiddlewaretoken": str(token)})

    assert response.status_code == 302
    assert NoticeFollow.objects.filter(notice=notice, user=customer).count() == 1


def test_following_twice_keeps_one_follow_and_unfollowing_removes_it(customer_client, customer, publish):
    notice = publish()
    follow = reverse("announcements:follow", kwargs={"pk": notice.pk})

    customer_client.post(follow)
    customer_client.post(follow, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert NoticeFollow.objects.filter(notice=notice, user=customer).count() == 1
    assert "Stop following" in _html(customer_client.get(notice.get_absolute_url()))

    customer_client.post(reverse("announcements:unfollow", kwargs={"pk": notice.pk}))
    assert not NoticeFollow.objects.exists()


def test_a_follow_remembers_the_language_it_was_made_in(client, publish):
    notice = publish()
    member = UserFactory()
    client.force_login(member)

    client.post(reverse("announcements:follow", kwargs={"pk": notice.pk}), HTTP_ACCEPT_LANGUAGE="zh-hans")

    assert NoticeFollow.objects.get(user=member).language == "zh-hans"


def test_visitors_without_an_account_sign_in_to_follow(client, publish):
    notice = publish()

    response = client.post(reverse("announcements:follow", kwargs={"pk": notice.pk}))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))
    assert not NoticeFollow.objects.exists()


def test_a_notices_times_name_the_readers_zone_when_it_is_not_the_sites(client, publish):
    starts = datetime(2025, 1, 15, 7, 32, tzinfo=UTC)  # winter in Berlin: CET, 08:32
    notice = publish(title="Sync delays", starts_at=starts)
    url = notice.get_absolute_url()

    at_the_sites = _html(client.get(url, HTTP_ACCEPT_LANGUAGE="en"))
    client.cookies["tz"] = "Europe/Berlin"
    in_berlin = _html(client.get(url, HTTP_ACCEPT_LANGUAGE="en"))

    assert "07:32" in at_the_sites
    assert "07:32 UTC" not in at_the_sites
    assert "08:32 CET" in in_berlin
