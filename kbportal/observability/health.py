"""Health probes for load balancers and orchestrators: `/health/live` and `/health/ready`.

`live` says the process answers; it touches nothing else, so a database outage never makes the balancer
restart healthy web processes. `ready` runs the checks named in `settings.KBPORTAL_READINESS_CHECKS`
(database, cache, broker, migrations) and answers 200, or 503 naming what failed:

    {"status": "unavailable", "checks": {"database": "ok", "cache": "unavailable: …", …}}

A check is a django-health-check `HealthCheck` (a dataclass whose `run` raises `ServiceUnavailable`
when the service cannot be used, or `ServiceWarning` for a state worth showing that still serves; a
warning does not fail the probe). The setting maps the name shown in the answer to the check's dotted
path, or to `(path, options)` with keyword arguments for the dataclass, so adding one is one line:

    KBPORTAL_READINESS_CHECKS["outbox"] = ("kbportal.outbox.health.Backlog", {"limit": 1000})

Checks run concurrently, each in a pool thread bounded by its `timeout` (the library waits one second
more), so a service that hangs costs the probe two seconds, never the balancer's patience. A check that
reads the database may use `django.db.connection` freely: the pool closes the connections a check opened
when it returns. Messages in the answer are short and name no host or credential; the details go to the
log ("health_check" logger), with the request id.

`HealthProbeMiddleware`, first in MIDDLEWARE, answers both paths before anything else runs: balancers
probe by IP address over plain HTTP, so the probes skip the host check, the HTTPS redirect, sessions and
cookies (nothing here builds a URL from the Host header, so answering any host is safe).
"""

import asyncio
import contextvars
import dataclasses
import datetime
import os
import socket
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

import kombu
from asgiref.sync import async_to_sync
from django import db
from django.conf import settings
from django.core.cache import caches
from django.db import connections
from django.db.migrations.executor import MigrationExecutor
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.cache import add_never_cache_headers
from django.utils.module_loading import import_string
from django_redis import get_redis_connection
from django_redis.cache import RedisCache
from health_check import checks as library_checks
from health_check.base import HealthCheck, HealthCheckResult
from health_check.exceptions import HealthCheckException, ServiceUnavailable, ServiceWarning
from kombu.exceptions import KombuError
from redis.exceptions import RedisError

# Each check's own budget; django-health-check gives it one second more before reporting a timeout.
CHECK_TIMEOUT = datetime.timedelta(seconds=1)


@dataclasses.dataclass
class Database(library_checks.Database):
    """`SELECT 1` on a connection of its own: no table is read, nothing is written. The answer says only
    that the database did not answer; the driver's message (host names, users) goes to the log."""

    timeout = CHECK_TIMEOUT

    def run(self) -> None:
        try:
            super().run()
        except ServiceUnavailable as error:
            raise ServiceUnavailable("the database did not answer") from error


@dataclasses.dataclass
class Cache(HealthCheck):
    """Set and get a key in the cache. On django-redis this talks to the Redis client itself: the cache may
    be configured to ignore Redis errors so that pages degrade, which would hide an outage here."""

    alias: str = "default"
    timeout = CHECK_TIMEOUT

    def run(self) -> None:
        cache = caches[self.alias]
        # One key per process, overwritten by each probe, so frequent probes leave no litter.
        key = f"health-check:{socket.gethostname()}:{os.getpid()}"
        value = uuid.uuid4().hex
        if isinstance(cache, RedisCache):
            try:
                client = get_redis_connection(self.alias, write=True)
                client.set(cache.make_key(key), value, ex=60)
                stored = client.get(cache.make_key(key))
            except RedisError as error:
                raise ServiceUnavailable(f"Redis did not answer ({type(error).__name__})") from error
            if stored != value.encode():
                raise ServiceUnavailable("Redis returned another value than the one just stored")
            return
        cache.set(key, value, 60)
        if cache.get(key) != value:
            raise ServiceUnavailable("the cache returned another value than the one just stored")


@dataclasses.dataclass
class Broker(HealthCheck):
    """Open a connection to the Celery broker. Without a broker (tasks run inline) there is nothing to
    check, and the answer says "embedded"."""

    timeout = CHECK_TIMEOUT

    def pretty_status(self) -> str:
        return "embedded" if settings.CELERY_TASK_ALWAYS_EAGER else "OK"

    def run(self) -> None:
        if settings.CELERY_TASK_ALWAYS_EAGER:
            return
        if not settings.CELERY_BROKER_URL:
            raise ServiceUnavailable("no broker is configured (CELERY_BROKER_URL)")
        seconds = self.timeout.total_seconds()
        transport_options = {
            **getattr(settings, "CELERY_BROKER_TRANSPORT_OPTIONS", {}),
            "socket_timeout": seconds,
            "socket_connect_timeout": seconds,
        }
        try:
            with kombu.Connection(
                settings.CELERY_BROKER_URL, connect_timeout=seconds, transport_options=transport_options
            ) as connection:
                connection.ensure_connection(max_retries=1, interval_start=0, interval_step=0, timeout=seconds)
        except (OSError, KombuError) as error:
            raise ServiceUnavailable(f"the broker did not answer ({type(error).__name__})") from error


