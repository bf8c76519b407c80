"""Settings come from the environment; production refuses to start without its secrets."""

import os
import subprocess
import sys

import pytest
from django.conf import settings

PRODUCTION = {
    "DJANGO_SETTINGS_MODULE": "kbportal.settings.production",
    "DJANGO_SECRET_KEY": "x7$k2!q9-long-enough-and-random-looking-secret-for-the-deploy-check-123",
    "DJANGO_ALLOWED_HOSTS": "support.example.com",
    # Named, never connected to by these checks (nothing here needs Redis or SMTP to be running).
    "REDIS_URL": "redis://127.0.0.1:6379/0",
    "DJANGO_EMAIL_HOST": "smtp.example.com",
    "DATABASE_URL": "postgres://kbportal@127.0.0.1:5432/kbportal",
}
# Variables of the calling environment that would change what the production settings see.
_INHERITED_OUT = {"REDIS_URL", "CELERY_BROKER_URL", "SENTRY_DSN", "SENTRY_TRACES_SAMPLE_RATE", "DATABASE_URL"}


def _manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_") and k not in _INHERITED_OUT}
    return subprocess.run(  # noqa: S603 - runs this project's own manage.py
        [sys.executable, "manage.py", *args],
        cwd=settings.BASE_DIR,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_production_refuses_to_start_without_a_secret_key():
    env = {k: v for k, v in PRODUCTION.items() if k != "DJANGO_SECRET_KEY"}

    result = _manage("check", env=env)

    assert result.returncode != 0
    assert "ImproperlyConfigured: DJANGO_SECRET_KEY is not set" in result.stderr


def test_production_passes_the_deploy_check_without_warnings():
    result = _manage("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION)

    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


def test_sqlite_waits_for_writers_instead_of_failing():
    if settings.DATABASES["default"]["ENGINE"] != "django.db.backends.sqlite3":
        pytest.skip("SQLite only: PostgreSQL has row locks and needs none of this.")
    options = settings.DATABASES["default"]["OPTIONS"]

    assert options["transaction_mode"] == "IMMEDIATE"
    assert "journal_mode=WAL" in options["init_command"]
    assert "busy_timeout" in options["init_command"]


BROWSER_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


def _api_root_as_a_browser(env: dict[str, str], *, secure: bool) -> tuple[str, str]:
    """The status and type of the API root asked for as HTML, in a process with the given settings."""
    script = (
        "from django.test import Client; "
        "response = Client().get("
        f"'/api/v1/', secure={secure}, HTTP_ACCEPT='{BROWSER_ACCEPT}', HTTP_HOST='support.example.com'); "
        "print(response.status_code, response['Content-Type'].split(';')[0])"
    )
    result = _manage("shell", "-c", script, env=env)
    assert result.returncode == 0, result.stderr
    status, content_type = result.stdout.split()[-2:]
    return status, content_type


def test_production_serves_the_api_as_json_only():
    """The browsable API (forms, the schema of every endpoint) is a development aid, not a production page."""
    assert _api_root_as_a_browser(PRODUCTION, secure=True) == ("403", "application/json")


def test_the_browsable_api_stays_in_development():
    local = {"DJANGO_SETTINGS_MODULE": "kbportal.settings.local", "DJANGO_ALLOWED_HOSTS": "support.example.com"}
    assert _api_root_as_a_browser(local, secure=False) == ("403", "text/html")


def _without(*names: str, **extra: str) -> dict[str, str]:
    return {**{k: v for k, v in PRODUCTION.items() if k not in names}, **extra}


@pytest.mark.parametrize(
    ("env", "message"),
    [
        pytest.param(
            _without("REDIS_URL"),
            "REDIS_URL is not set: production needs a shared cache, e.g. REDIS_URL=redis://127.0.0.1:6379/0.\n"
            "- CELERY_BROKER_URL is not set (nor REDIS_URL, its default)",
            id="no-cache-no-broker",
        ),
        pytest.param(
            _without(DJANGO_EMAIL_BACKEND="django.core.mail.backends.console.EmailBackend"),
            "DJANGO_EMAIL_BACKEND is django.core.mail.backends.console.EmailBackend, which prints every mail",
            id="console-mail",
        ),
        pytest.param(
            _without(DJANGO_EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend"),
            "DJANGO_EMAIL_BACKEND is django.core.mail.backends.dummy.EmailBackend, which drops every mail",
            id="dummy-mail",
        ),
        pytest.param(_without("DJANGO_EMAIL_HOST"), "DJANGO_EMAIL_HOST is not set", id="no-smtp-host"),
        pytest.param(_without("DATABASE_URL"), "DATABASE_URL is not set: production keeps its data", id="no-database"),
        pytest.param(
            _without(CELERY_BROKER_URL="redis://127.0.0.1:6379/0"),
            "CELERY_BROKER_URL is REDIS_URL: clearing the cache would drop every queued task",
            id="broker-in-the-cache",
        ),
        pytest.param(
            _without(DJANGO_EMAIL_USE_TLS="true", DJANGO_EMAIL_USE_SSL="true"),
            "DJANGO_EMAIL_USE_TLS and DJANGO_EMAIL_USE_SSL are both on",
            id="tls-and-ssl",
        ),
        pytest.param(
            _without(DJANGO_LOG_FORMAT="xml"), "DJANGO_LOG_FORMAT must be plain or json; it is 'xml'", id="log-format"
        ),
        pytest.param(
            _without(SENTRY_TRACES_SAMPLE_RATE="often"),
            "SENTRY_TRACES_SAMPLE_RATE must be a number, e.g. 0.1; it is 'often'",
            id="sample-rate",
        ),
    ],
)
def test_production_refuses_to_start_when_it_would_lose_mail_tasks_or_shared_state(env, message):
    result = _manage("check", env=env)

    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert message in result.stderr


def _production_value(expression: str, env: dict[str, str]) -> str:
    result = _manage(
        "shell", "-c", f"from django.conf import settings; import sys; print(repr(({expression})))", env=env
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.split("\n")[-2]


def test_production_sends_mail_over_smtp_with_a_timeout_and_tasks_through_redis_by_default():
    values = _production_value(
        "settings.EMAIL_BACKEND, settings.EMAIL_TIMEOUT, settings.CELERY_BROKER_URL, settings.CELERY_TASK_ALWAYS_EAGER,"
        " settings.LOGGING['handlers']['console']['formatter'], 'sentry_sdk' in sys.modules",
        PRODUCTION,
    )

    assert values == (
        "('django.core.mail.backends.smtp.EmailBackend', 10, 'redis://127.0.0.1:6379/1', False, 'json', False)"
    )


def test_a_broker_of_its_own_and_plain_logs_can_be_chosen():
    env = {**PRODUCTION, "CELERY_BROKER_URL": "redis://127.0.0.1:6379/1", "DJANGO_LOG_FORMAT": "plain"}

    assert _production_value(
        "settings.CELERY_BROKER_URL, settings.LOGGING['handlers']['console']['formatter']", env
    ) == ("('redis://127.0.0.1:6379/1', 'plain')")


def test_every_profile_gives_smtp_a_timeout():
    assert int(os.environ.get("DJANGO_EMAIL_TIMEOUT", "10")) == settings.EMAIL_TIMEOUT
