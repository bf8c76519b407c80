"""`make stack` (deploy/stack.sh) refuses to start without its database and Redis, and says how to give them."""

import runpy
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent.parent
BASH = shutil.which("bash")


@pytest.mark.parametrize(
    ("given", "missing"),
    [
        ({}, "DATABASE_URL and REDIS_URL"),
        ({"REDIS_URL": "redis://127.0.0.1:6379/0"}, "DATABASE_URL"),
        ({"DATABASE_URL": "postgres://postgres@127.0.0.1:5432/kbportal"}, "REDIS_URL"),
    ],
)
def test_the_stack_refuses_to_start_without_its_database_and_redis(given, missing, tmp_path):
    # A clean environment, as on a fresh shell: nothing of this test run's settings leaks in.
    result = subprocess.run(  # noqa: S603 - the project's own script
        [BASH, str(ROOT / "deploy" / "stack.sh")],
        env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), **given},
        capture_output=True, text=True, timeout=30, check=False,
    )  # fmt: skip

    assert result.returncode == 2
    assert f"make stack needs {missing}:" in result.stderr
    assert "make stack DATABASE_URL=postgres://" in result.stderr
    assert "REDIS_URL=redis://" in result.stderr


GUNICORN_CONF = ROOT / "deploy" / "gunicorn.conf.py"


@pytest.mark.parametrize(
    ("environment", "json_logs"),
    [
        ({"DJANGO_SETTINGS_MODULE": "kbportal.settings.production"}, True),
        ({"DJANGO_SETTINGS_MODULE": "kbportal.settings.production", "DJANGO_LOG_FORMAT": "plain"}, False),
        ({"DJANGO_SETTINGS_MODULE": "kbportal.settings.local"}, False),
        ({"DJANGO_SETTINGS_MODULE": "kbportal.settings.local", "DJANGO_LOG_FORMAT": "json"}, True),
    ],
)
def test_gunicorn_logs_json_when_the_application_does(monkeypatch, environment, json_logs):
    monkeypatch.delenv("DJANGO_LOG_FORMAT", raising=False)
    for name, value in environment.items():
        monkeypatch.setenv(name, value)

    config = runpy.run_path(str(GUNICORN_CONF))

    formatter = config["logconfig_dict"]["formatters"]["json"]["()"]
    assert formatter.endswith("JsonFormatter" if json_logs else "ScrubbingFormatter")
    assert config["preload_app"] is True
    assert config["workers"] >= 1
