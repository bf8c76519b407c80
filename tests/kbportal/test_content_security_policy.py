"""The Content-Security-Policy allows no inline style, so no page may carry one."""

import re

import pytest
from django.contrib import admin
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import RequestFactory
from django.urls import reverse

from kbportal.accounts.roles import Role
from kbportal.announcements import services as announcements
from kbportal.announcements.selectors import forget_banner
from kbportal.helpcenter.models import HelpOutcome, HelpSession
from tests.accounts.factories import StaffFactory, UserFactory
from tests.articles.factories import ArticleFactory, VideoFactory
from tests.community.factories import AnswerFactory, QuestionFactory
from tests.tickets.factories import TicketFactory
from tickets import services as tickets

pytestmark = pytest.mark.django_db

STYLE_ATTRIBUTE = re.compile(r"<[a-z][^>]*\sstyle\s*=", re.IGNORECASE)
STYLE_ELEMENT = re.compile(r"<style[\s>]", re.IGNORECASE)
BODY = """## Steps

| Setting | Value |
| --- | --- |
| Proxy | `auto` |

```
hw sync --verbose
```

> **Note** an ![image](https://example.com/a.png) and a [link](https://example.com/)."""


def _directives(policy: str) -> dict[str, str]:
    return dict(directive.strip().split(" ", 1) for directive in policy.split(";"))


def test_the_policy_allows_no_inline_style_and_no_base_element(client):
    policy = _directives(client.get(reverse("articles:home"))["Content-Security-Policy"])

    assert policy["style-src"] == "'self'"
    assert policy["base-uri"] == "'none'"
    assert policy["script-src"] == "'self'"
    assert not any("unsafe" in value for value in policy.values())


@pytest.fixture
def site():
    """A little of everything the pages draw: markdown, a ticket with a file, a forum thread, a notice, charts."""
    forget_banner()
    customer = UserFactory(username="customer")
    article = ArticleFactory(body=BODY, tags=["proxy"])
    video = VideoFactory()
    ticket = TicketFactory(requester=customer, description=BODY)
    tickets.ticket_reply(
        ticket=ticket, author=customer, body="Log attached", attachments=[SimpleUploadedFile("hw.log", b"ERROR\n")]
    )
    question = QuestionFactory(author=customer)
    answer = AnswerFactory(question=question)
    notice = announcements.notice_publish(title="Sync delays for some EU customers", body=BODY, by=None)
    for outcome in (HelpOutcome.DEFLECTED, HelpOutcome.ESCALATED, HelpOutcome.OPEN):
        HelpSession.objects.create(outcome=outcome, search_count=1)
    yield {
        "customer": customer,
        "ticket": ticket,
        "agent": StaffFactory(username="agent", role=Role.AGENT_TIER_1),
        "manager": StaffFactory(username="manager", role=Role.SUPPORT_MANAGER),
        "editor": StaffFactory(username="editor", role=Role.CONTENT_EDITOR),
        "moderator": StaffFactory(username="moderator", role=Role.MODERATOR),
        "superuser": UserFactory(username="root", is_staff=True, is_superuser=True),
        "pages": {
            None: [
                reverse("articles:home"),
                reverse("articles:article_list"),
                article.get_absolute_url(),
                article.category.get_absolute_url(),
                reverse("articles:tag", args=["proxy"]),
                reverse("articles:video_list"),
                video.get_absolute_url(),
                reverse("helpcenter:search") + "?q=sync",
                reverse("helpcenter:contact"),
                reverse("accounts:login"),
                reverse("accounts:sign_up"),
                reverse("accounts:password_reset"),
                reverse("community:questions"),
                question.get_absolute_url(),
                reverse("community:member", args=[answer.author.pk]),
                reverse("announcements:status"),
                notice.get_absolute_url(),
                reverse("api-docs"),
            ],
            "customer": [
                reverse("tickets:list"),
                reverse("tickets:new"),
                ticket.get_absolute_url(),
                reverse("accounts:password_change"),
                reverse("community:ask"),
                reverse("community:notifications"),
            ],
            "agent": [reverse("tickets:queue"), reverse("tickets:staff_detail", args=[ticket.reference])],
            "manager": [reverse("analytics:dashboard"), f"{reverse('analytics:dashboard')}?section=self-service"],
            "editor": [reverse("articles:needs_review")],
            "moderator": [reverse("community:moderation")],
        },
    }
    forget_banner()


def _inline_styles(client, url: str) -> list[str]:
    response = client.get(url)
    assert response.status_code == 200, url
    html = response.content.decode()
    return [match.group() for pattern in (STYLE_ATTRIBUTE, STYLE_ELEMENT) for match in pattern.finditer(html)]


def test_no_page_of_the_site_carries_an_inline_style(client, site):
    found = {}
    for who, urls in site["pages"].items():
        client.logout()
        if who:
            client.force_login(site[who])
        for url in urls:
            if styles := _inline_styles(client, url):
                found[(who, url)] = styles
    assert found == {}


def test_no_admin_page_carries_an_inline_style(client, site):
    """Django's admin templates are not ours, but they live under the same policy: every changelist and add page."""
    superuser = site["superuser"]
    client.force_login(superuser)
    request = RequestFactory().get("/admin/")
    request.user = superuser
    urls = [reverse("admin:index")]
    for model, model_admin in admin.site._registry.items():
        prefix = f"admin:{model._meta.app_label}_{model._meta.model_name}"
        urls.append(reverse(f"{prefix}_changelist"))
        if model_admin.has_add_permission(request):
            urls.append(reverse(f"{prefix}_add"))
    urls += [
        reverse("admin:tickets_ticket_change", args=[site["ticket"].pk]),
        reverse("admin:accounts_user_change", args=[site["customer"].pk]),
        reverse("admin:auth_user_password_change", args=[site["customer"].pk]),
    ]
    found = {url: styles for url in urls if (styles := _inline_styles(client, url))}
    assert found == {}


def test_the_api_docs_take_their_page_rules_from_a_stylesheet(client):
    page = client.get(reverse("api-docs")).content.decode()

    assert "css/api-docs.css" in page
    assert "swagger-ui" in page


def test_frames_come_only_from_the_origins_the_apps_declare(client):
    """articles declares its video players' origins; the foundation's policy lists them and nothing else."""
    from articles.video_providers import FRAME_ORIGINS

    policy = _directives(client.get(reverse("articles:home"))["Content-Security-Policy"])

    assert policy["frame-src"].split() == list(FRAME_ORIGINS)