@dataclasses.dataclass
class Migrations(HealthCheck):
    """Every migration on disk is applied: a release whose `migrate` has not run yet is not ready."""

    alias: str = "default"
    timeout = CHECK_TIMEOUT

    def run(self) -> None:
        try:
            executor = MigrationExecutor(connections[self.alias])
            plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
        except db.Error as error:
            raise ServiceUnavailable("the applied migrations could not be read") from error
        if plan:
            first = plan[0][0]
            raise ServiceUnavailable(f"{len(plan)} not applied, starting with {first.app_label}.{first.name}")


# --- Running the checks ---------------------------------------------------------------


class _CheckExecutor(ThreadPoolExecutor):
    """Runs each synchronous check with the caller's context (its log lines keep the request id), then
    closes the database connections the check opened: a pool thread outlives the request, and a
    connection kept there would be reused, broken, after the database restarts."""

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future:
        return super().submit(contextvars.copy_context().run, _closing_connections, fn, *args, **kwargs)


def _closing_connections(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    try:
        return fn(*args, **kwargs)
    finally:
        connections.close_all()  # this thread's connections only


_executor: tuple[int, _CheckExecutor] | None = None


def _shared_executor() -> _CheckExecutor:
    """One pool per process, made on first use: threads do not survive gunicorn's fork, and a per-request
    pool would wait at its shutdown for a check that hangs."""
    global _executor
    if _executor is None or _executor[0] != os.getpid():
        _executor = (os.getpid(), _CheckExecutor(max_workers=8, thread_name_prefix="health-check"))
    return _executor[1]


def readiness_checks() -> Iterator[tuple[str, HealthCheck]]:
    """The checks of `settings.KBPORTAL_READINESS_CHECKS`, each with the name the answer shows."""
    for name, spec in settings.KBPORTAL_READINESS_CHECKS.items():
        path, options = spec if isinstance(spec, tuple | list) else (spec, {})
        yield name, import_string(path)(**options)


def run_checks(checks: dict[str, HealthCheck]) -> dict[str, HealthCheckResult]:
    async def gather() -> list[HealthCheckResult]:
        executor = _shared_executor()
        return await asyncio.gather(*(check.get_result(executor) for check in checks.values()))

    return dict(zip(checks, async_to_sync(gather)(), strict=True))


def _describe(result: HealthCheckResult) -> tuple[str, bool]:
    """What the answer says of one check, and whether it passes."""
    error = result.error
    if error is None:
        return result.check.pretty_status().lower(), True
    if isinstance(error, ServiceWarning):
        return f"warning: {error.message}", True
    if type(error) is HealthCheckException:  # an unexpected exception, logged with its traceback
        return "unavailable: unexpected error (see the log)", False
    return f"unavailable: {error.message}", False


# --- The probes --------------------------------------------------------------------------


def _probe_response(request: HttpRequest, body: dict[str, Any], status: int) -> HttpResponse:
    if request.method not in {"GET", "HEAD"}:
        response: HttpResponse = JsonResponse({"detail": "Only GET and HEAD."}, status=405)
        response["Allow"] = "GET, HEAD"
    else:
        response = JsonResponse(body, status=status)
        if request.method == "HEAD":
            response.content = b""
    add_never_cache_headers(response)  # Cache-Control: no-store, among others
    # A failing probe is reported once, by the "health_check" logger with its cause; Django's own ERROR line
    # for every 503 would repeat it at each probe (and reach Sentry as an event each time).
    response._has_been_logged = True  # django.utils.log.log_response reads this marker
    response["X-Content-Type-Options"] = "nosniff"
    return response


def live(request: HttpRequest) -> HttpResponse:
    """The process is up: nothing else is touched."""
    return _probe_response(request, {"status": "ok"}, 200)


def ready(request: HttpRequest) -> HttpResponse:
    """Every readiness check passes: 200; otherwise 503 with each check's state.

    `?only=database,migrations` runs just those: what a load balancer should ask. The cache, the broker and
    the outbox are shared by every machine and the pages degrade without them, so a balancer that took a
    machine out for them would take out all of them at once; monitoring asks for everything.
    """
    if request.method not in {"GET", "HEAD"}:
        return _probe_response(request, {}, 405)
    checks = dict(readiness_checks())
    only = {name.strip() for name in request.GET.get("only", "").split(",") if name.strip()}
    if only:
        if unknown := only - set(checks):
            return _probe_response(request, {"detail": f"unknown checks: {', '.join(sorted(unknown))}"}, 400)
        checks = {name: check for name, check in checks.items() if name in only}
    described = {name: _describe(result) for name, result in run_checks(checks).items()}
    passing = all(passes for _, passes in described.values())
    body = {
        "status": "ok" if passing else "unavailable",
        "checks": {name: text for name, (text, _) in described.items()},
    }
    return _probe_response(request, body, 200 if passing else 503)


PROBES = {"/health/live": live, "/health/ready": ready}


class HealthProbeMiddleware:
    """Answers the probes before any other middleware (after the request id's): see the module's docstring."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        probe = PROBES.get(request.path_info.rstrip("/"))
        if probe is None:
            return self.get_response(request)
        return probe(request)
