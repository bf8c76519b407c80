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
}


def _manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
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
    assert "DJANGO_SECRET_KEY" in result.stderr


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
