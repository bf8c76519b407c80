"""English and Simplified Chinese: the browser's language by default, a switcher on every page."""

import re
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from django.conf import settings
from django.urls import reverse

from tests.articles.factories import ArticleFactory, VideoFactory

CATALOGUE = Path(settings.BASE_DIR) / "kbportal" / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|\{\{ ?\w+ ?\}\}")


def _catalogue():
    with CATALOGUE.open("rb") as handle:
        return read_po(handle)


def test_the_chinese_catalogue_translates_every_message():
    untranslated = [
        message.id
        for message in _catalogue()
        if message.id
        and (message.fuzzy or not all(message.string if isinstance(message.string, tuple) else [message.string]))
    ]

    assert untranslated == []


def test_translations_keep_every_placeholder():
    broken = []
    for message in _catalogue():
        if not message.id:
            continue
        source = message.id[0] if isinstance(message.id, tuple) else message.id
        target = message.string[0] if isinstance(message.string, tuple) else message.string
        if sorted(PLACEHOLDER.findall(source)) != sorted(PLACEHOLDER.findall(target)):
            broken.append(source)

    assert broken == []


@pytest.mark.django_db
def test_the_browser_language_is_chosen_by_default(client):
    chinese = client.get(reverse("articles:home"), HTTP_ACCEPT_LANGUAGE="zh-CN,zh;q=0.9,en;q=0.5")
    english = client.get(reverse("articles:home"), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")

    assert '<html lang="zh-hans">' in chinese.content.decode()
    assert "有什么可以帮您" in chinese.content.decode()
    assert "How can we help you?" in english.content.decode()


@pytest.mark.django_db
def test_the_switcher_overrides_the_browser_language(client):
    client.post(reverse("set_language"), {"language": "zh-hans", "next": "/"})

    response = client.get(reverse("articles:home"), HTTP_ACCEPT_LANGUAGE="en-US")

    assert "有什么可以帮您" in response.content.decode()


@pytest.mark.django_db
def test_chinese_visitors_get_chinese_content_first(client):
    ArticleFactory(title="Install on Windows", language="en")
    ArticleFactory(title="在 Windows 上安装", language="zh-hans")

    page = client.get(reverse("articles:article_list"), HTTP_ACCEPT_LANGUAGE="zh-CN").content.decode()

    assert "在 Windows 上安装" in page
    assert "Install on Windows" not in page


@pytest.mark.django_db
def test_every_page_has_the_language_switcher(client, customer):
    article, video = ArticleFactory(), VideoFactory()
    pages = [
        reverse("articles:home"),
        reverse("articles:article_list"),
        reverse("articles:video_list"),
        article.get_absolute_url(),
        article.category.get_absolute_url(),
        video.get_absolute_url(),
        reverse("accounts:login"),
        reverse("accounts:sign_up"),
        reverse("accounts:password_reset"),
    ]
    for url in pages:
        page = client.get(url).content.decode()
        assert f'action="{reverse("set_language")}"' in page, url
        assert 'name="language"' in page, url
