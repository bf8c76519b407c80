"""Journey 6: a moderator works the moderation queue — a flagged post is hidden with a reason, then
restored."""

import uuid

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import sign_in
from tests.e2e.journey import Journey

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e")]

MEMBERS = {"en": ("henry", "sam"), "zh-hans": ("li.wei", "ines")}


def _a_flagged_question(asker: Journey, flagger: Journey) -> str:
    """One member asks, another flags the question for the moderators; returns its title."""
    author, reader = MEMBERS[asker.language]
    sign_in(asker, author)
    asker.go("/community/ask/")
    title = f"Where is the offline installer for 4.2 {uuid.uuid4().hex[:4]}?"
    asker.page.get_by_label(asker.t("Your question"), exact=True).fill(title)
    asker.page.get_by_label(asker.t("Details"), exact=True).fill("I need it for a machine without internet access.")
    asker.page.get_by_label(asker.t("Category"), exact=True).select_option(index=1)
    asker.page.get_by_role("button", name=asker.t("Post your question")).click()
    expect(asker.page.get_by_role("heading", level=1)).to_contain_text(title)

    sign_in(flagger, reader)
    flagger.page.goto(asker.page.url)
    flagger.page.locator(".post-tools").first.get_by_text(flagger.t("Flag"), exact=True).click()
    flag = flagger.page.locator("form.flag-form").first
    flag.locator("input[name=reason]").first.check()
    flag.get_by_role("button", name=flagger.t("Send to the moderators")).click()
    expect(flagger.page.locator("main")).to_contain_text(title)
    return title


def test_a_moderator_hides_a_flagged_post_with_a_reason_and_restores_it(journey_factory):
    title = _a_flagged_question(journey_factory("asker"), journey_factory("flagger"))

    moderator = journey_factory("moderator")
    page = moderator.page
    sign_in(moderator, "moderator")
    moderator.go("/community/moderation/")
    expect(page.get_by_role("heading", level=1)).to_have_text(moderator.t("Moderation queue"))
    item = page.locator("li").filter(has=page.get_by_role("heading", name=title))
    expect(item).to_contain_text(moderator.t("Visible"))
    moderator.look("moderation queue")

    reason = "Asks for a download outside the portal's downloads."
    item.get_by_label(moderator.t("Reason for hiding")).fill(reason)
    item.get_by_role("button", name=moderator.t("Hide")).click()
    log = page.locator("table")
    expect(log.locator("tr").filter(has_text=title).first).to_contain_text(reason)
    moderator.look("hidden")

    # Restored from the question page, which only moderators can open while it is hidden.
    log.get_by_role("link", name=title).first.click()
    expect(page.locator("main")).to_contain_text(moderator.t("Hidden: only moderators see this question."))
    panel = page.locator(".moderation-panel")
    panel.get_by_label(moderator.t("Action")).select_option("restore")
    panel.get_by_role("button", name=moderator.t("Apply")).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(title)
    expect(page.locator("main")).not_to_contain_text(moderator.t("Hidden: only moderators see this question."))
    moderator.look("restored")
