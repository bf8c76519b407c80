"""When suggestions start, written once on the server: the endpoints check it and every suggestion box's root hands
it to the script (data-suggest-*), with the links built by the server."""

import re

import pytest
from django.urls import reverse

from kbportal.search import service
from kbportal.search.templatetags.search_tags import suggest_attributes
from tests.articles.factories import ArticleFactory, CategoryFactory
from tests.community.factories import QuestionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def corpus(indexed):
    category = CategoryFactory()
    return {
        "licence": indexed(ArticleFactory, title="Activate your license key", category=category, language="en"),
        "zh": indexed(
            ArticleFactory, title="激活许可证", body="打开设置即可激活。", category=category, language="zh-hans"
        ),
    }


@pytest.mark.parametrize(
    ("typed", "expected"),
    [("ac", False), ("act", True), ("  ac  ", False), ("激", False), ("激活", True), ("ライ", True), ("라이", True),
     ("a激", True), ("𠀀", False), ("𠀀𠀁", True)],
)  # fmt: skip
def test_suggestions_start_at_three_characters_or_two_cjk(typed, expected):
    assert service.long_enough_to_suggest(typed) is expected


def test_every_suggestion_box_hands_the_rule_to_its_script(customer_client):
    pages = {
        "search box": customer_client.get("/").content.decode(),
        "contact form": customer_client.get(reverse("helpcenter:contact")).content.decode(),
        "ask page": customer_client.get(reverse("community:ask")).content.decode(),
    }

    for name, page in pages.items():
        assert f'data-suggest-min="{service.SUGGEST_MIN_CHARS}"' in page, name
        assert f'data-suggest-min-cjk="{service.SUGGEST_MIN_CHARS_CJK}"' in page, name
        assert r"\u{4e00}-\u{9fff}" in page, name  # the server's CJK ranges, Hangul and kana with them
        assert r"\u{ac00}-\u{d7a3}" in page, name
        assert "data-suggest-input" in page, name
        assert "data-suggest-list" in page, name
    assert 'data-suggest="dropdown"' in pages["search box"]
    assert 'data-suggest-url="/api/v1/search/suggest/?limit=5&amp;via=contact-form"' in pages["contact form"]
    assert f'data-suggest-url="{reverse("community:similar")}"' in pages["ask page"]


def test_the_rule_s_pattern_is_a_javascript_character_class():
    attributes = str(suggest_attributes("/x"))
    pattern = re.search(r'data-suggest-cjk="([^"]+)"', attributes).group(1)

    # What `new RegExp(pattern, "u")` reads, checked with Python's re after turning \u{…} back into characters.
    as_python = re.sub(r"\\u\{([0-9a-f]+)\}", lambda match: chr(int(match.group(1), 16)), pattern)
    assert [bool(re.fullmatch(as_python, char)) for char in "激ラ라a"] == [True, True, True, False]
    assert pattern.isascii()


def test_the_suggest_api_refuses_what_the_rule_refuses_and_links_as_the_page_asks(client, corpus):
    url = "/api/v1/search/suggest/"

    assert client.get(url, {"q": "ac"}).json()["results"] == []
    assert client.get(url, {"q": "激活"}).json()["results"]
    plain = client.get(url, {"q": "activate lic"}).json()["results"][0]
    contact = client.get(url, {"q": "activate lic", "via": "contact-form"}).json()["results"][0]
    assert plain["link"] == plain["url"] == corpus["licence"].get_absolute_url()
    assert contact["link"] == f"{corpus['licence'].get_absolute_url()}?hs=contact-form"
    assert client.get(url, {"q": "activate lic", "via": "spaceship"}).status_code == 400


def test_the_ask_page_suggests_from_the_same_minimum(customer_client, indexed):
    question = indexed(QuestionFactory, title="VPN drops every hour")

    def similar(typed: str) -> list[int]:
        return [hit["id"] for hit in customer_client.get(reverse("community:similar"), {"q": typed}).json()["results"]]

    assert similar("VP") == []
    assert similar("VPN") == [question.pk]
