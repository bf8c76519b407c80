"""The browser's side of the help center: the only code that reads or writes `request.session` for it.

The browser session keeps the id of its help session (an id, not the session key, so the help session survives
signing in, which gives the browser a new key) and the tickets it sent from the contact form. The services and
selectors are called from here with plain values: `session_id`, `session_key`, `user`.

`current` only reads. Pages that record in the session call `claim` (or `help_session`, which also starts one), so
a customer who signed in halfway through takes over what they did before.

The search page reads only (`remembered_id`): it writes no session and sets no cookie. A search visit's help
session becomes the browser's own when the visitor does something that needs one: opens a result
(`from_search`), reaches the contact form from the results page (`adopt_visit`), answers "Did this solve it?".
"""

from __future__ import annotations

from django.http import HttpRequest

from kbportal.accounts.models import User
from kbportal.choices import content_language
from kbportal.crawlers import is_crawler
from tickets.models import Ticket

from . import selectors, services
from .models import HelpSession

SESSION_KEY = "help_session"
# The tickets this browser sent from the contact form: their "close my request?" page is open to it.
SENT_KEY = "help_sent_tickets"
SENT_KEPT = 20


def visitor(request: HttpRequest) -> User | None:
    return request.user if request.user.is_authenticated else None


def _remembered(request: HttpRequest) -> int | None:
    session_id = request.session.get(SESSION_KEY)
    return session_id if isinstance(session_id, int) else None


def counted(request: HttpRequest) -> bool:
    """Whether what this visitor does is self-service to count: not staff (who search on behalf of customers),
    not a known crawler (by user agent)."""
    return not request.user.is_staff and not is_crawler(request)


def remembered_id(request: HttpRequest) -> int | None:
    """The id of the help session this browser remembers, without starting a browser session."""
    return _remembered(request)


def _session_key(request: HttpRequest) -> str:
    if not request.session.session_key:
        request.session.save()
    return request.session.session_key or ""


def from_search(request: HttpRequest, *, visit: str, query: str) -> HelpSession | None:
    """A result opened from the search page: the browser's open session, or the one its search visit began,
    made the browser's own."""
    session = claim(request)
    if session is None:
        session = services.help_session_from_search(
            visit=visit,
            query=query,
            user=visitor(request),
            session_key=_session_key(request),
            language=content_language(getattr(request, "LANGUAGE_CODE", "")),
        )
    if session is not None:
        remember(request, session)
    return session


def adopt_visit(request: HttpRequest, visit: str) -> HelpSession | None:
    """The browser's open session, or else the open one its search visit began (now the browser's own)."""
    session = claim(request)
    if session is None and visit:
        session = services.help_session_of_visit(visit=visit, user=visitor(request))
        if session is not None:
            session = services.help_session_claim(session=session, user=visitor(request))
            remember(request, session)
    return session


def current(request: HttpRequest) -> HelpSession | None:
    """The browser's help session while it is open and active. Reads only."""
    return selectors.help_session_current(session_id=_remembered(request), user=visitor(request))


def latest(request: HttpRequest) -> HelpSession | None:
    """The browser's latest help session even after its verdict (for the pages shown after a request is sent)."""
    return selectors.help_session_latest(session_id=_remembered(request), user=visitor(request))


def claim(request: HttpRequest) -> HelpSession | None:
    """The browser's open help session, taken over by the visitor if they signed in since it started."""
    session = current(request)
    return None if session is None else services.help_session_claim(session=session, user=visitor(request))


def help_session(request: HttpRequest) -> HelpSession:
    """Start or continue the browser's help session: a new one after an idle spell or after a verdict."""
    session = services.help_session_for(
        session_id=_remembered(request),
        session_key=_session_key(request),
        user=visitor(request),
        language=content_language(getattr(request, "LANGUAGE_CODE", "")),
    )
    remember(request, session)
    return session


def remember(request: HttpRequest, session: HelpSession) -> None:
    """Make a session the browser's own (a new one, or one an escalation had to start)."""
    if request.session.get(SESSION_KEY) != session.pk:
        request.session[SESSION_KEY] = session.pk


def remember_sent(request: HttpRequest, ticket: Ticket) -> None:
    request.session[SENT_KEY] = [*request.session.get(SENT_KEY, []), ticket.pk][-SENT_KEPT:]


def sent_here(request: HttpRequest, ticket: Ticket) -> bool:
    """Whether this browser sent the ticket from the contact form, or its signed-in requester is here."""
    mine = request.user.is_authenticated and ticket.requester_id == request.user.pk
    return mine or ticket.pk in request.session.get(SENT_KEY, [])
