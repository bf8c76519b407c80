"""The browser's side of the help center: the only code that reads or writes `request.session` for it.

The browser session keeps the id of its help session (an id, not the session key, so the help session survives
signing in, which gives the browser a new key) and the tickets it sent from the contact form. The services and
selectors are called from here with plain values: `session_id`, `session_key`, `user`.

`current` only reads. Pages that record in the session call `claim` (or `help_session`, which also starts one), so
a customer who signed in halfway through takes over what they did before.
"""

from __future__ import annotations

from django.http import HttpRequest

from kbportal.accounts.models import User
from kbportal.choices import content_language
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
    if not request.session.session_key:
        request.session.save()
    session = services.help_session_for(
        session_id=_remembered(request),
        session_key=request.session.session_key or "",
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
