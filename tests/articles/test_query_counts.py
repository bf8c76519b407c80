"""Page and API query counts do not grow with the number of items (10 versus 100)."""

import pytest
from django.urls import reverse

from articles import services
from articles.models import Category
from kbportal.accounts.roles import Role
from tests.accounts.factories import StaffFactory
from tests.articles.factories import ArticleFactory, CategoryFactory, VideoChapterFactory, VideoFactory
from tests.queries import page_queries

pytestmark = pytest.mark.django_db


def _populate(count: int, category: Category) -> None:
    """`count` articles and videos with tags, versions, feedback and chapters, some in subcategories."""
    child = CategoryFactory(parent=category)
    versions = services.product_versions_get_or_create(names=["4.1", "4.2"])
    for n in range(count):
        article = ArticleFactory(category=child if n % 2 else category, tags=[f"tag{n % 7}", "common"])
        article.product_versions.set(versions)
        services.feedback_submit(item=article, voter=services.Voter(session_key=f"s{n}"), helpful=n % 3 > 0)
        video = VideoFactory(category=category)
        VideoChapterFactory(video=video)
        video.related_articles.add(article)


def _counts_for(client, sizes, urls_for) -> list[dict[str, int]]:
    category = CategoryFactory(slug="main")
    results, made = [], 0
    for size in sizes:
        _populate(size - made, category)
        made = size
        results.append({name: page_queries(client, url) for name, url in urls_for(category).items()})
    return results


def _public_urls(category: Category) -> dict[str, str]:
    article = category.articles.order_by("pk").first()
    video = category.videos.order_by("pk").first()
    return {
        "home": reverse("articles:home"),
        "category": category.get_absolute_url(),
        "article list": reverse("articles:article_list"),
        "article": article.get_absolute_url(),
        "video list": reverse("articles:video_list"),
        "video": video.get_absolute_url(),
        "tag": reverse("articles:tag", args=["common"]),
        "api articles": "/api/v1/articles/?page_size=100",
        "api videos": "/api/v1/videos/?page_size=100",
        "api categories": "/api/v1/categories/?page_size=100",
        "api article": f"/api/v1/articles/{article.pk}/",
        "api video": f"/api/v1/videos/{video.pk}/",
    }


def test_public_pages_and_api_use_the_same_queries_for_10_and_100_items(client):
    small, large = _counts_for(client, [10, 100], _public_urls)

    assert small == large


def test_a_signed_in_customer_costs_no_extra_queries_per_item(customer_client):
    small, large = _counts_for(customer_client, [10, 100], _public_urls)

    assert small == large


def _admin_urls(category: Category) -> dict[str, str]:
    article = category.articles.order_by("pk").first()
    return {
        "articles": reverse("admin:articles_article_changelist"),
        "articles needing review": reverse("admin:articles_article_changelist") + "?needs_review=yes",
        "videos": reverse("admin:articles_video_changelist"),
        "feedback": reverse("admin:articles_feedback_changelist"),
        "categories": reverse("admin:articles_category_changelist"),
        "revisions": reverse("admin:articles_articlerevision_changelist"),
        "article change": reverse("admin:articles_article_change", args=[article.pk]),
        "needs review page": reverse("articles:needs_review"),
    }


def test_admin_changelists_use_the_same_queries_for_10_and_100_items(client):
    client.force_login(StaffFactory(role=Role.SUPPORT_MANAGER))

    small, large = _counts_for(client, [10, 100], _admin_urls)

    assert small == large


def test_the_home_page_needs_few_queries(client, django_assert_max_num_queries):
    _populate(20, CategoryFactory())

    with django_assert_max_num_queries(8):
        client.get(reverse("articles:home"))
