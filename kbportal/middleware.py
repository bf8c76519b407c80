from collections.abc import Callable
from urllib.parse import unquote
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from articles.video_providers import FRAME_ORIGINS


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
        "frame-src": " ".join(FRAME_ORIGINS),
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

    An unknown or missing name leaves the site's default (`DJANGO_TIME_ZONE`).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        zone = _zone(unquote(request.COOKIES.get(TIME_ZONE_COOKIE, "")))
        if zone is None:
            timezone.deactivate()
        else:
            timezone.activate(zone)
        return self.get_response(request)


def _zone(name: str) -> ZoneInfo | None:
    if not name or len(name) > 64:
        return None
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None
