"""JSON log lines with the request id, in the request and in the Celery task it publishes; Sentry's events."""

import contextvars
import io
import json
import logging
import os
import subprocess
import sys
import uuid

import pytest
from celery import Celery
from celery.app.trace import build_tracer
from django.conf import settings
from django.http import HttpResponse
from django_guid import clear_guid, get_guid
from django_guid.log_filters import CorrelationId
from django_guid.middleware import guid_middleware

from kbportal.observability.logging import JsonFormatter, gunicorn_logconfig_dict

LIVE = "/health/live"


def _run(script: str, **env: str) -> subprocess.CompletedProcess:
    """This project's manage.py shell running `script`, with the test settings and an empty database."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "SENTRY_"))}
    return subprocess.run(  # noqa: S603 - runs this project's own manage.py
        [sys.executable, "manage.py", "shell", "-c", script],
        cwd=settings.BASE_DIR,
        env={**clean, "DJANGO_SETTINGS_MODULE": "kbportal.settings.test", **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.fixture
def json_lines():
    """A JSON handler, with the request id filter, on the loggers these tests use; yields its lines."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    handler.addFilter(CorrelationId())
    loggers = [logging.getLogger(name) for name in ("tests.observability", "django.request")]
    for logger in loggers:
        logger.addHandler(handler)
    yield lambda: [json.loads(line) for line in stream.getvalue().splitlines()]
    for logger in loggers:
        logger.removeHandler(handler)


# --- Log lines ------------------------------------------------------------------------------


def test_a_request_logs_json_lines_with_the_request_id_it_answers_with(tmp_path):
    """Through the settings' own LOGGING (DJANGO_LOG_FORMAT=json): a failing readiness check logs its cause,
    from the check's pool thread, with the request's id and the exception's text."""
    script = "from django.test import Client; print(Client().get('/health/ready')['X-Request-ID'])"

    result = _run(script, DJANGO_LOG_FORMAT="json", DATABASE_URL=f"sqlite:///{tmp_path / 'empty.sqlite3'}")

    assert result.returncode == 0, result.stderr
    request_id = result.stdout.split()[-1]
    lines = [json.loads(line) for line in result.stderr.splitlines() if line.startswith("{")]
    assert lines, result.stderr
    failure = next(line for line in lines if line["logger"] == "health_check" and "Migrations" in line["message"])
    assert failure["request_id"] == request_id
    assert failure["level"] == "WARNING"
    assert failure["message"] == "Health check Migrations(alias='default') failed"
    assert "ServiceUnavailable" in failure["exception"]
    assert set(failure) >= {"timestamp", "level", "logger", "message", "request_id", "exception"}


def test_development_keeps_plain_lines():
    assert settings.LOGGING["handlers"]["console"]["formatter"] == "plain"
    assert settings.LOGGING["handlers"]["console"]["filters"] == ["request_id", "celery_tracing"]


@pytest.mark.django_db
def test_a_valid_incoming_request_id_is_kept_and_an_invalid_one_replaced(client):
    incoming = str(uuid.uuid4())
    assert client.get(LIVE, HTTP_X_REQUEST_ID=incoming)["X-Request-ID"] == incoming

    replaced = client.get(LIVE, HTTP_X_REQUEST_ID="'; DROP TABLE logs; --")["X-Request-ID"]
    assert replaced != "'; DROP TABLE logs; --"
    uuid.UUID(replaced)


@pytest.mark.django_db
def test_a_page_s_log_line_carries_its_response_s_request_id(client, json_lines):
    response = client.get("/no-such-page/")

    assert response.status_code == 404
    (line,) = [line for line in json_lines() if line["logger"] == "django.request"]
    assert line["request_id"] == response["X-Request-ID"]
    assert line["level"] == "WARNING"
    assert line["message"] == "Not Found: /no-such-page/"
    assert "request" not in line  # the HttpRequest's repr; request_id already ties the line to it


def test_log_lines_leave_out_tokens_and_addresses(json_lines):
    logging.getLogger("tests.observability").warning("Mail to ada@example.com with /tickets/guest/abc:1x:sig/ failed")

    (line,) = json_lines()
    assert line["message"] == "Mail to [email] with /tickets/guest/[token]/ failed"


def test_gunicorn_access_lines_share_the_format_and_the_request_id():
    config = gunicorn_logconfig_dict()
    formatter = JsonFormatter()
    atoms = {
        "m": "GET",
        "U": "/survey/eyJ0IjoxfQ:1tABCd:abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG/",
        "s": "200",
        "D": 12345,
        "B": 512,
        "h": "10.0.0.7",
        "a": "curl/8",
        "{x-request-id}o": "0c0ca36d98834391b7f9e3836c6d73f5",
    }
    record = logging.LogRecord("gunicorn.access", logging.INFO, __file__, 1, "%(m)s %(U)s %(s)s", (atoms,), None)

    line = json.loads(formatter.format(record))

    assert config["formatters"]["json"] == {"()": "kbportal.observability.logging.JsonFormatter"}
    assert line["request_id"] == "0c0ca36d98834391b7f9e3836c6d73f5"
    assert line["path"] == "/survey/[token]/"
    assert line["message"] == "GET /survey/[token]/ 200"
    assert (line["status"], line["duration_ms"], line["method"]) == (200, 12.3, "GET")


