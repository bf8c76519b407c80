"""Reads on read replicas: which database a query goes to (README, "Deploying at scale").

`DATABASE_REPLICA_URLS` adds the aliases ``replica1``, ``replica2``… (`settings.DATABASE_REPLICAS`). Without
it the router has no opinion and the middleware passes every request through: one database, as before.

With replicas, a ``GET`` or ``HEAD`` of a page that only reads — the views named in
`settings.DATABASE_REPLICA_VIEWS`: the knowledge base's pages (home, categories, articles, videos), the forum,
the search page and the API — reads from one replica, chosen at random for the whole request. Everything else
uses the primary (``default``):

- every write, and every read after a write in the same request (the request is pinned to the primary at its
  first write);
- every read inside a transaction on the primary (``transaction.atomic``), which must see its own writes and
  hold its locks there;
- every other method (``POST``…) and every other view: the desk, the admin, accounts, the dashboards;
- read-your-writes across requests: a response to a request that wrote, or to any ``POST``…, carries a signed
  cookie that keeps that browser's reads on the primary for `DATABASE_REPLICA_STICKY_SECONDS`, a few seconds
  longer than the replication lag the site tolerates. The signature holds its time, so a cookie kept longer
  counts for nothing, and so does a made-up one;
- work outside a request — Celery tasks, management commands, the shell — which has no request state.

A replica that does not accept a connection is skipped for `DATABASE_REPLICA_RETRY_SECONDS` by this process,
and the request reads from the next replica or the primary: a replica down never makes a page fail.

The state is a context variable set by `ReplicaReadsMiddleware` for one request and reset after it, so nothing
carries over to the next request a thread serves (a thread-global pin, as django-multidb-router keeps it,
outlives its request when it is not cleared).
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections
from django.http import HttpRequest, HttpResponse
from django.urls import Resolver404, resolve

logger = logging.getLogger(__name__)

READ_METHODS = frozenset({"GET", "HEAD"})
STICKY_COOKIE = "kbportal_primary"
_STICKY_SALT = "kbportal.replicas.sticky"


@dataclass
class RequestReads:
    """Where one request's reads may go."""

    replica_allowed: bool
    wrote: bool = False
    chosen: str | None = None

    def read_alias(self) -> str:
        if not self.replica_allowed or self.wrote or connections[DEFAULT_DB_ALIAS].in_atomic_block:
            return DEFAULT_DB_ALIAS
        if self.chosen is None:
            self.chosen = choose_replica()
        return self.chosen


_reads: ContextVar[RequestReads | None] = ContextVar("kbportal_replica_reads", default=None)

# Replica alias → time.monotonic() until which this process leaves it alone.
_down_until: dict[str, float] = {}


def replicas_configured() -> bool:
    return bool(settings.DATABASE_REPLICAS)


def available_replicas() -> list[str]:
    now = time.monotonic()
    return [alias for alias in settings.DATABASE_REPLICAS if _down_until.get(alias, 0.0) <= now]


def mark_down(alias: str, error: Exception) -> None:
    seconds = settings.DATABASE_REPLICA_RETRY_SECONDS
    _down_until[alias] = time.monotonic() + seconds
    logger.warning(
        "Read replica %s does not answer (%s); reads use the primary or another replica for %s s.",
        alias,
        type(error).__name__,
        seconds,
    )


def forget_failures() -> None:
    """Try every replica again at the next request (tests; an operator's shell after a repair)."""
    _down_until.clear()


def _connectable(alias: str) -> bool:
    """Whether the replica's connection works, connecting when needed. The health check is the one Django
    makes at a connection's first use in a request (CONN_HEALTH_CHECKS), made here instead, so it costs
    nothing more; a refused or timed-out connection (`connect_timeout`) marks the replica down."""
    connection = connections[alias]
    try:
        connection.close_if_health_check_failed()
        connection.ensure_connection()
    except DatabaseError as error:
        connection.close()
        mark_down(alias, error)
        return False
    return True


def choose_replica() -> str:
    """A replica that accepts a connection, at random among those not marked down; else the primary."""
    candidates = available_replicas()
    random.shuffle(candidates)
    for alias in candidates:
        if _connectable(alias):
            return alias
    return DEFAULT_DB_ALIAS


def current() -> RequestReads | None:
    return _reads.get()


@contextmanager
def request_reads(*, replica_allowed: bool) -> Iterator[RequestReads]:
    """The routing state of one request (the middleware), or of a block of code (tests)."""
    state = RequestReads(replica_allowed=replica_allowed)
    token = _reads.set(state)
    try:
        yield state
    finally:
        _reads.reset(token)


@contextmanager
def use_primary() -> Iterator[None]:
    """Read from the primary inside this block, even on a page that reads from a replica; a write inside it
    pins the request as any write does."""
    outer = _reads.get()
    with request_reads(replica_allowed=False) as inner:
        yield
    if outer is not None and inner.wrote:
        outer.wrote = True


class ReplicaRouter:
    """Reads to the request's replica when it may use one; writes, and everything else, to the primary."""

    def db_for_read(self, model: type[Any], **hints: Any) -> str | None:
        state = _reads.get()
        if state is None or not replicas_configured():
            return None
        return state.read_alias()

    def db_for_write(self, model: type[Any], **hints: Any) -> str | None:
        if not replicas_configured():
            return None
        state = _reads.get()
        if state is not None:
            state.wrote = True
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1: Any, obj2: Any, **hints: Any) -> bool | None:
        # A replica holds the primary's rows: an article read from a replica may be the target of a vote
        # saved on the primary.
        if not replicas_configured():
            return None
        same_data = {DEFAULT_DB_ALIAS, *settings.DATABASE_REPLICAS}
        if obj1._state.db in same_data and obj2._state.db in same_data:
            return True
        return None

    def allow_migrate(self, db: str, app_label: str, model_name: str | None = None, **hints: Any) -> bool | None:
        # A replica follows the primary's migrations through replication; it cannot run them.
        return False if db in settings.DATABASE_REPLICAS else None


def _is_replica_view(request: HttpRequest) -> bool:
    try:
        match = resolve(request.path_info)
    except Resolver404:
        return False
    for name in settings.DATABASE_REPLICA_VIEWS:
        if match.view_name == name or match.namespace == name or match.namespace.startswith(f"{name}:"):
            return True
    return False


def _is_sticky(request: HttpRequest) -> bool:
    return (
        request.get_signed_cookie(
            STICKY_COOKIE, default=None, salt=_STICKY_SALT, max_age=settings.DATABASE_REPLICA_STICKY_SECONDS
        )
        is not None
    )


class ReplicaReadsMiddleware:
    """Sets where this request reads (see the module's docstring) and, after a write, the sticky cookie.

    Put it before the session middleware: a session saved on the way out is a write that the next request
    must see, and the session and the user of a page that reads from a replica are read there too.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not replicas_configured():
            return self.get_response(request)
        reads_only = request.method in READ_METHODS
        allowed = reads_only and not _is_sticky(request) and _is_replica_view(request)
        with request_reads(replica_allowed=allowed) as state:
            response = self.get_response(request)
        if state.wrote or not reads_only:
            response.set_signed_cookie(
                STICKY_COOKIE,
                "1",
                salt=_STICKY_SALT,
                max_age=settings.DATABASE_REPLICA_STICKY_SECONDS,
                secure=settings.SESSION_COOKIE_SECURE,
                httponly=True,
                samesite="Lax",
            )
        return response
