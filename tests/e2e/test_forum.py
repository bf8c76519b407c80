"""Journey 3: forum members ask (similar questions appear while typing), answer, vote, accept, flag and follow."""

import uuid

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e")]

MEMBERS = {"en": ("sam", "ines"), "zh-hans": ("li.wei", "grace")}
QUESTIONS = {
    "en": "How do I move my licence to a new laptop",
    "zh-hans": "如何把许可证转移到新电脑",
}


def test_members_ask_answer_vote_accept_flag_and_follow(journey_factory):
    asker = journey_factory("asker")
    asker_name, answerer_name = MEMBERS[asker.language]
    page = asker.page
    sign_in(asker, asker_name)
    asker.go("/community/ask/")
    expect(page.get_by_role("heading", level=1)).to_have_text(asker.t("Ask the community"))

    # Similar questions appear while the title is typed.
    title = f"{QUESTIONS[asker.language]} {uuid.uuid4().hex[:4]}?"
    page.get_by_label(asker.t("Your question"), exact=True).press_sequentially(QUESTIONS[asker.language], delay=20)
    expect(page.locator("[data-suggest-list] li").first).to_be_visible()
    asker.look("similar questions while typing")

    page.get_by_label(asker.t("Your question"), exact=True).fill(title)
    page.get_by_label(asker.t("Details"), exact=True).fill(
        "I bought a new laptop and want to use my licence there. Do I have to deactivate the old one first?"
    )
    page.get_by_label(asker.t("Category"), exact=True).select_option(index=1)
    # The tag picker: type to filter, choose with the keyboard, the choice shows as a chip.
    tags = page.locator("input[role=combobox][id$=tags_filter]")
    tags.fill("licen")
    expect(page.locator("li.tag-option").first).to_be_visible()
    tags.press("ArrowDown")
    tags.press("Enter")
    expect(page.locator("li.tag-chip")).to_have_count(1)
    asker.look("a tag chosen")
    page.get_by_role("button", name=asker.t("Post your question")).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(title)
    question_url = page.url
    expect(page.locator("main")).to_contain_text("licen")
    asker.look("question posted")

    # Another member votes the question up, follows it, answers it and flags it.
    answerer = journey_factory("answerer")
    other = answerer.page
    sign_in(answerer, answerer_name)
    other.goto(question_url)
    question_votes = other.locator(".vote-box").first
    question_votes.get_by_role("button", name=answerer.t("This is useful")).click()
    expect(question_votes.get_by_role("button", name=answerer.t("This is useful"))).to_have_attribute(
        "aria-pressed", "true"
    )
    answerer.look("voted")

    other.get_by_role("button", name=answerer.t("Follow this question")).click()
    expect(other.get_by_role("button", name=answerer.t("Stop following"))).to_be_visible()
    answerer.look("following")

    other.locator("form[action$='/answer/'] textarea").fill(
        "Yes: sign out on the old laptop first (Settings → Account → Deactivate this computer), then sign in on "
        "the new one. The seat moves with you."
    )
    other.get_by_role("button", name=answerer.t("Post your answer")).click()
    expect(other.locator("#answers-heading")).to_contain_text("1")
    answerer.look("answered")

    other.locator(".post-tools").first.get_by_text(answerer.t("Flag"), exact=True).click()
    flag = other.locator("form.flag-form").first
    flag.locator("input[name=reason]").first.check()
    flag.get_by_role("button", name=answerer.t("Send to the moderators")).click()
    answerer.look("flagged")

    # The asker accepts the answer.
    page.reload()
    page.get_by_role("button", name=asker.t("Accept this answer")).click()
    expect(page.locator("main")).to_contain_text(asker.t("Accepted answer"))
    asker.look("accepted")
