"""Where a form may send the browser next: a URL of this site, or the view's own default."""

from django.http import HttpRequest
from django.utils.http import url_has_allowed_host_and_scheme


def safe_next_url(request: HttpRequest, target: str | None, *, fallback: str) -> str:
    """`target` when it stays on this host (and on HTTPS when the request is), otherwise `fallback`.

    Django's check refuses what browsers read as another site or a script: "//evil.example",
    "https://evil.example", "/\\evil.example", "javascript:…", and control characters hidden in any of them.
    """
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return fallback
