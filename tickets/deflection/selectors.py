"""Reads of self-service: a ticket's trail for agents, what the contact form suggests, guest pages."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

from articles.models import Article, Video

from ..models import HelpEventKind, HelpSession, HelpSessionEvent, Ticket

# Top hits that vote on the topic and version the contact form suggests.
TOPIC_VOTERS = 5
# The knowledge base's kinds, whose topic and versions we can read.
_CONTENT_MODELS = {"article": Article, "video": Video}


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
    suggestions: list[dict] = field(default_factory=list)


def guess_topic(rows: Sequence[dict]) -> Topic:
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
    category_id = None
    if categories:
        top = max(categories.values())
        category_id = next(category for category, _v in ranked if categories.get(category) == top)
    versions = Counter(version for _category, versions in ranked for version in versions)
    version_id = None
    if versions:
        (first, first_count), *rest = versions.most_common(2)
        if not rest or rest[0][1] < first_count:
            version_id = first
    return Topic(category_id=category_id, product_version_id=version_id)


def contact_prefill(*, session: HelpSession | None) -> ContactPrefill:
    """The contact form's starting point: the last query as the subject, the topic its results suggest."""
    search = last_search(session=session)
    if search is None:
        return ContactPrefill()
    return ContactPrefill(subject=search.query[:200], topic=guess_topic(search.results), suggestions=search.results[:5])
