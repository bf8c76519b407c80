from collections.abc import Callable
from urllib.parse import unquote

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from kbportal import timezones
from kbportal.security.frames import frame_origins


def _content_security_policy() -> str:
    media = " ".join(["'self'", *settings.KBPORTAL_CSP_EXTRA_MEDIA])
    directives = {
        "default-src": "'self'",
        "script-src": "'self'",
        # No inline style anywhere, the admin and the API docs included: every page styles itself from static/
        # (element.style set from a script is CSSOM, which the policy does not restrict).
        "style-src": "'self'",
        "img-src": "'self' data: https:",
        "media-src": media,
        "frame-src": " ".join(frame_origins()) or "'none'",
        "object-src": "'none'",
        # No page needs a <base>; one injected would re-point every relative link and script.
        "base-uri": "'none'",
        "form-action": "'self'",
        "frame-ancestors": "'none'",
    }
    return "; ".join(f"{name} {value}" for name, value in directives.items())


class ContentSecurityPolicyMiddleware:
    """A strict Content-Security-Policy: no inline or foreign scripts, frames only from video hosts."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.policy = _content_security_policy()

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", self.policy)
        return response


TIME_ZONE_COOKIE = "tz"


class ViewerTimeZoneMiddleware:
    """Show times in the viewer's time zone: the browser's IANA name, which a small script keeps in a cookie.

    Before the script has set it (the first page after following a link in an e-mail, or no JavaScript), a
    signed-in viewer's stored zone (their organisation's); else the site's default (`DJANGO_TIME_ZONE`), which a
    page about one ticket may replace with the ticket's (`timezones.activate_page_default`). Each request also
    starts with the viewer's default zone as the page's reference: times in any other zone are named.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        chosen = timezones.zone_named(unquote(request.COOKIES.get(TIME_ZONE_COOKIE, "")))
        # Only without the cookie: the browser's own zone wins anyway.
        home = timezones.session_home_zone(request) if chosen is None and hasattr(request, "user") else None
        zone = chosen or home
        request.viewer_zone_known = zone is not None
        if zone is None:
            timezone.deactivate()
        else:
            timezone.activate(zone)
        timezones.activate_reference(home or timezone.get_default_timezone())
        return self.get_response(request)
