"""Writes of the help center: help sessions, their trail, the verdict, escalation, withdrawal, content gaps.

Every search starts or continues a help session; it ends with a verdict (solved, or a ticket) or after
`KBPORTAL_HELP_SESSION_IDLE_MINUTES` of inactivity, and the next search then starts a new one. These functions
take plain values (`session_id`, `session_key`, `user`); which session a browser has is kept by the adapter in
`session.py`, the only code that reads the browser session.
"""

from __future__ import annotations

import logging
import re
import secrets
import unicodedata
from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any, NamedTuple

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Min
from django.utils import timezone
from django.utils.translation import gettext as _

from kbportal import buffer
from kbportal.accounts.models import User
from kbportal.choices import Language
from tickets.models import Channel, EventCause, Priority, Status, Ticket
from tickets.services import ticket_create, ticket_set_status

from .models import (
    ContentGapDay,
    ContentGapRolledDay,
    HelpEventKind,
    HelpOutcome,
    HelpSession,
    HelpSessionEvent,
    HelpVia,
)
from .selectors import content_gaps_of, help_session_current

if TYPE_CHECKING:
    from articles.models import Category, ProductVersion

RESULTS_KEPT = 10
logger = logging.getLogger(__name__)


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


def help_session_record_search(
    *,
    session: HelpSession,
    query: str,
    results: Sequence[Any],
    result_count: int | None = None,
    at: datetime | None = None,
) -> HelpSessionEvent:
    """Record a search and the results shown (`results`: the engine's hits, best first, or the rows kept of
    them with `result_count`, as the buffer has them; `at`: when it was made, now by default).

    Reloading the same results page adds nothing. A search a result link named before the buffer wrote it
    (`help_session_from_search`) is this one: it gets its results, and is not counted twice.
    """
    query = query.strip()[:500]
    rows = [dict(row) for row in results[:RESULTS_KEPT]] if result_count is not None else _result_rows(results)
    count = len(results) if result_count is None else result_count
    named = session.events.filter(kind=HelpEventKind.SEARCH, query=query, result_count__isnull=True).first()
    if named is not None:
        named.result_count, named.results = count, rows
        named.created_at = min(named.created_at, at or named.created_at)
        named.save(update_fields=["result_count", "results", "created_at"])
        return named
    last = session.events.order_by("-created_at", "-pk").first()
    if last is not None and last.kind == HelpEventKind.SEARCH and last.query == query and last.results == rows:
        _touch(session)
        return last
    event = HelpSessionEvent.objects.create(
        session=session,
        kind=HelpEventKind.SEARCH,
        query=query,
        normalised_query=normalise_query(query),
        result_count=count,
        results=rows,
        via=HelpVia.SEARCH,
        created_at=at or timezone.now(),
    )
    _touch(session, search_count=1)
    return event


# --- Searches through the buffer ----------------------------------------------------------------------------
#
# The search page writes nothing: it hands its search to kbportal.buffer, which writes it after the response
# (or from Redis, in batches, at scale). A visitor's searches join one help session without a cookie through
# the *visit token* the page carries in its form and its result links; the first search of a visit begins the
# session when it is written. Opening a result, answering "Did this solve it?", the contact form and the
# community's ask page then make it the browser's own (session.py).

SEARCH_RECORD = "helpcenter.search"
VISIT_TOKEN = re.compile(r"^[0-9a-f]{32}$")


def new_visit_token() -> str:
    return secrets.token_hex(16)


def help_search_note(
    *,
    visit: str,
    session_id: int | None,
    user: User | None,
    language: str,
    query: str,
    results: Sequence[Any],
) -> None:
    """Keep a search for the buffer to write (`help_searches_write`): the page itself writes nothing.

    `visit`: the search visit's token; `session_id`: the help session the browser remembers, if any.
    """
    buffer.record(
        SEARCH_RECORD,
        {
            "visit": visit,
            "session": session_id,
            "user": user.pk if user is not None else None,
            "language": language,
            "query": query.strip()[:500],
            "count": len(results),
            "results": _result_rows(results),
            "at": timezone.now().isoformat(),
        },
    )


def _visit_session(visit: str, user: User | None) -> HelpSession | None:
    """The open, active help session the search visit began, if this visitor may continue it."""
    if not VISIT_TOKEN.match(visit or ""):
        return None
    latest = HelpSession.objects.filter(visit_token=visit).order_by("-pk").values_list("pk", flat=True).first()
    return help_session_current(session_id=latest, user=user) if latest is not None else None


def _search_session(record: dict[str, Any], user: User | None, at: datetime) -> HelpSession:
    visit = record.get("visit") or ""
    remembered = record.get("session")
    session = help_session_current(session_id=remembered if isinstance(remembered, int) else None, user=user)
    if session is None:
        session = _visit_session(visit, user)
    if session is None:
        return HelpSession.objects.create(
            session_key="",
            user=user,
            language=record.get("language") or Language.EN,
            visit_token=visit if VISIT_TOKEN.match(visit) else "",
            started_at=at,
            last_activity_at=at,
        )
    if not session.visit_token and VISIT_TOKEN.match(visit):
        HelpSession.objects.filter(pk=session.pk).update(visit_token=visit)
        session.visit_token = visit
    return help_session_claim(session=session, user=user)


