"""The language switcher on an article or video page goes to its translation, as in Zendesk Guide.

The switcher is a plain form posting to Django's set_language view; these tests submit what a browser
without JavaScript would submit (the form's own `next` field) and follow the redirects to the page the
visitor lands on.
"""

from html.parser import HTMLParser

import pytest
from django.urls import reverse

from articles.models import Status
from kbportal.choices import Language
from tests.articles.factories import ArticleFactory, VideoFactory

pytestmark = pytest.mark.django_db


class _LanguageForm(HTMLParser):
    """The `next` value of the form that posts to set_language."""

    def __init__(self, action: str):
        super().__init__()
        self.action, self.inside, self.next = action, False, None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.inside = attrs.get("action") == self.action
        elif tag == "input" and self.inside and attrs.get("name") == "next":
            self.next = attrs.get("value")

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = False


def _switch(client, url: str, language: str):
    """Open `url`, choose `language` in the header's switcher, and follow the redirects."""
    parser = _LanguageForm(reverse("set_language"))
    parser.feed(client.get(url).content.decode())
    assert parser.next is not None, "the page has no language switcher"
    response = client.post(reverse("set_language"), {"language": language, "next": parser.next}, follow=True)
    assert response.status_code == 200
    return response


def _landed(response) -> str:
    return response.redirect_chain[-1][0]


def _pair(factory, **translation_fields):
    original = factory(title="Install on Windows", language=Language.EN)
    translation = factory(
        title="在 Windows 上安装", language=Language.ZH_HANS, translation_of=original, **translation_fields
    )
    return original, translation


def test_switching_language_on_an_article_opens_its_translation(client):
    original, translation = _pair(ArticleFactory)

    response = _switch(client, original.get_absolute_url(), "zh-hans")

    assert _landed(response) == translation.get_absolute_url()
    assert "在 Windows 上安装" in response.content.decode()
    assert '<html lang="zh-hans">' in response.content.decode()


def test_switching_back_from_a_translation_opens_the_original(client):
    original, translation = _pair(ArticleFactory)
    client.post(reverse("set_language"), {"language": "zh-hans", "next": "/"})

    response = _switch(client, translation.get_absolute_url(), "en")

    assert _landed(response) == original.get_absolute_url()


def test_an_article_without_a_translation_keeps_the_visitor_on_it(client):
    article = ArticleFactory(title="Only in English", language=Language.EN)

    response = _switch(client, article.get_absolute_url(), "zh-hans")

    assert _landed(response) == article.get_absolute_url()
    assert '<html lang="zh-hans">' in response.content.decode()


@pytest.mark.parametrize("status", [Status.DRAFT, Status.REVIEW, Status.ARCHIVED])
def test_an_unpublished_translation_is_never_shown_to_customers(client, status):
    original, translation = _pair(ArticleFactory, status=status)

    response = _switch(client, original.get_absolute_url(), "zh-hans")

    assert _landed(response) == original.get_absolute_url()
    assert translation.get_absolute_url() not in response.content.decode()
    assert "在 Windows 上安装" not in response.content.decode()


def test_a_scheduled_translation_stays_hidden_until_its_time(client):
    from datetime import timedelta

    from django.utils import timezone

    original, _ = _pair(ArticleFactory, publish_at=timezone.now() + timedelta(days=1))

    response = _switch(client, original.get_absolute_url(), "zh-hans")

    assert _landed(response) == original.get_absolute_url()


def test_editors_previewing_content_are_taken_to_a_draft_translation(editor_client):
    original, translation = _pair(ArticleFactory, status=Status.DRAFT)

    response = _switch(editor_client, original.get_absolute_url(), "zh-hans")

    assert _landed(response) == translation.get_absolute_url()


def test_a_sibling_translation_is_found_through_the_original(client):
    original = ArticleFactory(title="在 Windows 上安装", language=Language.ZH_HANS)
    english = ArticleFactory(title="Install on Windows", language=Language.EN, translation_of=original)
    client.post(reverse("set_language"), {"language": "zh-hans", "next": "/"})

    response = _switch(client, original.get_absolute_url(), "en")

    assert _landed(response) == english.get_absolute_url()


def test_switching_language_on_a_video_opens_its_translation_at_the_same_time(client):
    original, translation = _pair(VideoFactory)

    response = _switch(client, f"{original.get_absolute_url()}?t=75", "zh-hans")

    assert _landed(response) == f"{translation.get_absolute_url()}?t=75"


def test_the_switch_target_of_an_item_the_visitor_may_not_see_is_not_found(client):
    draft = ArticleFactory(status=Status.DRAFT)

    response = client.get(reverse("articles:language_switch", kwargs={"kind": "article", "pk": draft.pk}))

    assert response.status_code == 404


def test_other_pages_keep_their_own_address_in_the_switcher(client):
    response = _switch(client, f"{reverse('articles:article_list')}?type=faq", "zh-hans")

    assert _landed(response) == f"{reverse('articles:article_list')}?type=faq"
