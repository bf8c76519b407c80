"""/health/live and /health/ready: what a load balancer sees, healthy and with each dependency failing."""

import dataclasses
import datetime
import os
import threading
import time
import uuid
from unittest import mock

import pytest
from django.db import OperationalError, connections
from django.db.backends.signals import connection_created
from django.db.migrations import Migration
from django.db.migrations.executor import MigrationExecutor
from health_check.base import HealthCheck
from health_check.exceptions import ServiceWarning

LIVE = "/health/live"
READY = "/health/ready"

pytestmark = pytest.mark.django_db

DEAD_REDIS_CACHE = {
    "BACKEND": "django_redis.cache.RedisCache",
    "LOCATION": "redis://127.0.0.1:1/0",
    # As the degrading cache is configured: pages ignore Redis errors, the probe must not.
    "OPTIONS": {"CLIENT_CLASS": "django_redis.client.DefaultClient", "IGNORE_EXCEPTIONS": True},
}


@pytest.fixture
def database_down():
    """Every new database connection fails, as with the server stopped (the test's own stays open)."""
    refused = OperationalError("connection to server failed: Connection refused")
    with mock.patch.object(type(connections["default"]), "get_new_connection", side_effect=refused):
        yield


@pytest.fixture
def statements():
    """The SQL run on any connection opened during the test, in any thread (the checks run in a pool)."""
    ran: list[str] = []
    wrapped = []

    def record(execute, sql, params, many, context):
        ran.append(sql)
        return execute(sql, params, many, context)

    def install(sender, connection, **kwargs):
        if record not in connection.execute_wrappers:
            connection.execute_wrappers.append(record)
            wrapped.append(connection)

    connection_created.connect(install, weak=False)
    yield ran
    connection_created.disconnect(install)
    for opened in wrapped:
        opened.execute_wrappers.remove(record)


def _assert_not_stored(response):
    assert "no-store" in response["Cache-Control"]
    assert not response.cookies
    assert "Set-Cookie" not in response.headers


def test_live_answers_without_the_database(client, database_down, statements):
    response = client.get(LIVE)

    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert statements == []
    _assert_not_stored(response)


def test_ready_answers_200_when_everything_works(client):
    response = client.get(READY)

    assert response.status_code == 200, response.content
    assert response.json() == {
        "status": "ok",
        "checks": {"database": "ok", "cache": "ok", "broker": "embedded", "migrations": "ok", "outbox": "ok"},
    }
    _assert_not_stored(response)
    uuid.UUID(response["X-Request-ID"])


def test_ready_reads_a_fixed_few_rows_and_writes_nothing(client, statements):
    response = client.get(READY)

    assert response.status_code == 200
    # SELECT 1; the migrations table: whether it exists, and what it holds; the outbox's waiting and failed.
    assert len(statements) == 5, statements
    assert "SELECT 1" in statements
    assert all(sql.lstrip().upper().startswith("SELECT") for sql in statements), statements


def test_ready_names_the_database_when_it_is_down(client, database_down):
    response = client.get(READY)

    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable"
    assert body["checks"]["database"] == "unavailable: the database did not answer"  # no host, no user
    assert "Connection refused" not in response.content.decode()
    assert body["checks"]["migrations"] == "unavailable: the applied migrations could not be read"
    assert body["checks"]["cache"] == "ok"
    _assert_not_stored(response)


def test_ready_names_the_cache_when_redis_is_unreachable_even_if_the_cache_ignores_it(client, settings):
    settings.CACHES = {**settings.CACHES, "default": DEAD_REDIS_CACHE}

    response = client.get(READY)

    assert response.status_code == 503
    checks = response.json()["checks"]
    assert checks["cache"] == "unavailable: Redis did not answer (ConnectionError)"
    assert checks["database"] == "ok"


