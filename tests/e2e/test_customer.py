"""Journey 2: a signed-in customer escalates a search into a ticket, follows it, replies, resolves it and rates it."""

import re
import uuid

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e")]

# An English customer of Acme Robotics (New York), a Chinese one of Shanghai Lantern Studio.
CUSTOMERS = {"en": "henry", "zh-hans": "li.wei"}


def test_a_customer_escalates_a_search_follows_replies_resolves_and_rates(journey):
    page = journey.page
    sign_in(journey, CUSTOMERS[journey.language])
    journey.look("signed in")

    journey.go("/search/?q=" + ("SSO sign-in loop" if not journey.chinese else "单点登录 循环"))
    expect(page.get_by_role("heading", name=journey.t("Still need help?"))).to_be_visible()
    journey.look("search")

    page.get_by_role("link", name=journey.t("Contact support")).last.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(journey.t("Contact support"))
    journey.look("contact form")

    subject = f"SSO sign-in loops back to the login page {uuid.uuid4().hex[:6]}"
    page.get_by_label(journey.t("Subject")).fill(subject)
    page.get_by_label(journey.t("What happened?")).fill("After the Okta change every sign-in returns to the login.")
    page.locator("input[name=proposed_priority]").nth(1).check()
    page.get_by_role("button", name=journey.t("Send request")).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(re.compile(r"HW-\d+"))
    reference = re.search(r"HW-\d+", page.get_by_role("heading", level=1).inner_text()).group(0)
    journey.look("request sent")

    journey.open_menu_link(journey.t("My requests"))
    expect(page.locator("main")).to_contain_text(reference)
    journey.look("ticket list")

    page.get_by_role("link", name=subject).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(subject)
    facts = page.locator(".ticket-facts")
    expect(facts).to_contain_text(journey.t("Handled by"))
    expect(page.locator(".expectation")).not_to_be_empty()
    journey.look("ticket page")

    reply = page.locator("form[action$='/reply/']")
    reply.locator("textarea").fill("The browser console shows a SAML assertion error; the HAR file is attached.")
    reply.locator("input[type=file]").set_input_files(
        {"name": "sign-in.har.json", "mimeType": "application/json", "buffer": b'{"log": {"entries": []}}\n'}
    )
    reply.get_by_role("button", name=journey.t("Send reply")).click()
    expect(page.locator("main")).to_contain_text("sign-in.har.json")
    expect(page.locator("main")).to_contain_text("the HAR file is attached")
    journey.look("replied with an attachment")

    page.get_by_role("button", name=journey.t("Mark as resolved")).click()
    expect(page.get_by_role("heading", name=journey.t("How did we do?"))).to_be_visible()
    journey.look("resolved, survey offered")

    survey = page.locator("#survey")
    for question, answer in {"csat": 4, "response_speed": 5, "resolution": 4, "expertise": 4, "attitude": 5,
                             "follow_up": 3, "ces": 2}.items():  # fmt: skip
        survey.locator(f"input[name={question}][value='{answer}']").check()
    if survey.locator("input[name=nps]").count():  # Asked at most once a quarter per customer.
        survey.locator("input[name=nps][value='8']").check()
    survey.get_by_role("textbox").fill("Quick and friendly.")
    survey.get_by_role("button", name=journey.t("Send feedback")).click()
    expect(page.locator("main")).to_contain_text(journey.t("Your feedback (you can still change it)"))
    journey.look("survey answered")
