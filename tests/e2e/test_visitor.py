"""Journey 1: an anonymous visitor searches, reads, rates, asks for help as a guest and follows the guest link."""

import re
import uuid

import pytest
from playwright.sync_api import expect

from tests.e2e.journey import Journey

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e")]

GUEST_LINK = r"https?://[^\s]+/tickets/guest/[^\s/]+/"


def _search(journey: Journey, query: str) -> None:
    box = journey.page.get_by_role("combobox", name=journey.t("Search the help center")).first
    box.fill(query)
    box.press("Enter")
    journey.page.wait_for_url(re.compile(r"/search/\?"))


def test_a_visitor_searches_rates_asks_as_a_guest_and_replies_from_the_guest_link(journey, portal):
    page = journey.page
    journey.go("/")
    expect(page.get_by_role("heading", level=1)).to_have_text(journey.t("How can we help you?"))
    journey.look("home")

    # Titles are suggested while typing, from two Chinese characters: the server's rule, handed to the script.
    box = page.get_by_role("combobox", name=journey.t("Search the help center")).first
    box.press_sequentially("激活", delay=50)
    expect(page.get_by_role("listbox").get_by_role("option").first).to_be_visible()
    expect(box).to_have_attribute("aria-expanded", "true")
    box.press("Escape")
    expect(page.get_by_role("listbox")).to_be_hidden()

    # A typo still finds the licence articles.
    _search(journey, "activte licence")
    expect(page.locator("main h2 a").first).to_be_visible()
    expect(page.locator("main")).to_contain_text(re.compile("licen[cs]e", re.IGNORECASE))
    journey.look("search with a typo")

    # A Chinese query finds Chinese content.
    _search(journey, "激活许可证")
    expect(page.locator("main")).to_contain_text("许可证")
    journey.look("search in chinese")

    _search(journey, "activate licence key")
    page.locator("main h2 a").first.click()
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    expect(page.get_by_role("heading", name=journey.t("Was this helpful?"))).to_be_visible()
    journey.look("article from search")

    # "Was this helpful?" both ways, the second with a reason.
    helpfulness = page.locator("#helpfulness")
    helpfulness.get_by_role("button", name=journey.t("Yes")).click()
    expect(helpfulness).to_contain_text(journey.t("Thanks — glad it helped."))
    helpfulness.get_by_role("button", name=journey.t("Changed your mind? Tell us it did not help.")).click()
    expect(helpfulness).to_contain_text(journey.t("Sorry it did not help. What was wrong?"))
    helpfulness.locator("input[name=reason]").first.check()
    helpfulness.get_by_label(journey.t("How could we improve it? (optional)")).fill("The screenshots are outdated.")
    helpfulness.get_by_role("button", name=journey.t("Send feedback")).click()
    expect(helpfulness).to_contain_text(journey.t("Thank you. Your feedback goes to the team that writes this page."))
    journey.look("rated the article")

    # "Did this solve your problem?" No → the contact form, which knows what the visitor tried.
    page.locator(".help-banner").get_by_role("button", name=journey.t("No, I still need help")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(journey.t("Contact support"))
    expect(page.locator("main")).to_contain_text(
        journey.t("An agent sees what you searched and read here, so you need not repeat it.")
    )
    journey.look("contact form")

    # Articles matching the subject appear beside it while it is typed, linked by the server to count the open.
    page.get_by_label(journey.t("Subject")).fill("")
    page.get_by_label(journey.t("Subject")).press_sequentially("activate licen", delay=20)
    typed = page.locator("[data-suggest-list] li:has(.badge) a").first
    expect(typed).to_be_visible()
    expect(typed).to_have_attribute("href", re.compile(r"\?hs=contact-form$"))

    # Sending with a missing field keeps what was typed and says what is wrong.
    subject = f"Licence key rejected on a new laptop {uuid.uuid4().hex[:6]}"
    address = f"guest-{uuid.uuid4().hex[:8]}@example.com"
    page.get_by_label(journey.t("Subject")).fill(subject)
    journey.allow_status(400)
    page.get_by_role("button", name=journey.t("Send request")).click()
    expect(page.get_by_label(journey.t("Subject"))).to_have_value(subject)
    expect(page.locator(".errorlist, [role=alert]").first).to_be_visible()
    journey.look("contact form with an error")

    page.get_by_label(journey.t("Your e-mail address")).fill(address)
    page.get_by_label(journey.t("What happened?")).fill("The key HW-2010 is rejected after I moved to a new laptop.")
    page.locator("input[name=proposed_priority]").nth(2).check()
    page.get_by_label(journey.t("Attach files")).set_input_files(
        {"name": "activation.log", "mimeType": "text/plain", "buffer": b"HW-2010 seat limit reached\n"}
    )
    page.get_by_role("button", name=journey.t("Send request")).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(re.compile(r"HW-\d+"))
    expect(page.get_by_role("heading", name=journey.t("Keep this link"))).to_be_visible()
    journey.look("request sent")
    sent_page = page.url

    # The guest link in the mail opens the request: read it, reply with an attachment (a real browser sends
    # Origin here).
    guest_url = portal.inbox.link(address, GUEST_LINK)
    page.goto(guest_url)
    expect(page.get_by_role("heading", level=1)).to_have_text(subject)
    expect(page.locator("main")).to_contain_text("activation.log")
    journey.look("guest page")

    reply = page.locator("form[action$='/reply/']")
    reply.locator("textarea").fill("Here is the log from the old laptop as well.")
    reply.locator("input[type=file]").set_input_files(
        {"name": "old-laptop.log", "mimeType": "text/plain", "buffer": b"HW-2010 on the old laptop too\n"}
    )
    reply.get_by_role("button", name=journey.t("Send reply")).click()
    expect(page.locator("main")).to_contain_text(journey.t("Your reply is sent."))
    expect(page.locator("main")).to_contain_text("Here is the log from the old laptop as well.")
    expect(page.locator("main")).to_contain_text("old-laptop.log")
    journey.look("guest replied")

    # Found the answer after all: close the request, then the guest link offers a follow-up.
    page.goto(sent_page)
    page.get_by_role("button", name=journey.t("Solved — close my request")).click()
    expect(page.locator("main")).to_contain_text(re.compile(r"HW-\d+"))
    journey.look("request closed")

    page.goto(guest_url)
    expect(page.get_by_role("heading", name=journey.t("Still need help with this?"))).to_be_visible()
    journey.look("guest page of a closed request")
