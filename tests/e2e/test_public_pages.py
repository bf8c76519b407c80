"""Journey: a reader who arrives from web search gets the page a shared cache keeps, and can still answer it.

The page sets no cookie and carries no CSRF token (kbportal/pagecache.py, kbportal/security/csrf.py): the first
touch of the form fetches one, and "Was this helpful?" and the language menu work. Without the script the answer
goes with the placeholder and the server checks that no other site sent it (tests/kbportal/test_public_pages.py).
"""

import re

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e")]


def test_a_reader_from_web_search_answers_was_this_helpful_on_a_shared_page(journey_factory):
    journey = journey_factory("reader")
    page = journey.page
    journey.go("/")
    page.locator("main a[href^='/articles/']").first.click()
    page.wait_for_url(re.compile(r"/articles/\d+/"))

    response = page.reload()
    assert "public" in response.headers["cache-control"]
    assert page.context.cookies() == [] or {c["name"] for c in page.context.cookies()} <= {"tz"}
    journey.look("article as a shared cache keeps it")

    helpfulness = page.locator("#helpfulness")
    helpfulness.get_by_role("button", name=journey.t("Yes")).click()
    expect(helpfulness).to_contain_text(journey.t("Thanks — glad it helped."))
    # The answer made this reader's own page: from now on it is not the shared one.
    assert "private" in page.reload().headers["cache-control"]
    expect(page.locator("#helpfulness")).to_contain_text(journey.t("Thanks — glad it helped."))
    journey.look("answered")


def test_the_language_menu_works_on_a_shared_page(journey_factory):
    journey = journey_factory("switcher")
    page = journey.page
    journey.go("/status/")
    other = "zh-hans" if journey.language == "en" else "en"

    journey.open_menu()
    page.locator("#language-select").select_option(other)

    expect(page.locator("html")).to_have_attribute("lang", other)
