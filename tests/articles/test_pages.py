"""The public pages: home, categories, articles with their table of contents, needs-review list."""

from datetime import timedelta
from itertools import pairwise

import pytest
from django.urls import reverse
from django.utils import timezone

from articles import services
from articles.models import Article
from kbportal.accounts.roles import Role
from tests.accounts.factories import StaffFactory
from tests.articles.factories import ArticleFactory, CategoryFactory, VideoFactory

pytestmark = pytest.mark.django_db

LONG_BODY = "\n\n".join(f"## Part {n}\n\nText {n}." for n in range(1, 5))


def test_home_shows_categories_with_counts_popular_and_recent(client):
    parent = CategoryFactory(name="Troubleshooting")
    child = CategoryFactory(name="Network", parent=parent)
    ArticleFactory(category=child, title="Proxy errors")

    page = client.get(reverse("articles:home")).content.decode()

    assert "Troubleshooting" in page
    assert "Network" in page
    assert "1 article" in page
    assert "Proxy errors" in page


def test_a_category_page_lists_the_articles_of_its_subcategories(client):
    parent = CategoryFactory()
    ArticleFactory(category=CategoryFactory(parent=parent), title="Deep article")

    assert "Deep article" in client.get(parent.get_absolute_url()).content.decode()


def test_lists_paginate(client):
    category = CategoryFactory()
    for n in range(25):
        ArticleFactory(category=category, title=f"Article {n:02d}")

    first = client.get(category.get_absolute_url()).content.decode()
    second = client.get(category.get_absolute_url(), {"page": 2}).content.decode()

    assert "Page 1 of 2" in first
    assert "Article 24" in second
    assert "Article 00" not in second


def test_a_long_article_has_breadcrumbs_a_table_of_contents_and_its_translation(client):
    parent = CategoryFactory(name="Accounts")
    original = ArticleFactory(title="Reset your password", body=LONG_BODY, category=CategoryFactory(parent=parent))
    translation = ArticleFactory(title="重置密码", language="zh-hans", translation_of=original)

    page = client.get(original.get_absolute_url()).content.decode()

    assert 'aria-label="Breadcrumb"' in page
    assert "Accounts" in page
    assert 'href="#part-3"' in page
    assert translation.get_absolute_url() in page


def test_a_short_article_has_no_table_of_contents(client):
    article = ArticleFactory(body="## Only one heading\n\nText.")

    assert "On this page" not in client.get(article.get_absolute_url()).content.decode()


def test_related_articles_share_tags_in_the_same_language(client):
    article = ArticleFactory(tags=["sso"])
    related = ArticleFactory(title="Okta set-up", tags=["sso"])
    ArticleFactory(title="SSO auf Deutsch", tags=["sso"], language="zh-hans")

    page = client.get(article.get_absolute_url()).content.decode()

    assert related.title in page
    assert "SSO auf Deutsch" not in page


def test_reading_an_article_counts_a_view(client):
    article = ArticleFactory()

    client.get(article.get_absolute_url())
    client.get(article.get_absolute_url())

    assert Article.objects.get(pk=article.pk).view_count == 2


def test_pages_carry_a_strict_content_security_policy(client):
    policy = client.get(reverse("articles:home"))["Content-Security-Policy"]

    assert "script-src 'self'" in policy
    assert "object-src 'none'" in policy
    assert "https://www.youtube-nocookie.com" in policy


def test_the_needs_review_page_lists_poorly_rated_articles_for_editors(client, settings):
    settings.KBPORTAL_REVIEW_MIN_VOTES = 4
    poor = ArticleFactory(title="Confusing article")
    fine = ArticleFactory(title="Great article")
    for n in range(4):
        services.feedback_submit(item=poor, voter=services.Voter(session_key=f"p{n}"), helpful=n == 0)
        services.feedback_submit(item=fine, voter=services.Voter(session_key=f"f{n}"), helpful=True)
    Article.objects.update(last_reviewed_at="2099-01-01")

    assert client.get(reverse("articles:needs_review")).status_code == 302  # anonymous: sign in first
    client.force_login(StaffFactory(role=Role.CONTENT_EDITOR))
    page = client.get(reverse("articles:needs_review")).content.decode()

    assert "Confusing article" in page
    assert "25%" in page
    assert "Great article" not in page


def test_articles_never_reviewed_for_too_long_need_review(settings):
    settings.KBPORTAL_REVIEW_MAX_AGE_DAYS = 30
    stale = ArticleFactory()
    Article.objects.filter(pk=stale.pk).update(last_reviewed_at="2020-01-01")
    ArticleFactory()  # reviewed never, but created today

    assert list(Article.objects.needs_review()) == [stale]


def test_tags_whose_names_slugify_alike_get_distinct_slugs():
    c, cpp = services.tags_get_or_create(names=["C"]) + services.tags_get_or_create(names=["C++"])

    assert c.slug != cpp.slug
    assert services.tags_get_or_create(names=["c++"]) == [cpp]


def test_an_article_links_only_to_videos_customers_may_watch(client):
    article = ArticleFactory()
    watchable = VideoFactory(title="Watch me")
    scheduled = VideoFactory(title="Not yet", publish_at=timezone.now() + timedelta(days=1))
    for video in (watchable, scheduled):
        video.related_articles.add(article)

    page = client.get(article.get_absolute_url()).content.decode()

    assert "Watch me" in page
    assert "Not yet" not in page


def test_the_search_box_is_a_combobox_and_the_hero_a_named_region(client):
    """axe: aria-expanded is allowed on a combobox only, and all content sits in a landmark."""
    from html.parser import HTMLParser

    class Elements(HTMLParser):
        def __init__(self) -> None:
            super().__init__()
            self.found: dict[str, dict] = {}

        def handle_starttag(self, tag, attrs):
            attributes = dict(attrs)
            if attributes.get("id") == "search-q" or "hero" in (attributes.get("class") or "").split():
                self.found[attributes.get("id") or "hero"] = attributes

    elements = Elements()
    elements.feed(client.get(reverse("articles:home")).content.decode())

    search, hero = elements.found["search-q"], elements.found["hero"]
    assert search["role"] == "combobox"
    assert {"aria-expanded", "aria-controls", "aria-autocomplete"} <= set(search)
    assert hero["aria-labelledby"] == "hero-heading"


def _heading_levels(html: str) -> list[int]:
    import re

    return [int(level) for level in re.findall(r"<h([1-6])[\s>]", html)]


@pytest.mark.parametrize("page", ["home", "article_list", "category", "video_list", "community"])
def test_headings_go_down_one_level_at_a_time(client, page):
    """axe's heading-order: a list's item titles sit one level below the page's heading, never two."""
    from tests.community.factories import QuestionFactory

    category = CategoryFactory()
    ArticleFactory(category=category)
    VideoFactory(category=category)
    QuestionFactory()
    url = {
        "home": reverse("articles:home"),
        "article_list": reverse("articles:article_list"),
        "category": category.get_absolute_url(),
        "video_list": reverse("articles:video_list"),
        "community": reverse("community:questions"),
    }[page]

    levels = _heading_levels(client.get(url).content.decode())

    assert levels[0] == 1
    assert all(later - earlier <= 1 for earlier, later in pairwise(levels)), levels
