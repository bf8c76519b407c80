"""Journey 4: an agent works the queue — the escalated ticket with the customer's trail, reply, note, escalate."""

import re
import uuid

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import sign_in
from tests.e2e.journey import Journey

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e")]

CUSTOMERS = {"en": "grace", "zh-hans": "li.wei"}
SEARCHES = {"en": "webhook signature invalid", "zh-hans": "网络 代理 连接"}


def _customer_escalates(customer: Journey) -> str:
    """A customer searches, opens a result, finds no answer and asks for help; returns the ticket's subject."""
    page = customer.page
    sign_in(customer, CUSTOMERS[customer.language])
    customer.go(f"/search/?q={SEARCHES[customer.language]}")
    page.locator("main h2 a").first.click()
    page.locator(".help-banner").get_by_role("button", name=customer.t("No, I still need help")).click()
    subject = f"Webhook deliveries fail with 401 {uuid.uuid4().hex[:6]}"
    page.get_by_label(customer.t("Subject")).fill(subject)
    page.get_by_label(customer.t("What happened?")).fill("Since this morning every webhook delivery gets a 401.")
    page.locator("input[name=proposed_priority]").nth(1).check()
    page.get_by_role("button", name=customer.t("Send request")).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(re.compile(r"HW-\d+"))
    return subject


def test_an_agent_reads_the_trail_replies_notes_and_escalates_with_a_reason(journey_factory):
    subject = _customer_escalates(journey_factory("customer"))

    agent = journey_factory("agent")
    page = agent.page
    sign_in(agent, "agent1")
    agent.go("/staff/queue/")
    expect(page.get_by_role("heading", level=1)).to_have_text(agent.t("Work queue"))
    agent.look("queue")

    filters = page.get_by_role("form", name=agent.t("Filters"))
    filters.locator("input[name=q]").fill(subject)
    filters.get_by_role("button", name=agent.t("Apply")).click()
    page.get_by_role("link", name=subject).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(subject)
    trail = page.locator(".help-trail")
    expect(trail).to_contain_text(agent.t("What the customer tried"))
    expect(trail).to_contain_text(SEARCHES[agent.language])
    agent.look("ticket with the customer's trail")

    reply = page.locator("form[action$='/reply/']")
    reply.locator("textarea").fill("Thanks — could you send the webhook's delivery id from the log?")
    reply.get_by_role("button", name=agent.t("Send")).click()
    expect(page.locator("main")).to_contain_text("delivery id from the log")
    agent.look("replied")

    reply = page.locator("form[action$='/reply/']")
    reply.locator("textarea").fill("Signing secret was rotated yesterday; probably stale on the customer's side.")
    reply.get_by_label(agent.t("Internal note (never shown to the customer)")).check()
    reply.get_by_role("button", name=agent.t("Send")).click()
    expect(page.locator("main")).to_contain_text("Signing secret was rotated yesterday")
    agent.look("internal note")

    escalate = page.locator("form[action$='/escalate/']")
    escalate.get_by_label(agent.t("Move to")).select_option("2")
    escalate.get_by_label(agent.t("Reason")).fill("Needs a look at the signing service's logs.")
    escalate.get_by_role("button", name=agent.t("Move ticket")).click()
    expect(page.locator("main")).to_contain_text(re.compile(r"2"))
    agent.look("escalated to tier 2")
