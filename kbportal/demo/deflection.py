"""Demo help sessions over the last 30 days, so the dashboard's self-service section and the agents' trail panel
have data.

Visitors search the demo knowledge base, open results, answer "Did this solve it?", give up, or
escalate (some withdrawing after sending). Every visit goes through the same services as the pages,
then is moved back to its day. Each visit has a fixed key: a second run adds nothing.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from kbportal.accounts.models import User
from kbportal.helpcenter import services as help_services
from kbportal.helpcenter.models import HelpOutcome, HelpSession
from kbportal.search import service as search_service
from tickets import services
from tickets.models import Status, Ticket

from .tickets import _backdate_latest

VISITS = 44
KEY_PREFIX = "demo-help-"

# (language, queries tried in order); the last query's top results are the ones opened.
SOLVED = [
    ("en", ["install windows"]),
    ("en", ["reset password"]),
    ("en", ["2fa", "two-factor authentication"]),
    ("en", ["download invoice"]),
    ("en", ["slack notifications"]),
    ("en", ["webhook signature"]),
    ("en", ["licence activation error", "HW-2003"]),
    ("en", ["api 429"]),
    ("en", ["okta sso"]),
    ("en", ["sync stuck"]),
    ("zh-hans", ["安装 windows"]),
    ("zh-hans", ["重置密码"]),
    ("zh-hans", ["许可证激活"]),
    ("zh-hans", ["双重验证"]),
]
# Questions the knowledge base has no answer for: searches without results.
GAPS = [
    ("en", ["raspberry pi"]),
    ("en", ["chromebook"]),
    ("en", ["harmonyos", "huawei"]),
    ("en", ["smartwatch"]),
    ("zh-hans", ["鸿蒙"]),
    ("zh-hans", ["uos"]),
]
# (language, queries, subject, requester username or "" for a visitor without an account)
ESCALATIONS = [
    ("en", ["sso loop okta", "okta sso"], "SSO sign-in loops back to the Okta page", "grace"),
    ("en", ["server database error HW-5001"], "Server cannot reach its database after upgrade", "henry"),
    ("en", ["chromebook"], "Is there a HelloWorld app for Chromebooks?", ""),
    ("en", ["desktop crash start"], "Desktop app crashes on start after update", "sam"),
    ("zh-hans", ["许可证 HW-1042"], "许可证激活失败，提示 HW-1042", "li.wei"),
    ("en", ["invoice vat number"], "VAT number missing on our invoices", "ines"),
    ("en", ["raspberry pi"], "Can HelloWorld Server run on a Raspberry Pi?", ""),
]


@dataclass(frozen=True)
class Visit:
    key: str
    days_ago: float
    language: str
    queries: list[str]
    outcome: str
    opens: int = 0
    subject: str = ""
    requester: str = ""


def _visits() -> list[Visit]:
    """A fixed mix: about half solved, a sixth escalated (some withdrawn after sending), the rest abandoned."""
    chance = random.Random(20_26)  # noqa: S311 - demo data, not security
    solved, gaps, escalations = iter(SOLVED * 4), iter(GAPS * 4), iter(ESCALATIONS * 2)
    visits = []
    for n in range(VISITS):
        key, days_ago = f"{KEY_PREFIX}{n:02d}", chance.uniform(0.05, 29.5)
        if n % 6 == 5:
            language, queries, subject, requester = next(escalations)
            outcome = HelpOutcome.WITHDRAWN if n % 18 == 5 else HelpOutcome.ESCALATED
            visits.append(Visit(key, days_ago, language, queries, outcome, 1, subject, requester))
        elif n % 4 == 3:
            language, queries = next(gaps)
            visits.append(Visit(key, days_ago, language, queries, HelpOutcome.OPEN))
        else:
            language, queries = next(solved)
            # Some read a result and leave without saying whether it helped.
            outcome = HelpOutcome.OPEN if n % 7 == 2 else HelpOutcome.DEFLECTED
            visits.append(Visit(key, days_ago, language, queries, outcome, opens=1 + n % 2))
    return visits


def load_demo_help_sessions() -> int:
    """Create the demo visits that do not exist yet; returns how many were created."""
    users = {user.username: user for user in User.objects.filter(is_staff=False)}
    agent = User.objects.filter(username="agent1").first()
    existing = set(HelpSession.objects.filter(session_key__startswith=KEY_PREFIX).values_list("session_key", flat=True))
    created = 0
    for visit in _visits():
        if visit.key in existing:
            continue
        with transaction.atomic():
            _play(visit, users, agent)
        created += 1
    if created:
        help_services.content_gap_rollup_due()  # the visits' closed days, as beat's hourly job rolls them up
    return created


def _play(visit: Visit, users: dict[str, User], agent: User | None) -> None:
    started = timezone.now() - timedelta(days=visit.days_ago)
    requester = users.get(visit.requester)
    session = HelpSession.objects.create(session_key=visit.key, user=requester, language=visit.language)
    hits = []
    for query in visit.queries:
        hits = search_service.search(query, preferred_language=visit.language, limit=10).hits
        help_services.help_session_record_search(session=session, query=query, results=hits)
    for hit in hits[: visit.opens]:
        help_services.help_session_record_open(
            session=session, item_kind=hit.kind, item_id=hit.object_id, item_title=hit.title, item_url=hit.url
        )
    ticket = None
    if visit.outcome == HelpOutcome.DEFLECTED:
        first = hits[0] if hits else None
        help_services.help_session_resolve(
            session=session,
            helpful=True,
            item_kind=first.kind if first else "",
            item_id=first.object_id if first else None,
        )
    elif visit.outcome in (HelpOutcome.ESCALATED, HelpOutcome.WITHDRAWN):
        ticket = _escalate(visit, session, requester, hits)
    _backdate(session, started, ticket, agent, withdrawn=visit.outcome == HelpOutcome.WITHDRAWN)


def _escalate(visit: Visit, session: HelpSession, requester: User | None, hits) -> Ticket | None:
    """The visit's ticket, or None when an earlier run already made it (it is then left as it is)."""
    if hits:
        help_services.help_session_resolve(
            session=session, helpful=False, item_kind=hits[0].kind, item_id=hits[0].object_id
        )
    help_services.help_session_record_contact_form(session=session)
    escalation = help_services.help_session_escalate(
        session=session,
        subject=visit.subject,
        description=f"{visit.subject}.\n\nI searched for “{visit.queries[-1]}” but found nothing that fits.",
        requester=requester,
        requester_email=requester.email if requester else f"visitor-{visit.key}@example.net",
        language=visit.language,
        idempotency_key=visit.key,
    )
    return escalation.ticket if escalation.created else None


