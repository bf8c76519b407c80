"""Public pages a shared cache can keep, and a server-side copy of them for anonymous visitors.

A view marked `@public_page(...)` answers a *public request* — a GET or HEAD with no session cookie, no
flash messages, no Authorization header and only the query parameters the page declares — with
`Cache-Control: public, max-age, s-maxage`, and the server keeps its HTML under a key of the page's identity (the
host, the path and query, the active language and time zone), together with the version of every *scope* the page
showed when it was rendered (the knowledge base, the forum, the service notices every page's banner lists, and the
page's own object). A change bumps a scope's version (`touch`), when it is made and again when its transaction
commits. A request reads the current versions and the stored page in one round trip (one MGET); a stored page whose
versions are not the current ones is a miss, rendered again and stored over the old one. Nothing is ever flushed.

Everything else — a signed-in visitor, a visitor with a session (they voted, they are in a help session), a
`?hs=` link from search — gets the page rendered for them, marked `Cache-Control: private`. A response that
sets a cookie is never stored. When the cache is unreachable, pages are rendered as if nothing were stored.

Where staleness is allowed: a vote changes its item's page at once (the item's own scope), but the lists
that show a tally wait for the page's time to live (`KBPORTAL_PAGE_CACHE_SECONDS`), as a shared cache does for
`s-maxage` anyway.
"""

from __future__ import annotations

import hashlib
import secrets
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote

from django.conf import settings
from django.core.cache import caches
from django.db import transaction
from django.db.models import Model
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.http import HttpRequest, HttpResponse
from django.urls import Resolver404, resolve
from django.utils import timezone, translation
from django.utils.cache import patch_cache_control, patch_vary_headers

from kbportal import timezones
from kbportal.middleware import TIME_ZONE_COOKIE

# Every public page shows the service-notice banner.
ALWAYS = ("notices",)
_VERSION = "pagever:{}"
_PAGE = "page:{}"
# The cookies that make a request someone's own: what it shows depends on them.
_PERSONAL_COOKIES = ("messages",)


@dataclass(frozen=True)
class PublicPage:
    scopes: tuple[str, ...]
    # The object the page is about, from the URL's arguments: e.g. ("article", "pk") → scope "article:12".
    obj: tuple[str, str] | None = None
    # Query parameters the page may be cached with (any other makes the request not public); None: any.
    params: frozenset[str] | None = field(default_factory=frozenset)
    # Run on a request answered from the server's copy (e.g. count the view the page's code would count).
    on_hit: Callable[..., None] | None = None

    def scopes_for(self, kwargs: dict[str, Any]) -> list[str]:
        named = [*ALWAYS, *self.scopes]
        if self.obj is not None and self.obj[1] in kwargs:  # a list of the same view names none
            kind, argument = self.obj
            named.append(f"{kind}:{kwargs[argument]}")
        return named