def test_ready_names_the_broker_when_it_is_unreachable(client, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"

    started = time.monotonic()
    response = client.get(READY)

    assert response.status_code == 503
    assert response.json()["checks"]["broker"] == "unavailable: the broker did not answer (OperationalError)"
    assert time.monotonic() - started < 3


@pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="needs a Redis server (REDIS_URL)")
def test_ready_reaches_a_running_broker(client, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.CELERY_BROKER_URL = os.environ["REDIS_URL"]

    response = client.get(READY)

    assert response.status_code == 200, response.content
    assert response.json()["checks"]["broker"] == "ok"


def test_ready_names_the_migrations_when_one_is_not_applied(client):
    pending = Migration("0999_not_yet", "articles")
    with mock.patch.object(MigrationExecutor, "migration_plan", return_value=[(pending, False)]):
        response = client.get(READY)

    assert response.status_code == 503
    assert response.json()["checks"]["migrations"] == "unavailable: 1 not applied, starting with articles.0999_not_yet"


# --- One more check: the hook the outbox's backlog check uses ------------------------------

_release = threading.Event()


@dataclasses.dataclass
class Hangs(HealthCheck):
    timeout = datetime.timedelta(seconds=1)

    def run(self):
        _release.wait(10)


@dataclasses.dataclass
class Backlog(HealthCheck):
    pending: int = 0
    limit: int = 100

    def run(self):
        if self.pending > self.limit:
            raise ServiceWarning(f"{self.pending} deliveries pending")


def test_one_more_check_is_one_line_of_settings(client, settings):
    settings.KBPORTAL_READINESS_CHECKS = {
        **settings.KBPORTAL_READINESS_CHECKS,
        "outbox": ("tests.kbportal.test_health.Backlog", {"pending": 250}),
    }

    response = client.get(READY)

    # A warning is shown and does not take the site out of the balancer.
    assert response.status_code == 200
    assert response.json()["checks"]["outbox"] == "warning: 250 deliveries pending"


def test_a_check_that_hangs_costs_the_probe_two_seconds_at_most(client, settings):
    settings.KBPORTAL_READINESS_CHECKS = {
        "database": "kbportal.observability.health.Database",
        "stuck": Hangs.__module__ + ".Hangs",
    }
    started = time.monotonic()
    try:
        response = client.get(READY)
    finally:
        _release.set()

    assert time.monotonic() - started < 3
    assert response.status_code == 503
    assert response.json()["checks"] == {"database": "ok", "stuck": "unavailable: Timed out after 1 seconds"}


# --- What answers the probes --------------------------------------------------------------


def test_probes_answer_any_host_and_plain_http(client, settings):
    """Balancers probe by IP address over HTTP: neither ALLOWED_HOSTS nor the HTTPS redirect applies."""
    settings.SECURE_SSL_REDIRECT = True
    settings.ALLOWED_HOSTS = ["support.example.com"]

    assert client.get(LIVE, HTTP_HOST="10.0.0.7").status_code == 200
    assert client.get(READY, HTTP_HOST="10.0.0.7").status_code == 200
    assert client.get("/", HTTP_HOST="10.0.0.7").status_code == 400
    assert client.get("/", HTTP_HOST="support.example.com").status_code == 301


def test_probes_answer_only_get_and_head(client):
    assert client.head(LIVE).status_code == 200
    assert client.head(LIVE).content == b""
    response = client.post(READY)
    assert response.status_code == 405
    assert response["Allow"] == "GET, HEAD"


def test_a_load_balancer_asks_only_for_what_this_machine_needs(client, settings):
    settings.CACHES = {**settings.CACHES, "default": DEAD_REDIS_CACHE}  # Redis is down for every machine

    everything = client.get(READY)
    balancer = client.get(READY, {"only": "database,migrations"})

    assert everything.status_code == 503
    assert balancer.status_code == 200
    assert balancer.json()["checks"] == {"database": "ok", "migrations": "ok"}
    assert client.get(READY, {"only": "database,nonsense"}).status_code == 400
