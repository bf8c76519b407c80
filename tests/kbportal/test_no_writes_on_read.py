"""A page that only reads writes nothing: an anonymous GET of a public page inserts, updates and deletes no row
and starts no browser session (no session cookie). What such a page counts — a search, a view — is written
after the response through kbportal/buffer.py, and known crawlers count nothing at all.

`buffer.held()` keeps the writes that follow a response from running, so what is counted here is the request's
own work; each test then writes what waited and checks that it was counted. (The CSRF cookie is another matter:
tests/kbportal for the cookies of anonymous pages.)
"""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from articles.models import Article, Video
from kbportal import buffer
from kbportal.helpcenter.models import HelpEventKind, HelpSession, HelpSessionEvent
from tests.articles.factories import ArticleFactory, CategoryFactory, VideoFactory
from tests.community.factories import AnswerFactory, QuestionFactory

pytestmark = pytest.mark.django_db

WRITE = re.compile(r"^\s*(INSERT|UPDATE|DELETE|REPLACE)\b", re.IGNORECASE)
GOOGLEBOT = "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"
FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"


@pytest.fixture
def site(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        category = CategoryFactory(name="Setup")
        article = ArticleFactory(title="Install HelloWorld on Windows", category=category)
        video = VideoFactory(title="Install HelloWorld in five minutes", category=category)
        question = QuestionFactory(title="Installer stops at 80 percent")
        AnswerFactory(question=question)
    return {"category": category, "article": article, "video": video, "question": question}


def _public_pages(site) -> dict[str, str]:
    return {
        "home": reverse("articles:home"),
        "article list": reverse("articles:article_list"),
        "category": site["category"].get_absolute_url(),
        "article": site["article"].get_absolute_url(),
        "video list": reverse("articles:video_list"),
        "video": site["video"].get_absolute_url(),
        "search page": reverse("helpcenter:search"),
        "search with a query": reverse("helpcenter:search") + "?q=install",
        "search without results": reverse("helpcenter:search") + "?q=quantum+capacitor",
        "forum": reverse("community:questions"),
        "question": site["question"].get_absolute_url(),
        "status": reverse("announcements:status"),
    }


def _writes_of(client: Client, url: str, **headers) -> tuple[list[str], object]:
    with buffer.held(), CaptureQueriesContext(connection) as queries:
        response = client.get(url, headers=headers)
    assert response.status_code == 200, url
    return [query["sql"] for query in queries if WRITE.match(query["sql"])], response


def test_an_anonymous_get_of_every_public_page_writes_nothing_and_starts_no_session(site):
    for name, url in _public_pages(site).items():
        client = Client()
        client.get(url)  # a second visit too: the first must leave nothing behind that the next one writes
        buffer.flush()

        writes, response = _writes_of(client, url, User_Agent=FIREFOX)

        assert writes == [], name
        assert settings.SESSION_COOKIE_NAME not in response.cookies, name
        assert settings.SESSION_COOKIE_NAME not in client.cookies, name
    buffer.flush()


def test_a_search_is_counted_after_the_response_and_begins_a_help_session_there(site):
    client = Client()

    writes, response = _writes_of(client, reverse("helpcenter:search") + "?q=install", User_Agent=FIREFOX)
    assert writes == []
    assert not HelpSession.objects.exists()

    buffer.flush()

    assert "private" in response["Cache-Control"]  # it carries this visitor's visit token
    search = HelpSessionEvent.objects.get(kind=HelpEventKind.SEARCH)
    assert (search.query, search.result_count, search.session.search_count) == (
        "install",
        3,
        1,
    )  # the article, the video and the question
    assert search.session.visit_token == response.context["visit"]


def test_views_are_added_in_batches_after_the_response(site):
    article, video = site["article"], site["video"]
    before = Article.objects.get(pk=article.pk).view_count
    client = Client()

    for _ in range(5):
        writes, _response = _writes_of(client, article.get_absolute_url(), User_Agent=FIREFOX)
        assert writes == []
    _writes_of(client, video.get_absolute_url(), User_Agent=FIREFOX)
    assert Article.objects.get(pk=article.pk).view_count == before

    with CaptureQueriesContext(connection) as flushed:
        assert buffer.flush() == 6

    assert Article.objects.get(pk=article.pk).view_count == before + 5
    assert Video.objects.get(pk=video.pk).view_count == video.view_count + 1
    updates = [query["sql"] for query in flushed if WRITE.match(query["sql"])]
    assert len(updates) == 2  # one UPDATE per item, whatever its number of views
    assert all('"view_count" + ' in sql for sql in updates)


def test_a_view_is_written_right_after_its_response_on_the_embedded_default(site):
    article = site["article"]

    Client().get(article.get_absolute_url())

    assert Article.objects.get(pk=article.pk).view_count == article.view_count + 1


@pytest.mark.parametrize(
    "agent",
    [GOOGLEBOT, "Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)", "curl/8.5.0"],
    ids=["googlebot", "bingbot", "curl"],
)
def test_known_crawlers_start_no_help_session_and_count_no_view(site, agent):
    crawler = Client(headers={"User-Agent": agent})

    results = crawler.get(reverse("helpcenter:search"), {"q": "install"})
    link = re.search(r'href="([^"]*\?hs=search[^"]*)"', results.content.decode()).group(1)
    crawler.get(link)
    buffer.flush()

    assert not HelpSession.objects.exists()
    assert not HelpSessionEvent.objects.exists()
    assert Article.objects.get(pk=site["article"].pk).view_count == site["article"].view_count
    assert "hq=" not in link  # nothing in the link could begin a session either