def public_page(
    *scopes: str,
    obj: tuple[str, str] | None = None,
    params: Iterable[str] | None = (),
    on_hit: Callable[..., None] | None = None,
) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    """Mark a view whose anonymous page is the same for every visitor of a language (see the module)."""
    policy = PublicPage(
        scopes=tuple(scopes), obj=obj, params=None if params is None else frozenset(params), on_hit=on_hit
    )

    def mark(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        view.public_page = policy  # type: ignore[attr-defined]
        return view

    return mark


def touch(*scopes: str) -> None:
    """The pages showing these scopes changed: new versions now, and again once the change is committed.

    Both: a page rendered between the two bumps may have read the old rows, and is stored under a version the
    commit's bump leaves behind."""
    _bump(scopes)
    if transaction.get_connection().in_atomic_block:
        transaction.on_commit(lambda: _bump(scopes))


def touch_on_save(models: Iterable[type[Model]], scopes_of: Callable[[Model], Sequence[str]]) -> None:
    """Touch what a saved or deleted row of these models shows (an app's AppConfig.ready() names its own).

    Writes that send no signal (queryset.update(), bulk_create()) touch their scopes themselves."""

    def changed(sender: type[Model], instance: Model, **kwargs: Any) -> None:
        if not kwargs.get("raw"):
            touch(*scopes_of(instance))

    for model in models:
        uid = f"pagecache:{model._meta.label}"
        post_save.connect(changed, sender=model, weak=False, dispatch_uid=f"{uid}:save")
        post_delete.connect(changed, sender=model, weak=False, dispatch_uid=f"{uid}:delete")
        for m2m in model._meta.many_to_many:
            through = m2m.remote_field.through
            m2m_changed.connect(changed, sender=through, weak=False, dispatch_uid=f"{uid}:{m2m.name}")


def _bump(scopes: Sequence[str]) -> None:
    # A fresh random version, never a counter: a version evicted from the cache must not come back as an
    # old number whose pages might still be stored.
    _cache().set_many({_VERSION.format(scope): _new_version() for scope in scopes}, timeout=None)


def _new_version() -> str:
    return f"{time.time_ns():x}{secrets.token_hex(4)}"


def _cache():
    return caches["default"]


def is_anonymous_read(request: HttpRequest) -> bool:
    """A GET or HEAD that is nobody's own: no session, no flash messages, no credentials."""
    if request.method not in ("GET", "HEAD") or "Authorization" in request.headers:
        return False
    cookies = request.COOKIES
    return settings.SESSION_COOKIE_NAME not in cookies and not any(name in cookies for name in _PERSONAL_COOKIES)


def is_public_request(request: HttpRequest, policy: PublicPage) -> bool:
    """The same page for every visitor of this language and zone: nobody's own request, only declared params."""
    return is_anonymous_read(request) and (policy.params is None or set(request.GET) <= policy.params)


@dataclass(frozen=True)
class Lookup:
    """What one read of the cache found for a public request: where its page is kept, the versions of what it
    shows now (None when they cannot be read: nothing is stored or trusted), and the stored page when it was
    rendered under exactly those versions."""

    key: str
    versions: dict[str, str] | None
    stored: dict[str, Any] | None


def page_lookup(request: HttpRequest, policy: PublicPage, kwargs: dict[str, Any]) -> Lookup:
    """The current versions of the page's scopes and its stored copy, read together in one round trip."""
    version_keys = [_VERSION.format(scope) for scope in policy.scopes_for(kwargs)]
    key = page_key(request)
    cache = _cache()
    found = cache.get_many([*version_keys, key])
    if any(name not in found for name in version_keys):
        # A scope never touched (or evicted): give it a version; no page can have been stored under it.
        for name in version_keys:
            if name not in found:
                cache.add(name, _new_version(), timeout=None)
        found = cache.get_many(version_keys)
        if len(found) < len(version_keys):
            return Lookup(key=key, versions=None, stored=None)  # the cache is unreachable
    versions = {name: found[name] for name in version_keys}
    stored = found.get(key)
    if not isinstance(stored, dict) or stored.get("versions") != versions:
        stored = None  # rendered before a change to what it shows (or never stored): a miss
    return Lookup(key=key, versions=versions, stored=stored)


def page_key(request: HttpRequest) -> str:
    """Where a public page is kept: one key per host, path and query, language and zone, whatever the versions."""
    identity = "|".join(
        [
            request.get_host(),
            request.get_full_path(),
            translation.get_language_from_request(request),
            _viewer_zone_name(request),
        ]
    )
    return _PAGE.format(hashlib.sha256(identity.encode()).hexdigest())


def _viewer_zone_name(request: HttpRequest) -> str:
    chosen = timezones.zone_named(unquote(request.COOKIES.get(TIME_ZONE_COOKIE, "")))
    return str(chosen or timezone.get_default_timezone())


def mark_public(response: HttpResponse) -> None:
    patch_cache_control(
        response,
        public=True,
        max_age=settings.KBPORTAL_PUBLIC_MAX_AGE,
        s_maxage=settings.KBPORTAL_PUBLIC_S_MAXAGE,
    )
    # Cookie too: a visitor's language cookie, or a session, changes the page (see "Deploying at scale").
    patch_vary_headers(response, ("Accept-Language", "Cookie"))


class PublicPageMiddleware:
    """Serve and keep public pages (see the module); mark every other page private.

    Early in the chain, before sessions, CSRF and authentication, so that a stored copy costs none of them: the
    copy keeps the headers the middlewares inside this one added (the policy, the language) and the ones
    outside it add theirs again. The language and the viewer's zone are read here as LocaleMiddleware and
    ViewerTimeZoneMiddleware will read them (a public request has no session to name a zone).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        policy, kwargs = _policy_for(request)
        lookup = None
        if policy is not None and is_public_request(request, policy):
            request._page_public = True  # type: ignore[attr-defined]
            # 0 seconds: no copy kept, and none read (one kept before would be served for as long as it lives).
            if settings.KBPORTAL_PAGE_CACHE_SECONDS > 0:
                lookup = page_lookup(request, policy, kwargs)
            if lookup is not None and lookup.stored is not None:
                if policy.on_hit is not None:
                    policy.on_hit(request, **kwargs)
                return _restored(lookup.stored)
        response = self.get_response(request)
        if getattr(request, "_page_public", False) and _storable(response):
            mark_public(response)
            if lookup is not None and lookup.versions is not None:
                # Under the versions read before rendering: a change made meanwhile makes this copy a miss.
                stored = _stored(response, versions=lookup.versions)
                _cache().set(lookup.key, stored, timeout=settings.KBPORTAL_PAGE_CACHE_SECONDS)
        elif not response.has_header("Cache-Control"):
            patch_cache_control(response, private=True)
        return response


def _policy_for(request: HttpRequest) -> tuple[PublicPage | None, dict[str, Any]]:
    # A signed-in visitor's request is never public: it costs no URL resolution here.
    if not is_anonymous_read(request):
        return None, {}
    try:
        match = resolve(request.path_info)
    except Resolver404:
        return None, {}
    return _policy_of(match.func), match.kwargs


def _policy_of(view: Callable[..., HttpResponse]) -> PublicPage | None:
    # A function view carries it; a DRF view's function carries its class (`public_page` class attribute).
    return getattr(view, "public_page", None) or getattr(getattr(view, "cls", None), "public_page", None)


def _storable(response: HttpResponse) -> bool:
    return (
        response.status_code == 200
        and not response.cookies
        and not getattr(response, "streaming", False)
        and "private" not in response.get("Cache-Control", "")
        and "no-store" not in response.get("Cache-Control", "")
    )


# Every other header the inner middlewares and the view set is kept with the copy.
_NOT_KEPT = frozenset({"set-cookie", "date", "x-request-id", "content-length"})


def _stored(response: HttpResponse, *, versions: dict[str, str]) -> dict[str, Any]:
    if hasattr(response, "render") and not response.is_rendered:  # type: ignore[attr-defined]
        response.render()  # type: ignore[attr-defined]
    kept = {name: value for name, value in response.items() if name.lower() not in _NOT_KEPT}
    return {"content": response.content, "headers": kept, "versions": versions}


def _restored(stored: dict[str, Any]) -> HttpResponse:
    response = HttpResponse(stored["content"])
    for name, value in stored["headers"].items():
        response[name] = value
    response["X-Page-Cache"] = "hit"
    return response
