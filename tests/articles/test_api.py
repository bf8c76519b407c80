"""The read API: filters and ordering are declared, pages have a hard maximum, deny by default."""

import pytest

from articles import services
from tests.articles.factories import ArticleFactory, CategoryFactory, VideoFactory

pytestmark = pytest.mark.django_db


def _ids(response) -> list[int]:
    assert response.status_code == 200
    return [row["id"] for row in response.json()["results"]]


def test_articles_filter_by_category_language_type_tag_and_version(client):
    category = CategoryFactory()
    match = ArticleFactory(category=category, language="zh-hans", type="faq", tags=["sso"])
    match.product_versions.set(services.product_versions_get_or_create(names=["4.2"]))
    ArticleFactory(category=category, language="en", type="faq", tags=["sso"])
    ArticleFactory(language="zh-hans", type="how-to")

    response = client.get(
        "/api/v1/articles/",
        {"category": category.pk, "language": "zh-hans", "type": "faq", "tag": "SSO", "product_version": "4.2"},
    )

    assert _ids(response) == [match.pk]


def test_unknown_filter_values_answer_400_with_the_field(client):
    response = client.get("/api/v1/articles/", {"language": "klingon", "type": "poem"})

    assert response.status_code == 400
    assert set(response.json()) == {"language", "type"}


def test_only_declared_ordering_fields_are_used(client):
    first, second = ArticleFactory(title="B"), ArticleFactory(title="A")

    assert _ids(client.get("/api/v1/articles/", {"ordering": "title"})) == [second.pk, first.pk]
    # body is not declared: the request's ordering is ignored and the default applies.
    assert sorted(_ids(client.get("/api/v1/articles/", {"ordering": "body"}))) == sorted([first.pk, second.pk])


def test_page_size_has_a_hard_maximum(client):
    category = CategoryFactory()
    for _ in range(105):
        ArticleFactory(category=category)

    response = client.get("/api/v1/articles/", {"page_size": 1000})

    assert len(response.json()["results"]) == 100
    assert response.json()["count"] == 105


def test_article_detail_carries_sanitized_html_and_toc(client):
    article = ArticleFactory(body="## Install\n\n<script>alert(1)</script>\n\n## Configure\n\nDone.")

    data = client.get(f"/api/v1/articles/{article.pk}/").json()

    assert "<script>" not in data["body_html"]
    assert [entry["anchor"] for entry in data["toc"]] == ["install", "configure"]


def test_video_detail_lists_chapters(client):
    video = VideoFactory()
    video.chapters.create(start_seconds=0, title="Intro")

    data = client.get(f"/api/v1/videos/{video.pk}/").json()

    assert data["chapters"] == [{"start_seconds": 0, "title": "Intro"}]
    assert data["embed_url"].startswith("https://www.youtube-nocookie.com/embed/")


def test_writes_to_read_only_endpoints_are_refused(customer_client):
    article = ArticleFactory()

    assert customer_client.post("/api/v1/articles/", {"title": "x"}).status_code == 405
    assert customer_client.delete(f"/api/v1/articles/{article.pk}/").status_code == 405


def test_a_token_signs_api_calls_in(client, customer, password):
    token = client.post("/api/v1/auth/token/", {"username": customer.email, "password": password}).json()["token"]
    article = ArticleFactory()

    response = client.post(
        f"/api/v1/articles/{article.pk}/feedback/",
        {"helpful": True},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Token {token}",
    )

    assert response.status_code == 200
    assert response.json()["helpful_count"] == 1


def test_the_schema_and_docs_are_served(client):
    schema = client.get("/api/v1/schema/")

    assert schema.status_code == 200
    assert b"/api/v1/articles/" in schema.content
    assert client.get("/api/v1/docs/").status_code == 200