def _backdate(session: HelpSession, started, ticket: Ticket | None, agent: User | None, *, withdrawn: bool) -> None:
    """Move the visit to its day: a minute or two per step, the verdict at the end."""
    moment = started
    for event in session.events.order_by("pk"):
        moment += timedelta(seconds=40 + 20 * (event.pk % 4))
        type(event).objects.filter(pk=event.pk).update(created_at=moment)
    session.refresh_from_db()
    HelpSession.objects.filter(pk=session.pk).update(
        started_at=started, last_activity_at=moment, verdict_at=moment if session.verdict_at else None
    )
    if ticket is None:
        return
    Ticket.objects.filter(pk=ticket.pk).update(created_at=moment)
    _backdate_latest(ticket, moment)
    ticket.refresh_from_db()
    if withdrawn:
        help_services.ticket_withdraw(ticket=ticket, by=ticket.requester)
        _backdate_latest(ticket, moment + timedelta(minutes=3))
        HelpSession.objects.filter(pk=session.pk).update(verdict_at=moment + timedelta(minutes=3))
    elif agent is not None and timezone.now() - moment > timedelta(days=3):
        # Older escalations were answered and solved; recent ones wait in the tier-1 queue.
        services.ticket_reply(
            ticket=ticket, author=agent, body="Thanks for the details. This is now fixed.", then_status=Status.RESOLVED
        )
        _backdate_latest(ticket, moment + timedelta(hours=4))
    ticket.refresh_from_db()
    services._refresh_due_times(ticket, by=None, record=False)
