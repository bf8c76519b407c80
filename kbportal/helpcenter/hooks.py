"""What the knowledge base's pages call: the "Did this solve your problem?" banner and ratings in a session.

Result links from the search page, the contact form, the page after sending and the community's ask page
carry `?hs=<where>`; opening such a link records the open in the browser's help session and shows the banner.
The search page's links also carry `hq`, the search they come from (its visit and query, signed): the search
page writes nothing, so the open is where the browser's help session begins.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core import signing
from django.http import HttpRequest

from tickets.models import Status, Ticket

from . import session as browser
from .models import HelpOutcome, HelpVia
from .services import help_session_record_open, help_session_record_rating, help_session_record_suggestions

HELP_PARAM = "hs"
SEARCH_PARAM = "hq"
_SEARCH_SALT = "kbportal.helpcenter.search-result"


def help_link(url: str, via: str = HelpVia.SEARCH) -> str:
    """A result's address that records the open and asks whether it solved the problem."""
    return f"{url}{'&' if '?' in url else '?'}{HELP_PARAM}={via}"


def search_ref(visit: str, query: str) -> str:
    """What a result link of the search page says of its search: the visit and the query, signed (a forged
    link must not put made-up searches into the figures)."""
    return signing.dumps({"v": visit, "q": query[:500]}, salt=_SEARCH_SALT, compress=True)


def read_search_ref(value: str) -> tuple[str, str] | None:
    try:
        data = signing.loads(value, salt=_SEARCH_SALT)
    except signing.BadSignature:
        return None
    if not isinstance(data, dict) or not isinstance(data.get("v"), str) or not isinstance(data.get("q"), str):
        return None
    return data["v"], data["q"]


def search_result_link(url: str, ref: str) -> str:
    """A search result's address: records the open, begins the help session from that search, asks about it."""
    link = help_link(url, HelpVia.SEARCH)
    return f"{link}&{SEARCH_PARAM}={ref}" if ref else link


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
    elif (
        via == HelpVia.SEARCH
        and browser.counted(request)
        and (named := read_search_ref(request.GET.get(SEARCH_PARAM, ""))) is not None
    ):
        session, ticket = browser.from_search(request, visit=named[0], query=named[1]), None
        if session is None:
            return None
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
