"""Staff publish and resolve notices in the admin, through the services; the banner stays cheap."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from kbportal.accounts.roles import Role
from kbportal.announcements import selectors, services
from kbportal.announcements.models import Audience, NoticeUpdate, ServiceNotice
from tests.accounts.factories import StaffFactory, UserFactory
from tests.queries import page_queries
from tests.tickets.factories import MembershipFactory, OrganisationFactory
from tickets.models import Plan

pytestmark = pytest.mark.django_db

INLINE = "updates"


def _inline(total: int = 1, initial: int = 0, **first) -> dict:
    data = {f"{INLINE}-TOTAL_FORMS": str(total), f"{INLINE}-INITIAL_FORMS": str(initial),
            f"{INLINE}-MIN_NUM_FORMS": "0", f"{INLINE}-MAX_NUM_FORMS": "1000"}  # fmt: skip
    data.update({f"{INLINE}-0-{name}": value for name, value in first.items()})
    return data


def _notice_form(**overrides) -> dict:
    return {
        "kind": "incident",
        "severity": "major",
        "title": "Sync delays",
        "title_zh_hans": "",
        "body": "Changes **arrive late**. <script>alert(1)</script>",
        "body_zh_hans": "",
        "audience": "everyone",
        "plan": "",
        "organisation": "",
        "product_version": "",
        "starts_at_0": "2026-01-01",
        "starts_at_1": "10:00:00",
        "ends_at_0": "",
        "ends_at_1": "",
        **overrides,
    }


@pytest.mark.parametrize("role", [Role.AGENT_TIER_1, Role.AGENT_TIER_2, Role.AGENT_TIER_3, Role.SUPPORT_MANAGER])
def test_agents_and_managers_publish_notices_and_post_updates(client, role):
    client.force_login(StaffFactory(role=role))

    response = client.post(
        reverse("admin:announcements_servicenotice_add"),
        {**_notice_form(), **_inline(status="investigating", body="Looking into it", body_zh_hans="")},
    )

    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else ""
    notice = ServiceNotice.objects.get()
    assert notice.created_by.groups.get().name == str(role)
    assert "<strong>arrive late</strong>" in notice.body_html
    assert "<script>" not in notice.body_html
    assert notice.updates.get().body_html == "<p>Looking into it</p>\n"


@pytest.mark.parametrize("role", [Role.CONTENT_EDITOR, Role.MODERATOR])
def test_editors_and_moderators_do_not_publish_notices(client, role):
    client.force_login(StaffFactory(role=role))

    assert client.get(reverse("admin:announcements_servicenotice_changelist")).status_code == 403


def test_no_role_deletes_notices(client):
    notice = services.notice_publish(title="Kept", by=None)
    client.force_login(StaffFactory(role=Role.SUPPORT_MANAGER))

    assert client.get(reverse("admin:announcements_servicenotice_delete", args=[notice.pk])).status_code == 403


def test_an_update_added_in_the_admin_reaches_the_followers(client, mailoutbox, django_capture_on_commit_callbacks):
    notice = services.notice_publish(title="Sync delays", by=None)
    follower = UserFactory()
    services.notice_follow(notice=notice, user=follower)
    client.force_login(StaffFactory(role=Role.AGENT_TIER_1))

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("admin:announcements_servicenotice_change", args=[notice.pk]),
            {**_notice_form(title="Sync delays"), **_inline(status="identified", body="Found it")},
        )

    assert response.status_code == 302
    assert [message.to for message in mailoutbox] == [[follower.email]]
    assert "Found it" in mailoutbox[0].body
    assert NoticeUpdate.objects.get().created_by is not None


def test_the_resolve_action_resolves_and_tells_followers(client, mailoutbox, django_capture_on_commit_callbacks):
    open_notice = services.notice_publish(title="Open", by=None)
    done = services.notice_publish(title="Done", by=None)
    services.notice_resolve(notice=done, by=None)
    services.notice_follow(notice=open_notice, user=UserFactory())
    client.force_login(StaffFactory(role=Role.SUPPORT_MANAGER))

    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("admin:announcements_servicenotice_changelist"),
            {"action": "resolve_selected", "_selected_action": [open_notice.pk, done.pk]},
        )

    open_notice.refresh_from_db()
    assert open_notice.resolved_at is not None
    assert len(mailoutbox) == 1


def test_the_notice_changelist_costs_the_same_for_3_and_30_notices(client):
    organisation = OrganisationFactory()

    def publish(count: int) -> None:
        for n in range(count):
            notice = services.notice_publish(title=f"Notice {n}", audience=Audience.ORGANISATION,
                                             organisation=organisation, by=None)  # fmt: skip
            services.notice_follow(notice=notice, user=UserFactory())

    client.force_login(StaffFactory(role=Role.SUPPORT_MANAGER))
    url = reverse("admin:announcements_servicenotice_changelist")
    publish(3)
    few = page_queries(client, url)
    publish(27)

    assert page_queries(client, url) == few


def test_the_status_page_costs_the_same_for_3_and_30_notices(client):
    def publish(count: int) -> None:
        for n in range(count):
            services.notice_publish(title=f"Notice {n}", by=None)

    publish(3)
    few = page_queries(client, reverse("announcements:status"))
    publish(27)

    assert page_queries(client, reverse("announcements:status")) == few


# --- The banner's cost ---------------------------------------------------------------------------------------------


def test_the_banner_costs_anonymous_pages_no_query_once_cached(client, publish, settings):
    url = reverse("articles:home")
    without_notices = page_queries(client, url)
    publish(title="Sync delays for some EU customers")
    publish(title="For Enterprise", audience=Audience.PLAN, plan=Plan.ENTERPRISE)

    client.get(url)  # the first page after a change reads the list once
    with_notices = page_queries(client, url)

    assert with_notices == without_notices
    assert "Sync delays for some EU customers" in client.get(url).content.decode()


def test_a_cold_banner_list_costs_one_query(client, publish, settings):
    settings.KBPORTAL_PAGE_CACHE_SECONDS = 0  # the page itself rendered each time (kbportal/pagecache.py)
    url = reverse("articles:home")
    publish(title="Sync delays")
    warm = page_queries(client, url)
    selectors.forget_banner()

    with CaptureQueriesContext(connection) as queries:
        client.get(url)

    assert len(queries) == warm + 1


def test_customers_pay_one_query_only_while_a_plan_or_organisation_notice_runs(client, publish):
    member = MembershipFactory(organisation=OrganisationFactory(plan=Plan.ENTERPRISE)).user
    client.force_login(member)
    url = reverse("articles:home")
    publish(title="For everyone")
    with_everyone = page_queries(client, url)

    publish(title="For Enterprise", audience=Audience.PLAN, plan=Plan.ENTERPRISE)
    client.get(url)

    assert page_queries(client, url) == with_everyone + 1
    assert "For Enterprise" in client.get(url).content.decode()


def test_a_saved_notice_reaches_the_banner_at_once(client, publish):
    url = reverse("articles:home")
    client.get(url)  # cache the empty list
    notice = publish(title="Brand new")

    assert "Brand new" in client.get(url).content.decode()
    services.notice_resolve(notice=notice, by=None)
    assert "Resolved" in Client().get(url).content.decode()
