from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse

from articles.video_providers import FRAME_ORIGINS


def _content_security_policy() -> str:
    media = " ".join(["'self'", *settings.KBPORTAL_CSP_EXTRA_MEDIA])
    directives = {
        "default-src": "'self'",
        "script-src": "'self'",
        # Inline style attributes are allowed for the admin and the API docs; user content has none.
        "style-src": "'self' 'unsafe-inline'",
        "img-src": "'self' data: https:",
        "media-src": media,
        "frame-src": " ".join(FRAME_ORIGINS),
        "object-src": "'none'",
        "base-uri": "'self'",
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
