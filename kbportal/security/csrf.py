"""CSRF tokens without a cookie on every page: a public page carries none until the visitor needs one.

A page that a shared cache may keep (kbportal.pagecache) must set no cookie, so its forms carry the placeholder
`LAZY` instead of a token. With the script, the first interaction with such a form fetches a real token from
`/csrf/` (which sets the cookie) and fills it in. Without the script, the few forms a public page shows post to
views marked `csrf_when_credentialed`: a request that carries no credentials (no session cookie, no
Authorization header) has no ambient authority for another site to borrow, so the token is not required — but
a request that another site's page sent (`Sec-Fetch-Site: cross-site`, or an Origin of another host) is still
refused, so nobody can make visitors' browsers post for them. With credentials, Django's full check applies.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.middleware.csrf import CsrfViewMiddleware, get_token
from django.utils.functional import SimpleLazyObject
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt

# What a public page's forms carry where a token would be: the script replaces it.
LAZY = "lazy"


def csrf(request: HttpRequest) -> dict[str, Any]:
    """The `csrf_token` of every template (replaces Django's built-in processor's value)."""
    return {"csrf_token": SimpleLazyObject(lambda: _token(request))}


def _token(request: HttpRequest) -> str:
    if getattr(request, "_page_public", False):
        return LAZY  # get_token() would set the cookie, and a page with a cookie cannot be shared
    return get_token(request)


@never_cache
def token(request: HttpRequest) -> JsonResponse:
    """A token for the script to put in a public page's form (and the cookie it is checked against)."""
    return JsonResponse({"token": get_token(request)})


def has_credentials(request: HttpRequest) -> bool:
    return settings.SESSION_COOKIE_NAME in request.COOKIES or "Authorization" in request.headers


def sent_by_another_site(request: HttpRequest) -> bool:
    """A browser's own word that another site's page made this request ("null": an origin it will not name)."""
    if request.headers.get("Sec-Fetch-Site") == "cross-site":
        return True
    origin = request.headers.get("Origin", "null")
    return origin != "null" and urlsplit(origin).netloc != request.get_host()


def csrf_when_credentialed(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Django's CSRF check for a request with credentials; for one without, only "not from another site"."""
    check = CsrfViewMiddleware(lambda request: HttpResponse())

    @wraps(view)
    def checked(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.method not in ("GET", "HEAD", "OPTIONS", "TRACE"):
            if has_credentials(request):
                refused = check.process_view(request, view, args, kwargs)
                if refused is not None:
                    return refused
            elif sent_by_another_site(request):
                return check._reject(request, "the request came from another site")
        return view(request, *args, **kwargs)

    return csrf_exempt(checked)
