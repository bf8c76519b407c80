"""Demo tickets: every status and tier, clocks running and breached, surveys, one open follow-up case.

Each story is created once (its idempotency key finds it on the next run), then
played through the same services the pages use, with its clock moved back in time.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from articles.models import Category, ProductVersion
from kbportal.accounts.models import User
from tickets import services, surveys
from tickets.jobs import sla_check
from tickets.models import Message, Priority, Status, Ticket, Tier

RATINGS = ("response_speed", "resolution", "expertise", "attitude", "follow_up")


@dataclass(frozen=True)
class Step:
    """One thing that happens to a demo ticket, `hours` after it was opened."""

    hours: float
    action: str  # reply, note, customer, status, escalate, priority, survey
    by: str = ""
    text: str = ""
    value: str | int = ""


@dataclass(frozen=True)
class Story:
    key: str
    requester: str
    subject: str
    description: str
    priority: Priority
    age_hours: float
    language: str = "en"
    category: str = ""
    version: str = "4.2"
    steps: list[Step] = field(default_factory=list)


# fmt: off
STORIES = [
    Story("server-down", "grace", "HelloWorld Server down after upgrade to 4.2",
          "Since upgrading our self-hosted server to **4.2.0** nobody can sign in. The log shows `HW-5001 database "
          "connection refused` every few seconds.", Priority.P1, 3, category="Errors & crashes", steps=[
              Step(0.1, "reply", "agent1", "We are on it. Please send `/var/log/helloworld/server.log`."),
              Step(0.3, "customer", "grace", "Log is on our shared drive. It started right after the migration."),
              Step(0.5, "escalate", "agent1", "Database migration failure; needs tier 2.", Tier.TIER_2),
              Step(0.8, "note", "agent2", "Migration 0042 times out on their 80 GB audit table. Engineering needed."),
              Step(1.0, "escalate", "agent2", "Needs a patched migration from engineering.", Tier.TIER_3),
              Step(1.5, "reply", "agent3", "We have a patched migration. Could we schedule a call within the hour?"),
          ]),
    Story("webhook-signature", "henry", "Webhook signatures fail verification",
          "Our endpoint rejects every webhook: the HMAC we compute never matches `X-HelloWorld-Signature`.",
          Priority.P2, 20, category="Webhooks", steps=[
              Step(0.5, "reply", "agent1", "Are you hashing the raw body, before JSON parsing? Please send a sample."),
              Step(1, "escalate", "agent1", "Customer uses a custom proxy that may rewrite bodies.", Tier.TIER_2),
              Step(2, "reply", "agent2", "Please send one failing request with headers.", value=Status.WAITING),
          ]),
    Story("license-activation-zh", "li.wei", "许可证激活失败，提示 HW-1042",
          "在新电脑上激活企业许可证时提示 **HW-1042**，我们使用公司代理上网。", Priority.P3, 2, language="zh-hans",
          category="Licenses"),
    Story("sso-loop", "grace", "SSO sign-in loops back to the Okta page",
          "After entering Okta credentials users land on the HelloWorld sign-in page again.", Priority.P2, 30,
          category="Single sign-on"),
    Story("dark-mode", "henry", "Feature request: dark mode for the web app",
          "Several of our designers would love a dark theme in the browser.", Priority.P4, 50,
          category="Best practices",
          steps=[Step(4, "reply", "agent1", "Thank you! I have passed it to the product team.")]),
    Story("export-invoices", "ines", "How do I download all invoices for 2026?",
          "Our accountant needs every invoice of this year as PDF.", Priority.P4, 96,
          category="Billing & invoices", steps=[
              Step(2, "reply", "agent1", "Go to **Settings → Billing → Invoices** and choose *Download all (ZIP)*."),
              Step(3, "customer", "ines", "Found it, thank you!"),
              Step(3.5, "status", "agent1", value=Status.RESOLVED),
              Step(5, "survey", "ines", "Quick and clear answer.", 5),
          ]),
    Story("desktop-crash", "sam", "Desktop app crashes on start",
          "The Windows app closes right after the splash screen since yesterday.", Priority.P3, 140,
          category="Errors & crashes", version="4.1", steps=[
              Step(20, "reply", "agent1", "Please clear the cache folder `%APPDATA%/HelloWorld/Cache`."),
              Step(40, "customer", "sam", "Still crashing."),
              Step(60, "reply", "agent1", "Reinstalling 4.2 fixes it; the 4.1 cache format is incompatible."),
              Step(61, "status", "agent1", value=Status.RESOLVED),
              Step(70, "survey", "sam", "Took three days and two tries. Too slow.", 2),
          ]),
    Story("slack-zh", "li.wei", "Slack 集成不再推送通知",
          "从昨天起，频道里收不到 HelloWorld 的通知。", Priority.P3, 300, language="zh-hans",
          category="Third-party integrations", steps=[
              Step(3, "reply", "agent1", "请在 **设置 → 集成 → Slack** 中重新授权。"),
              Step(5, "status", "agent1", value=Status.RESOLVED),
              Step(8, "survey", "li.wei", "解决得很快。", 4),
          ]),
    Story("api-rate-limit", "grace", "API returns 429 during nightly sync",
          "Our nightly job gets `429 Too Many Requests` after about 5,000 calls.", Priority.P3, 8, category="REST API",
          steps=[Step(1, "reply", "agent1", "The limit is 600 requests a minute per token; use the batch endpoint.")]),
    Story("invite-bug", "henry", "Invitation e-mails never arrive",
          "New teammates do not receive the invitation e-mail.", Priority.P3, 0.5, category="First steps"),
]
# fmt: on


def _users() -> dict[str, User]:
    return {user.username: user for user in User.objects.all()}


def load_demo_tickets() -> int:
    users = _users()
    created = 0
    for story in STORIES:
        with transaction.atomic():
            ticket, is_new = services.ticket_create(
                requester=users[story.requester],
                requester_email=users[story.requester].email,
                subject=story.subject,
                description=story.description,
                proposed_priority=story.priority,
                language=story.language,
                category=Category.objects.filter(name=story.category).first(),
                product_version=ProductVersion.objects.filter(name=story.version).first(),
                idempotency_key=f"demo-{story.key}",
            )
            if is_new:
                _play(ticket, story, users)
                created += 1
    sla_check()
    return created


def _play(ticket: Ticket, story: Story, users: dict[str, User]) -> None:
    opened = timezone.now() - timedelta(hours=story.age_hours)
    Ticket.objects.filter(pk=ticket.pk).update(created_at=opened)
    ticket.events.update(created_at=opened)
    for step in story.steps:
        at = opened + timedelta(hours=step.hours)
        ticket.refresh_from_db()
        _act(ticket, step, users)
        _backdate_latest(ticket, at)
    ticket.refresh_from_db()
    services._refresh_due_times(ticket, by=None, record=False)


def _act(ticket: Ticket, step: Step, users: dict[str, User]) -> None:
    by = users.get(step.by)
    if step.action in ("reply", "note", "customer"):
        services.ticket_reply(ticket=ticket, author=by, body=step.text, internal=step.action == "note",
                              then_status=step.value or None)  # fmt: skip
    elif step.action == "status":
        services.ticket_set_status(ticket=ticket, status=step.value, by=by)
    elif step.action == "escalate":
        services.ticket_escalate(ticket=ticket, to_tier=step.value, reason=step.text, by=by)
    elif step.action == "survey":
        score = int(step.value)
        answers = surveys.SurveyAnswers(
            csat=score, ratings=dict.fromkeys(RATINGS, score), ces=6 - score, nps=score * 2, comment=step.text
        )
        surveys.survey_submit(ticket=ticket, respondent=by, answers=answers, address="198.51.100.7")


def _backdate_latest(ticket: Ticket, at) -> None:
    """Move what the last step wrote to the moment the story says it happened."""
    since = timezone.now() - timedelta(minutes=5)
    Message.objects.filter(ticket=ticket, created_at__gte=since).update(created_at=at)
    ticket.events.filter(created_at__gte=since).update(created_at=at)
    ticket.pauses.filter(started_at__gte=since).update(started_at=at)
    ticket.pauses.filter(ended_at__gte=since).update(ended_at=at)
    for field_name in ("first_response_at", "resolved_at"):
        value = getattr(Ticket.objects.get(pk=ticket.pk), field_name)
        if value and value >= since:
            Ticket.objects.filter(pk=ticket.pk).update(**{field_name: at})
    if hasattr(ticket, "survey_response"):
        type(ticket.survey_response).objects.filter(ticket=ticket, created_at__gte=since).update(created_at=at)
