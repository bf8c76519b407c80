"""Customers reach only published, due items; everything else answers 404 to them."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from articles.models import Article, Status
from tests.articles.factories import ArticleFactory, VideoFactory

pytestmark = pytest.mark.django_db

HIDDEN_STATES = [
    pytest.param({"status": Status.DRAFT}, id="draft"),
    pytest.param({"status": Status.REVIEW}, id="in-review"),
    pytest.param({"status": Status.ARCHIVED}, id="archived"),
    pytest.param({"status": Status.PUBLISHED, "publish_at_offset": timedelta(days=1)}, id="scheduled"),
]


def _make(factory, state):
    offset = state.get("publish_at_offset")
    return factory(status=state["status"], publish_at=timezone.now() + offset if offset else None)


@pytest.mark.parametrize("state", HIDDEN_STATES)
def test_hidden_article_answers_404_on_its_page(client, state):
    article = _make(ArticleFactory, state)

    assert client.get(article.get_absolute_url()).status_code == 404


@pytest.mark.parametrize("state", HIDDEN_STATES)
def test_hidden_article_is_missing_from_lists_and_api(client, state):
    hidden = _make(ArticleFactory, state)
    visible = ArticleFactory(category=hidden.category)

    for url in (reverse("articles:article_list"), hidden.category.get_absolute_url(), reverse("articles:home")):
        page = client.get(url).content.decode()
        assert hidden.title not in page
        assert visible.title in page
    listed = [row["id"] for row in client.get("/api/v1/articles/").json()["results"]]
    assert listed == [visible.pk]
    assert client.get(f"/api/v1/articles/{hidden.pk}/").status_code == 404


@pytest.mark.parametrize("state", HIDDEN_STATES)
def test_hidden_video_answers_404_on_page_and_api(client, state):
    video = _make(VideoFactory, state)

    assert client.get(video.get_absolute_url()).status_code == 404
    assert client.get(f"/api/v1/videos/{video.pk}/").status_code == 404
    assert client.get("/api/v1/videos/").json()["count"] == 0


def test_hidden_article_stays_hidden_from_signed_in_customers(customer_client):
    article = ArticleFactory(status=Status.DRAFT)

    assert customer_client.get(article.get_absolute_url()).status_code == 404


def test_scheduled_article_appears_once_its_time_has_come(client):
    article = ArticleFactory(publish_at=timezone.now() + timedelta(hours=1))
    assert client.get(article.get_absolute_url()).status_code == 404

    Article.objects.filter(pk=article.pk).update(publish_at=timezone.now() - timedelta(seconds=1))

    assert client.get(article.get_absolute_url()).status_code == 200


def test_editor_previews_a_draft_with_a_warning(editor_client):
    article = ArticleFactory(status=Status.DRAFT)

    response = editor_client.get(article.get_absolute_url())

    assert response.status_code == 200
    assert "customers cannot see it" in response.content.decode()


def test_feedback_on_a_hidden_article_is_refused(client):
    article = ArticleFactory(status=Status.DRAFT)

    response = client.post(reverse("articles:feedback", args=["article", article.pk]), {"helpful": "yes"})

    assert response.status_code == 404
    assert article.feedback.count() == 0


def test_wrong_slug_redirects_to_the_canonical_url(client):
    article = ArticleFactory(title="Install on Linux")

    response = client.get(reverse("articles:article", kwargs={"pk": article.pk, "slug": "old-title"}))

    assert response.status_code == 301
    assert response["Location"] == article.get_absolute_url()