def help_searches_write(records: list[dict[str, Any]]) -> None:
    """The buffer's writer of searches, in the order they were made: each continues its visit's (or its
    browser's) help session, or begins one. A malformed record is logged and skipped."""
    users = User.objects.in_bulk({record.get("user") for record in records if isinstance(record.get("user"), int)})
    written: list[datetime] = []
    for record in records:
        try:
            at = datetime.fromisoformat(record["at"])
            query, count, rows = str(record["query"]), int(record["count"]), list(record["results"])
        except (KeyError, TypeError, ValueError):
            logger.error("A buffered search is malformed and is skipped: %r", record)
            continue
        user = users.get(record.get("user"))
        session = _search_session(record, user, at)
        help_session_record_search(session=session, query=query, results=rows, result_count=count, at=at)
        written.append(at)
    # A search written after its day was rolled up (Redis drained late, after midnight): that day again.
    content_gaps_changed(moments=written)


def help_session_from_search(
    *, visit: str, query: str, user: User | None, session_key: str, language: str
) -> HelpSession | None:
    """A result opened from a search (its link names the visit and the query): the session the visit began.

    When the buffer has not written the search yet, the session begins here with the search as the link names
    it (results unknown until the buffer's record fills them in). None for a link that names no valid visit.
    """
    if not VISIT_TOKEN.match(visit or ""):
        return None
    session = _visit_session(visit, user)
    if session is not None:
        return help_session_claim(session=session, user=user)
    session = HelpSession.objects.create(
        session_key=session_key, user=user, language=language, visit_token=visit, search_count=1
    )
    query = query.strip()[:500]
    HelpSessionEvent.objects.create(
        session=session,
        kind=HelpEventKind.SEARCH,
        query=query,
        normalised_query=normalise_query(query),
        result_count=None,
        via=HelpVia.SEARCH,
    )
    return session


def help_session_of_visit(*, visit: str, user: User | None) -> HelpSession | None:
    """The open session a search visit began (the contact form reached from the results page). Reads only."""
    return _visit_session(visit, user)


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
    # Every query of the session now counts as a content gap (a day already rolled up is rolled again).
    content_gaps_changed(session_ids=[session.pk])
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
    withdrawn = list(
        HelpSession.objects.filter(ticket=ticket, outcome=HelpOutcome.ESCALATED).values_list("pk", flat=True)
    )
    HelpSession.objects.filter(pk__in=withdrawn).update(outcome=HelpOutcome.WITHDRAWN, verdict_at=timezone.now())
    content_gaps_changed(session_ids=withdrawn)
    return ticket


# --- Content gaps: the daily rollup ----------------------------------------------------------------------------
#
# Searches without results, and the searches of sessions that ended in a ticket, are the content gaps. The
# dashboard lists them for a period; over raw searches that is its slowest figure, so each closed UTC day is
# rolled up into ContentGapDay (the same aggregate, `content_gaps_of`) by beat's hourly job, and rolled again
# when it may have changed. Today is never rolled up: it is read from the searches.


def utc_day_bounds(day: date) -> tuple[datetime, datetime]:
    start = datetime.combine(day, time.min, tzinfo=UTC)
    return start, start + timedelta(days=1)


def content_gap_rollup(*, days: Iterable[date]) -> int:
    """Compute the content gaps of closed UTC days from their searches, replacing what was there (idempotent).

    Returns the rows written. Today and later days are left alone: they are still being searched.
    """
    today = timezone.now().astimezone(UTC).date()
    written = 0
    for day in sorted(set(days)):
        if day >= today:
            continue
        start, end = utc_day_bounds(day)
        searches = HelpSessionEvent.objects.filter(kind=HelpEventKind.SEARCH, created_at__gte=start, created_at__lt=end)
        rows = [
            ContentGapDay(
                day=day,
                normalised_query=row["normalised_query"],
                language=row["session__language"],
                example_query=row["query"][:500],
                zero_result_count=row["without_results"],
                escalated_count=row["escalated"],
                last_seen_at=row["last_seen"],
            )
            for row in content_gaps_of(searches)
        ]
        with transaction.atomic():
            ContentGapDay.objects.filter(day=day).delete()
            ContentGapDay.objects.bulk_create(rows, batch_size=1000)
            ContentGapRolledDay.objects.update_or_create(day=day, defaults={"rolled_at": timezone.now()})
        written += len(rows)
    return written


def content_gap_rollup_due(*, keep_days: int = 400) -> int:
    """Beat's hourly job: roll up the last two closed days again (searches written late, verdicts given after
    midnight) and every closed day with searches that was never rolled up. Idempotent."""
    today = timezone.now().astimezone(UTC).date()
    first = HelpSessionEvent.objects.filter(kind=HelpEventKind.SEARCH).aggregate(first=Min("created_at"))["first"]
    if first is None:
        return 0
    since = max(first.astimezone(UTC).date(), today - timedelta(days=keep_days))
    rolled = set(ContentGapRolledDay.objects.filter(day__gte=since).values_list("day", flat=True))
    every_day = {since + timedelta(days=n) for n in range((today - since).days)}
    due = (every_day - rolled) | {today - timedelta(days=1), today - timedelta(days=2)}
    return content_gap_rollup(days={day for day in due if day >= since})


def content_gaps_changed(*, session_ids: Iterable[int] = (), moments: Iterable[datetime] = ()) -> None:
    """Roll up again the closed days that already were and whose content gaps may have changed: the days the
    sessions searched on (an escalation or a withdrawal changes what their searches count), or of searches
    written late (`moments`)."""
    today = timezone.now().astimezone(UTC).date()
    days = {day for moment in moments if (day := moment.astimezone(UTC).date()) < today}
    ids = list(session_ids)
    if ids:
        for moment in HelpSessionEvent.objects.filter(session_id__in=ids, kind=HelpEventKind.SEARCH).values_list(
            "created_at", flat=True
        ):
            if (day := moment.astimezone(UTC).date()) < today:
                days.add(day)
    if days:
        rolled = ContentGapRolledDay.objects.filter(day__in=days).values_list("day", flat=True)
        content_gap_rollup(days=list(rolled))
