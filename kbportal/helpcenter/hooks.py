"""What the knowledge base's pages call: the "Did this solve your problem?" banner and ratings in a session.

Result links from the search page, the contact form, the page after sending and the community's ask page
carry `?hs=<where>`; opening such a link records the open in the browser's help session and shows the banner.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.http import HttpRequest

from tickets.models import Status, Ticket

from . import session as browser
from .models import HelpOutcome, HelpVia
from .services import help_session_record_open, help_session_record_rating, help_session_record_suggestions

HELP_PARAM = "hs"


def help_link(url: str, via: str = HelpVia.SEARCH) -> str:
    """A result's address that records the open and asks whether it solved the problem."""
    return f"{url}{'&' if '?' in url else '?'}{HELP_PARAM}={via}"


@dataclass(frozen=True)
class HelpBanner:
    item_kind: str
    item_id: int
    item_url: str
    via: str = ""
    # After the request was sent: the banner offers to close this ticket instead of ending a session.
    ticket: Ticket | None = None


def help_banner(
    request: HttpRequest, *, item_kind: str, item_id: int, item_title: str, item_url: str
) -> HelpBanner | None:
    """Record the open of a result reached from self-service and say what the banner asks; None elsewhere."""
    via = request.GET.get(HELP_PARAM, "")
    if via not in HelpVia.values:
        return None
    if via == HelpVia.AFTER_SUBMIT:
        session = browser.latest(request)
        ticket = session.ticket if session is not None and session.outcome == HelpOutcome.ESCALATED else None
        if ticket is None or ticket.status not in Status.active():
            return None
    elif via == HelpVia.COMMUNITY_ASK:
        # Similar questions shown while asking the forum: the first one opened starts the help session.
        session, ticket = browser.help_session(request), None
    else:
        session, ticket = browser.claim(request), None
        if session is None:
            return None
    help_session_record_open(
        session=session, item_kind=item_kind, item_id=item_id, item_title=item_title, item_url=item_url, via=via
    )
    return HelpBanner(item_kind=item_kind, item_id=item_id, item_url=item_url, via=via, ticket=ticket)


def help_session_note_rating(
    request: HttpRequest, *, item_kind: str, item_id: int, item_title: str, helpful: bool
) -> None:
    """Keep a "Was this helpful?" answer in the browser's help session, when one is under way."""
    session = browser.claim(request)
    if session is not None:
        help_session_record_rating(
            session=session, item_kind=item_kind, item_id=item_id, item_title=item_title, helpful=helpful
        )


def help_session_note_suggestions(request: HttpRequest, *, query: str, items: list[dict], place: str) -> None:
    """Keep what a self-service place showed a visitor (the forum's ask page) in the browser's help session."""
    if items and not request.user.is_staff and place in HelpVia.values:
        help_session_record_suggestions(session=browser.help_session(request), query=query, items=items, via=place)