# --- Celery: the request id travels with the task -----------------------------------------------

# An app of its own on kombu's in-memory transport: publishing is real, and the project's app is untouched.
tasks = Celery("observability-tests", broker="memory://localhost/", set_as_current=False)


@tasks.task(name="tests.observability.log_something")
def log_something() -> str:
    logging.getLogger("tests.observability").info("task ran")
    return get_guid()


def test_a_task_published_in_a_request_carries_and_logs_the_request_id(rf, json_lines):
    def view(request):
        log_something.apply_async()
        return HttpResponse()

    response = guid_middleware(view)(rf.get("/"))
    with tasks.connection_for_read() as connection:
        message = connection.SimpleQueue("celery").get(timeout=2)
        message.ack()
    request_id = response["X-Request-ID"]
    assert message.headers["X-Request-ID"] == request_id

    # The worker's side: a fresh context, the message's headers as the task's request (as a worker does).
    clear_guid()
    tracer = build_tracer(log_something.name, log_something, app=tasks, eager=True, propagate=True)
    context = contextvars.Context()
    outcome = context.run(tracer, message.headers["id"], (), {}, {**message.headers, "is_eager": False})

    assert outcome.retval == request_id
    (line,) = [line for line in json_lines() if line["message"] == "task ran"]
    assert line["request_id"] == request_id


# --- Sentry -------------------------------------------------------------------------------------

SENTRY_SCRIPT = """
import json, sys, types
import sentry_sdk
from django.core import signing
from django.test import Client
from django.test.utils import override_settings
from django.urls import path
from sentry_sdk.transport import Transport

from kbportal.observability.sentry import init_sentry

class Captured(Transport):
    events = []
    def capture_envelope(self, envelope):
        self.events += [item.payload.json for item in envelope.items if item.type == "event"]

init_sentry(dsn="https://key@sentry.example.com/1", environment="test", release="r1", traces_sample_rate=0.0,
            transport=Captured)
token = signing.dumps({"t": 1}, salt="tickets.guest")
# Made at run time: the script's own source is in the event (its context lines), the values must not be.
address, password = "ada" + "@example.com", "hunter2-" + "secret"

def boom(request):
    raise RuntimeError(f"no ticket for {address} at /tickets/guest/{token}/ or {token}")

urls = types.ModuleType("boom_urls")
urls.urlpatterns = [path("boom/", boom)]
sys.modules["boom_urls"] = urls
with override_settings(ROOT_URLCONF="boom_urls", ALLOWED_HOSTS=["testserver"]):
    response = Client(raise_request_exception=False).post(
        f"/boom/?next={address}", {"password": password, "email": address},
        HTTP_X_REQUEST_ID="%(request_id)s",
    )
sentry_sdk.flush()
print(json.dumps({"status": response.status_code, "token": token, "events": Captured.events}))
"""


def test_sentry_reports_a_view_s_error_with_the_request_id_and_without_secrets(tmp_path):
    request_id = str(uuid.uuid4())

    result = _run(SENTRY_SCRIPT % {"request_id": request_id}, DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}")

    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout.splitlines()[-1])
    assert report["status"] == 500
    (event,) = report["events"]
    assert event["tags"]["request_id"] == request_id
    assert (event["environment"], event["release"]) == ("test", "r1")
    (exception,) = event["exception"]["values"]
    assert exception["value"] == "no ticket for [email] at /tickets/guest/[token]/ or [signed]"
    sent = json.dumps(event)
    for secret in ("ada@example.com", "hunter2-secret", report["token"]):
        assert secret not in sent


def test_a_line_repeated_during_an_outage_is_logged_once_a_minute():
    import logging

    from kbportal.observability.logging import OncePerInterval

    once = OncePerInterval(seconds=60)

    def record(at: float) -> logging.LogRecord:
        line = logging.LogRecord("django_redis.cache", logging.ERROR, __file__, 1, "Exception ignored", None, None)
        line.created = at
        return line

    passed = [line for line in (record(at) for at in (0, 1, 2, 30, 61, 62)) if once.filter(line)]

    assert [line.created for line in passed] == [0, 61]
    assert passed[1].getMessage() == "Exception ignored (and 3 more like it in the last 60 s)"


@pytest.mark.parametrize(
    "path",
    [
        "/tickets/guest/eyJ0Ijo0Mn0:1vQ2x3:AbCdEfGhIjKlMnOpQrStUvWx/",
        "/accounts/password/reset/MTI/cz7k1a-4f1e0c9d8b7a6f5e/",
        "/accounts/sign-up/confirm/MTI/cz7k1a-4f1e0c9d8b7a6f5e/",
        "/status/unsubscribe/eyJ1IjoxLCJpIjoyfQ/",
    ],
)
def test_plain_log_lines_hold_no_link_token(path):
    import logging

    from kbportal.observability.logging import ScrubbingFormatter

    line = ScrubbingFormatter("%(message)s").format(
        logging.LogRecord("django.request", logging.WARNING, __file__, 1, "Not Found: %s", (path,), None)
    )

    secret = path.rstrip("/").rsplit("/", 1)[-1]
    assert secret not in line
    assert "[token]" in line
