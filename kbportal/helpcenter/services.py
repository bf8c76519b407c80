"""Writes of the help center: help sessions, their trail, the verdict, escalation, withdrawal, content gaps.

Every search starts or continues a help session; it ends with a verdict (solved, or a ticket) or after
`KBPORTAL_HELP_SESSION_IDLE_MINUTES` of inactivity, and the next search then starts a new one. These functions
take plain values (`session_id`, `session_key`, `user`); which session a browser has is kept by the adapter in
`session.py`, the only code that reads the browser session.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any, NamedTuple

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from kbportal.accounts.models import User
from tickets.models import Channel, EventCause, Priority, Status, Ticket
from tickets.services import ticket_create, ticket_set_status

from .models import ContentGap, HelpEventKind, HelpOutcome, HelpSession, HelpSessionEvent, HelpVia
from .selectors import help_session_current

if TYPE_CHECKING:
    from articles.models import Category, ProductVersion

RESULTS_KEPT = 10


def normalise_query(query: str) -> str:
    """The form a query is counted under: Unicode-normalised, case-folded, single-spaced, no edge punctuation."""
    text = unicodedata.normalize("NFKC", query).casefold()
    text = " ".join(text.split())
    return text.strip(" \t.,;:!?¿¡\"'“”‘’「」『』()[]{}，。！？；：、")[:200]


# --- The browser's session -----------------------------------------------------------------------------


def help_session_claim(*, session: HelpSession, user: User | None) -> HelpSession:
    """A visitor who signed in halfway through takes over their session (and, later, its ticket).

    Nothing changes when `user` is None or the session has its owner already.
    """
    if user is not None and session.user_id is None:
        HelpSession.objects.filter(pk=session.pk, user__isnull=True).update(user=user)
        session.user = user
    return session


def help_session_for(*, session_id: int | None, session_key: str, user: User | None, language: str) -> HelpSession:
    """Continue the browser's help session (`session_id`, the one it remembers) or start a new one.

    A new one starts after an idle spell or after a verdict; a session that goes on is claimed by `user`.
    """
    session = help_session_current(session_id=session_id, user=user)
    if session is not None:
        return help_session_claim(session=session, user=user)
    return HelpSession.objects.create(session_key=session_key, user=user, language=language)


# --- The trail -------------------------------------------------------------------------------------------


def _touch(session: HelpSession, **tallies: int) -> None:
    now = timezone.now()
    HelpSession.objects.filter(pk=session.pk).update(
        last_activity_at=now, **{name: F(name) + step for name, step in tallies.items()}
    )
    session.last_activity_at = now
    for name, step in tallies.items():
        setattr(session, name, getattr(session, name) + step)


def _result_rows(hits: Iterable[Any]) -> list[dict[str, Any]]:
    return [
        {"kind": hit.kind, "id": hit.object_id, "title": hit.title[:300], "url": hit.url[:300]}
        for hit in list(hits)[:RESULTS_KEPT]
    ]


def help_session_record_search(*, session: HelpSession, query: str, results: Sequence[Any]) -> HelpSessionEvent:
    """Record a search and the results shown (`results`: the engine's hits, best first).

    A search without results is a content gap. Reloading the same results page adds nothing.
    """
    query = query.strip()[:500]
    rows = _result_rows(results)
    last = session.events.order_by("-created_at", "-pk").first()
    if last is not None and last.kind == HelpEventKind.SEARCH and last.query == query and last.results == rows:
        _touch(session)
        return last
    normalised = normalise_query(query)
    event = HelpSessionEvent.objects.create(
        session=session,
        kind=HelpEventKind.SEARCH,
        query=query,
        normalised_query=normalised,
        result_count=len(results),
        results=rows,
        via=HelpVia.SEARCH,
    )
    _touch(session, search_count=1)
    if not results:
        content_gap_record(query=query, language=session.language, zero_results=1)
    return event


def help_session_record_open(
    *,
    session: HelpSession,
    item_kind: str,
    item_id: int,
    item_title: str,
    item_url: str = "",
    via: str = HelpVia.SEARCH,
) -> HelpSessionEvent:
    """Record that a result (or a suggestion) was opened; opening the same item again adds nothing."""
    existing = session.events.filter(kind=HelpEventKind.OPEN, item_kind=item_kind, item_id=item_id).first()
    if existing is not None:
        _touch(session)
        return existing
    event = HelpSessionEvent.objects.create(
        session=session,
        kind=HelpEventKind.OPEN,
        item_kind=item_kind,
        item_id=item_id,
        item_title=item_title[:300],
        item_url=item_url[:300],
        via=via if via in HelpVia.values else HelpVia.SEARCH,
    )
    _touch(session, open_count=1)
    return event


def help_session_record_rating(
    *, session: HelpSession, item_kind: str, item_id: int, item_title: str, helpful: bool
) -> HelpSessionEvent:
    """Record a helpfulness answer given during the session (an article's "Was this helpful?")."""
    event = HelpSessionEvent.objects.create(
        session=session,
        kind=HelpEventKind.RATING,
        item_kind=item_kind,
        item_id=item_id,
        item_title=item_title[:300],
        helpful=helpful,
    )
    _touch(session)
    return event


def help_session_record_contact_form(*, session: HelpSession) -> None:
    """The customer reached the contact form (once per session)."""
    if not session.events.filter(kind=HelpEventKind.CONTACT_FORM).exists():
        HelpSessionEvent.objects.create(session=session, kind=HelpEventKind.CONTACT_FORM)
    _touch(session)


def help_session_record_suggestions(
    *, session: HelpSession, query: str, items: Sequence[dict[str, Any]], via: str
) -> HelpSessionEvent | None:
    """Record suggestions shown before or after the request was sent: dicts of kind, id, title and url."""
    if not items:
        return None
    return HelpSessionEvent.objects.create(
        session=session,
        kind=HelpEventKind.SUGGESTIONS,
        query=query.strip()[:500],
        normalised_query=normalise_query(query),
        result_count=len(items),
        results=[
            {"kind": item["kind"], "id": item["id"], "title": item["title"][:300], "url": item.get("url", "")[:300]}
            for item in items[:RESULTS_KEPT]
        ],
        via=via,
    )


def help_session_record_after_submit(*, ticket: Ticket, items: Sequence[dict[str, Any]]) -> HelpSessionEvent | None:
    """The suggestions of the "these may solve it" page after sending, recorded once on the ticket's session."""
    session = ticket.help_sessions.order_by("-pk").first()
    if session is None or session.events.filter(kind=HelpEventKind.SUGGESTIONS, via=HelpVia.AFTER_SUBMIT).exists():
        return None
    return help_session_record_suggestions(session=session, query=ticket.subject, items=items, via=HelpVia.AFTER_SUBMIT)


# --- The verdict -------------------------------------------------------------------------------------------


def _opened_item(session: HelpSession, item_kind: str, item_id: int | None) -> HelpSessionEvent | None:
    if not item_kind or item_id is None:
        return None
    return session.events.filter(kind=HelpEventKind.OPEN, item_kind=item_kind, item_id=item_id).first()


@transaction.atomic
def help_session_resolve(
    *, session: HelpSession, helpful: bool, item_kind: str = "", item_id: int | None = None
) -> HelpSession:
    """The answer to "Did this solve your problem?": Yes ends the session as deflected; No is kept as a rating.

    The item is named by the result the session opened; an item it never opened is kept without a title.
    """
    session = HelpSession.objects.select_for_update().get(pk=session.pk)
    opened = _opened_item(session, item_kind, item_id)
    HelpSessionEvent.objects.create(
        session=session,
        kind=HelpEventKind.RATING,
        item_kind=item_kind,
        item_id=item_id,
        item_title=opened.item_title if opened else "",
        item_url=opened.item_url if opened else "",
        helpful=helpful,
    )
    now = timezone.now()
    session.last_activity_at = now
    fields = ["last_activity_at"]
    if helpful and session.outcome == HelpOutcome.OPEN:
        session.outcome, session.verdict_at = HelpOutcome.DEFLECTED, now
        fields += ["outcome", "verdict_at"]
    session.save(update_fields=fields)
    return session


@transaction.atomic
def help_session_follow_notice(*, session: HelpSession, notice_id: int, title: str, url: str = "") -> HelpSession:
    """The customer followed a known issue (a service notice) from the contact form instead of opening a ticket.

    The follow is recorded on the trail and an open session ends as deflected; following the same notice again
    adds nothing.
    """
    session = HelpSession.objects.select_for_update().get(pk=session.pk)
    followed = session.events.filter(kind=HelpEventKind.FOLLOWED_NOTICE, item_kind="notice", item_id=notice_id)
    if not followed.exists():
        HelpSessionEvent.objects.create(
            session=session,
            kind=HelpEventKind.FOLLOWED_NOTICE,
            item_kind="notice",
            item_id=notice_id,
            item_title=title[:300],
            item_url=url[:300],
            via=HelpVia.CONTACT_FORM,
        )
    now = timezone.now()
    session.last_activity_at = now
    fields = ["last_activity_at"]
    if session.outcome == HelpOutcome.OPEN:
        session.outcome, session.verdict_at = HelpOutcome.DEFLECTED, now
        fields += ["outcome", "verdict_at"]
    session.save(update_fields=fields)
    return session


# --- Escalation and withdrawal --------------------------------------------------------------------------


class Escalation(NamedTuple):
    ticket: Ticket
    created: bool
    session: HelpSession | None


@transaction.atomic
def help_session_escalate(
    *,
    session: HelpSession | None,
    description: str,
    subject: str,
    requester: User | None,
    requester_email: str,
    category: Category | None = None,
    product_version: ProductVersion | None = None,
    proposed_priority: int = Priority.P3,
    language: str,
    idempotency_key: str | None = None,
    attachments: Sequence[Any] = (),
    shown_suggestions: Sequence[dict[str, Any]] = (),
) -> Escalation:
    """Self-service failed: open a tier-1 ticket (channel "self-service escalation") carrying the session.

    `session` is the browser's live session, or None when there is none (a new one is started, so
    every ticket from the contact form has a trail). A repeat of the same submission (same
    idempotency key) returns the first ticket and changes nothing. Every query of the session
    counts as a content gap: these were questions the help center did not answer. All or nothing:
    a ticket never exists without its trail.
    """
    ticket, created = ticket_create(
        requester=requester,
        requester_email=requester_email,
        subject=subject,
        description=description,
        proposed_priority=proposed_priority,
        channel=Channel.SELF_SERVICE,
        product_version=product_version,
        category=category,
        language=language,
        idempotency_key=idempotency_key,
        attachments=attachments,
    )
    if not created:
        return Escalation(ticket, False, ticket.help_sessions.order_by("-pk").first())
    if session is not None:
        session = HelpSession.objects.select_for_update().get(pk=session.pk)
    if session is None or session.outcome != HelpOutcome.OPEN:
        session = HelpSession.objects.create(
            session_key=session.session_key if session else "", user=requester, language=language
        )
    help_session_record_suggestions(
        session=session, query=subject, items=list(shown_suggestions), via=HelpVia.CONTACT_FORM
    )
    now = timezone.now()
    session.ticket, session.outcome, session.verdict_at, session.last_activity_at = (
        ticket, HelpOutcome.ESCALATED, now, now
    )  # fmt: skip
    session.user = session.user or requester
    session.save(update_fields=["ticket", "outcome", "verdict_at", "last_activity_at", "user"])
    queries = dict(
        session.events.filter(kind=HelpEventKind.SEARCH)
        .exclude(normalised_query="")
        .order_by("created_at", "pk")
        .values_list("normalised_query", "query")
    )
    for query in queries.values():
        content_gap_record(query=query, language=session.language, escalations=1)
    return Escalation(ticket, True, session)


@transaction.atomic
def ticket_withdraw(*, ticket: Ticket, by: User | None) -> Ticket:
    """The customer's one click after sending: an article solved it, so the request is closed.

    Call only for the requester (or the holder of the ticket's guest link): the callers check.
    The session that led to the ticket ends as "solved after submitting".
    """
    ticket = Ticket.objects.select_for_update().get(pk=ticket.pk)
    if ticket.status not in Status.active():
        raise ValidationError(_("This request is already resolved or closed."))
    ticket = ticket_set_status(ticket=ticket, status=Status.CLOSED, by=by, reason=EventCause.WITHDRAWN)
    HelpSession.objects.filter(ticket=ticket, outcome=HelpOutcome.ESCALATED).update(
        outcome=HelpOutcome.WITHDRAWN, verdict_at=timezone.now()
    )
    return ticket


# --- Content gaps -----------------------------------------------------------------------------------------


def content_gap_record(*, query: str, language: str, zero_results: int = 0, escalations: int = 0) -> None:
    """Count a query as a content gap. Safe under concurrency: an F() update, or one insert behind the
    unique constraint (the loser of an insert race updates instead)."""
    normalised = normalise_query(query)
    if not normalised or not (zero_results or escalations):
        return
    now = timezone.now()
    rows = ContentGap.objects.filter(normalised_query=normalised, language=language)
    changes = {
        "zero_result_count": F("zero_result_count") + zero_results,
        "escalated_count": F("escalated_count") + escalations,
        "last_seen_at": now,
    }
    if rows.update(**changes):
        return
    try:
        with transaction.atomic():
            ContentGap.objects.create(
                normalised_query=normalised,
                language=language,
                example_query=query.strip()[:500],
                zero_result_count=zero_results,
                escalated_count=escalations,
                first_seen_at=now,
                last_seen_at=now,
            )
    except IntegrityError:
        rows.update(**changes)
