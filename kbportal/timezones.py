"""Which time zone a page or an e-mail shows times in, and when it names the zone.

One rule everywhere: times are shown in the reader's zone, and the zone is named ("15:32 CET") whenever it
differs from the page's *reference* zone — the zone the ticket's service-level clock runs in (its
organisation's) on a ticket's pages, the reader's own default zone elsewhere. E-mails have no reference: they
always name the zone.

The reader's zone is the browser's, which a small script keeps in a cookie (ViewerTimeZoneMiddleware). Until
the script has run — the first page after following a link in an e-mail, or a browser without JavaScript — it
is the reader's stored zone (a registered *home zone*: their organisation's), else a page's own default (a
guest's ticket's zone), else the site's (TIME_ZONE).

This module is the foundation's; apps above it tell it a user's home zone through `register_home_zone`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime, tzinfo
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from asgiref.local import Local
from django.contrib import auth
from django.http import HttpRequest
from django.utils import formats, timezone

if TYPE_CHECKING:
    from kbportal.accounts.models import User

# Asked only for a signed-in user.
_home_zone_sources: list[Callable[[User], str | None]] = []
_reference = Local()
_UNSET = object()


def zone_named(name: str | None) -> ZoneInfo | None:
    """The zone of an IANA name, None for an empty, unknown or malformed one."""
    if not name or len(name) > 64:
        return None
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None


# --- The reader's stored zone ---------------------------------------------------------------------------


def register_home_zone(source: Callable[[User], str | None]) -> None:
    """Add a way to find a signed-in user's stored zone (an app calls this in its AppConfig.ready())."""
    if source not in _home_zone_sources:
        _home_zone_sources.append(source)


def home_zone(user) -> ZoneInfo | None:
    """The zone stored for a user (their organisation's), None for guests and users without one."""
    if not getattr(user, "is_authenticated", False):
        return None
    for source in _home_zone_sources:
        zone = zone_named(source(user))
        if zone is not None:
            return zone
    return None


SESSION_KEY = "kbportal_home_zone"


def remember_home_zone(sender, request: HttpRequest | None, user, **kwargs) -> None:
    """At a browser's sign-in, keep the user's stored zone in their session: pages find it without a query.

    Not for an API token's sign-in, which has no session to keep (the session would be made for nothing).
    """
    session = getattr(request, "session", None)
    if session is not None and session.get(auth.SESSION_KEY) == str(user.pk):
        zone = home_zone(user)
        session[SESSION_KEY] = zone.key if zone else ""


def session_home_zone(request: HttpRequest) -> ZoneInfo | None:
    """The signed-in reader's stored zone, as their session keeps it since sign-in (looked up without one)."""
    if not getattr(request.user, "is_authenticated", False):
        return None
    session = getattr(request, "session", {})
    return zone_named(session[SESSION_KEY]) if SESSION_KEY in session else home_zone(request.user)


def activate_page_default(request: HttpRequest, zone: tzinfo | None) -> None:
    """Show this page in `zone` when neither the browser nor the reader's stored zone said otherwise.

    For pages about one thing with a zone of its own, e.g. a guest's ticket, read through a link from an e-mail
    before the browser has told us its zone.
    """
    if zone is not None and not getattr(request, "viewer_zone_known", False):
        timezone.activate(zone)


# --- When the zone is named -------------------------------------------------------------------------------


def activate_reference(zone: tzinfo | None) -> None:
    """Times in a zone other than `zone` are named on this page (None: always named)."""
    _reference.value = zone


def deactivate_reference() -> None:
    """Back to the default reference: the site's zone."""
    if hasattr(_reference, "value"):
        del _reference.value


def reference_zone() -> tzinfo | None:
    value = getattr(_reference, "value", _UNSET)
    return timezone.get_default_timezone() if value is _UNSET else value


@contextmanager
def override(zone: tzinfo, *, reference: tzinfo | None = None) -> Iterator[None]:
    """Render in `zone`, naming it unless it is `reference` (by default always, as an e-mail does)."""
    previous = getattr(_reference, "value", _UNSET)
    _reference.value = reference
    try:
        with timezone.override(zone):
            yield
    finally:
        if previous is _UNSET:
            deactivate_reference()
        else:
            _reference.value = previous


def _key(zone: tzinfo | None) -> str | None:
    return getattr(zone, "key", None) or (str(zone) if zone is not None else None)


def names_zone(*, zone: tzinfo | None = None, reference: tzinfo | object | None = _UNSET) -> bool:
    """Whether times shown in `zone` (the current one by default) must carry its name: it is not the reference."""
    ref = reference_zone() if reference is _UNSET else reference
    return ref is None or _key(ref) != _key(zone or timezone.get_current_timezone())


def zone_abbreviation(moment: datetime) -> str:
    """The zone of a local time as people write it: "CET", "CST", "UTC"; "UTC+4" where there is no letters' one."""
    name = moment.tzname() or ""
    if name.isalpha():
        return name
    offset = moment.utcoffset()
    if offset is None:
        return name
    minutes = int(offset.total_seconds()) // 60
    sign, minutes = ("+" if minutes >= 0 else "-"), abs(minutes)
    hours, minutes = divmod(minutes, 60)
    return f"UTC{sign}{hours}:{minutes:02d}" if minutes else f"UTC{sign}{hours}"


def with_zone(text: str, local: datetime, *, reference: tzinfo | object | None = _UNSET) -> str:
    """`text` (a time read in the current zone) followed by the zone's name when the page must name it."""
    return f"{text} {zone_abbreviation(local)}" if names_zone(reference=reference) else text


def moment_text(value: datetime, format_name: str = "DATETIME_FORMAT", *, reference=_UNSET) -> str:
    """A date and time in the reader's zone, in the active language's format, its zone named when needed."""
    local = timezone.localtime(value)
    return with_zone(formats.date_format(local, format_name), local, reference=reference)
