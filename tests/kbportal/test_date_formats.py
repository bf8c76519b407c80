"""Dates and times follow the reader's language everywhere: one style per language, never a fixed pattern.

English reads "Nov. 26, 2030" and "15:32" (a 24-hour clock, as service levels are given), Chinese
"2030年11月26日 15:32"; no page mixes "11/26/2030" with "Nov. 26, 2030" or "3:32 p.m." with "15:32".
"""

from datetime import UTC, date, datetime

import pytest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from articles.models import Article
from kbportal.accounts.roles import Role
from kbportal.analytics.scope import Scope
from kbportal.choices import Language
from tests.accounts.factories import StaffFactory
from tests.articles.factories import ArticleFactory
from tests.tickets.factories import MembershipFactory, OrganisationFactory, TicketFactory
from tickets.models import Ticket

pytestmark = pytest.mark.django_db

UPDATED = datetime(2030, 11, 26, 7, 32, tzinfo=UTC)


def test_the_home_page_dates_recent_articles_in_the_readers_language(client):
    ArticleFactory(language=Language.EN, title="Recent in English")
    ArticleFactory(language=Language.ZH_HANS, title="最近的文章")
    Article.objects.update(updated_at=UPDATED)

    english = client.get(reverse("articles:home"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    chinese = client.get(reverse("articles:home"), HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()

    assert ">Nov. 26, 2030</time>" in english
    assert "11/26/2030" not in english
    assert ">2030年11月26日</time>" in chinese


def test_a_ticket_page_gives_every_time_on_one_clock_in_each_language(client):
    member = MembershipFactory(organisation=OrganisationFactory(time_zone="Asia/Shanghai")).user
    ticket = TicketFactory(requester=member)
    due = datetime(2030, 11, 26, 9, 0, tzinfo=UTC)  # 17:00 in Shanghai
    Ticket.objects.filter(pk=ticket.pk).update(created_at=UPDATED, first_response_due_at=due)
    client.force_login(member)

    english = client.get(ticket.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    chinese = client.get(ticket.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()

    assert "First response due by 17:00 on Nov. 26, 2030." in english
    assert "Nov. 26, 2030, 15:32</time>" in english  # opened; not "3:32 p.m."
    assert "2030年11月26日 17:00" in chinese
    assert "2030年11月26日 15:32</time>" in chinese


def test_the_queue_gives_due_times_in_the_readers_language(client):
    agent = StaffFactory(username="agent", role=Role.AGENT_TIER_1)
    member = MembershipFactory(organisation=OrganisationFactory(time_zone="UTC")).user
    ticket = TicketFactory(requester=member)
    Ticket.objects.filter(pk=ticket.pk).update(first_response_due_at=datetime(2030, 11, 26, 9, 0, tzinfo=UTC))
    client.force_login(agent)

    english = client.get(reverse("tickets:queue"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    chinese = client.get(reverse("tickets:queue"), HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()

    assert "09:00 on Nov. 26, 2030" in english
    assert "2030年11月26日 09:00" in chinese


def test_the_weekly_digest_subject_writes_its_dates_in_the_language_it_is_sent_in():
    scope = Scope(since=date(2030, 11, 18), until=date(2030, 11, 24))

    with translation.override("en"):
        english = render_to_string("analytics/email/digest_subject.txt", {"scope": scope})
    with translation.override("zh-hans"):
        chinese = render_to_string("analytics/email/digest_subject.txt", {"scope": scope})

    assert "Nov. 18, 2030" in english
    assert "Nov. 24, 2030" in english
    assert "2030年11月18日" in chinese
    assert "2030年11月24日" in chinese
