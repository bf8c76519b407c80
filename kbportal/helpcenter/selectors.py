"""Reads of the help center: the browser's help session, a ticket's trail for agents, what the contact form
suggests. None of these writes."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db.models import Count, F, Max, Q, QuerySet
from django.utils import timezone

from articles.models import Article, Video
from kbportal.accounts.models import User
from tickets.models import Ticket

from .models import HelpEventKind, HelpOutcome, HelpSession, HelpSessionEvent

# Top hits that vote on the topic and version the contact form suggests.
TOPIC_VOTERS = 5
# The knowledge base's kinds, whose topic and versions we can read.
_CONTENT_MODELS = {"article": Article, "video": Video}


def _idle() -> timedelta:
    return timedelta(minutes=settings.KBPORTAL_HELP_SESSION_IDLE_MINUTES)


def content_gaps_of(searches: QuerySet[HelpSessionEvent]) -> QuerySet[HelpSessionEvent, Any]:
    """Content gaps among some searches: per normalised query and session language, the searches that found
    nothing and the sessions that searched it and ended in a ticket. The dashboard's list over raw searches and
    the daily rollup (`content_gap_rollup`) are both this aggregate."""
    return (
        searches.exclude(normalised_query="")
        .filter(Q(result_count=0) | Q(session__outcome=HelpOutcome.ESCALATED))
        .values("normalised_query", "session__language")
        .annotate(
            query=Max("query"),
            last_seen=Max("created_at"),
            without_results=Count("pk", filter=Q(result_count=0)),
            escalated=Count("session", filter=Q(session__outcome=HelpOutcome.ESCALATED), distinct=True),
            total=F("without_results") + F("escalated"),
        )
    )


def help_session_latest(*, session_id: int | None, user: User | None) -> HelpSession | None:
    """The help session a browser remembers (`session_id`), whatever its state, if it is this visitor's.

    Used as it is by the pages shown after a request is sent, when the session has its verdict already.
    """
    if not isinstance(session_id, int):
        return None
    session = HelpSession.objects.filter(pk=session_id).first()
    if session is None:
        return None
    if session.user_id is not None and (user is None or user.pk != session.user_id):
        return None  # someone else signed in on this browser
    return session


def help_session_current(*, session_id: int | None, user: User | None) -> HelpSession | None:
    """The browser's help session while it is open and active; never starts one and never writes.

    A visitor who signed in since it started gets it unclaimed: `help_session_claim` makes it theirs.
    """
    session = help_session_latest(session_id=session_id, user=user)
    if session is None or session.outcome != HelpOutcome.OPEN:
        return None
    if session.last_activity_at < timezone.now() - _idle():
        return None
    return session


@dataclass(frozen=True)
class HelpTrail:
    session: HelpSession
    events: list[HelpSessionEvent]


def help_trail(*, ticket: Ticket) -> HelpTrail | None:
    """What the customer tried before the ticket: the session that led to it, and its steps in order.

    Two queries whatever the trail's length (the agent's workspace keeps a constant cost).
    """
    session = HelpSession.objects.filter(ticket=ticket).order_by("-pk").first()
    if session is None:
        return None
    return HelpTrail(session=session, events=list(session.events.order_by("created_at", "pk")))


def last_search(*, session: HelpSession | None) -> HelpSessionEvent | None:
    if session is None:
        return None
    return session.events.filter(kind=HelpEventKind.SEARCH).order_by("-created_at", "-pk").first()


@dataclass(frozen=True)
class Topic:
    category_id: int | None = None
    product_version_id: int | None = None


@dataclass(frozen=True)
class ContactPrefill:
    subject: str = ""
    topic: Topic = field(default_factory=Topic)
    suggestions: list[dict[str, Any]] = field(default_factory=list)


def guess_topic(rows: Sequence[dict[str, Any]]) -> Topic:
    """The category and product version the top results point to.

    Category: the most common among the top hits (ties go to the better-ranked hit). Version: only
    when one version clearly leads; otherwise the customer chooses. One query per content kind.
    """
    voters = [
        row for row in rows[:TOPIC_VOTERS] if row.get("kind") in _CONTENT_MODELS and isinstance(row.get("id"), int)
    ]
    if not voters:
        return Topic()
    facts: dict[tuple[str, int], tuple[int | None, set[int]]] = {}
    for kind, model in _CONTENT_MODELS.items():
        ids = [row["id"] for row in voters if row["kind"] == kind]
        if not ids:
            continue
        for pk, category_id, version_id in model.objects.filter(pk__in=ids).values_list(
            "pk", "category_id", "product_versions__pk"
        ):
            _category, versions = facts.setdefault((kind, pk), (category_id, set()))
            if version_id is not None:
                versions.add(version_id)
    ranked = [facts[(row["kind"], row["id"])] for row in voters if (row["kind"], row["id"]) in facts]
    categories = Counter(category for category, _versions in ranked if category is not None)
    chosen_category: int | None = None
    if categories:
        top = max(categories.values())
        chosen_category = next(c for c, _v in ranked if c is not None and categories.get(c) == top)
    version_votes = Counter(version for _category, versions_of in ranked for version in versions_of)
    chosen_version: int | None = None
    if version_votes:
        (first, first_count), *rest = version_votes.most_common(2)
        if not rest or rest[0][1] < first_count:
            chosen_version = first
    return Topic(category_id=chosen_category, product_version_id=chosen_version)


def contact_prefill(*, session: HelpSession | None) -> ContactPrefill:
    """The contact form's starting point: the last query as the subject, the topic its results suggest."""
    search = last_search(session=session)
    if search is None:
        return ContactPrefill()
    return ContactPrefill(subject=search.query[:200], topic=guess_topic(search.results), suggestions=search.results[:5])
