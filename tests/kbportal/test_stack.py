"""`make stack` (deploy/stack.sh) refuses to start without its database and Redis, and says how to give them."""

import gc
import os
import runpy
import shutil
import subprocess
import sys
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


LEAVING = """
import atexit, os, runpy, sys, types
config = runpy.run_path(sys.argv[1])
atexit.register(lambda: print("exit functions ran", flush=True))
worker = types.SimpleNamespace(pid=os.getpid() if sys.argv[3] == "worker" else -1, tpool=None)
try:
    try:
        sys.exit(int(sys.argv[2]))  # as gunicorn's spawn_worker leaves a worker
    except SystemExit:
        raise
finally:
    config["worker_exit"](None, worker)
    print("interpreter torn down as usual", flush=True)
"""


@pytest.mark.parametrize(
    ("code", "process", "torn_down"),
    [(0, "worker", False), (3, "worker", True), (0, "master", True)],
    ids=["a worker leaving normally", "a worker's error exit", "the master after a dead worker"],
)
def test_a_worker_leaving_normally_skips_the_interpreters_teardown(code, process, torn_down):
    """deploy/gunicorn.conf.py's worker_exit: the exit functions run, the slow teardown does not; an error exit
    keeps its code (the master reads it) and the master's own call changes nothing."""
    result = subprocess.run(  # noqa: S603 - the project's own configuration
        [sys.executable, "-c", LEAVING, str(GUNICORN_CONF), str(code), process],
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "kbportal.settings.production"},
        cwd=ROOT, capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip

    assert result.returncode == code, result.stderr
    assert "exit functions ran" in result.stdout
    assert ("interpreter torn down as usual" in result.stdout) is torn_down


def test_the_master_freezes_what_it_loaded_before_each_fork():
    config = runpy.run_path(str(GUNICORN_CONF))
    before = gc.get_freeze_count()
    try:
        config["pre_fork"](None, None)
        assert gc.get_freeze_count() > before
    finally:
        gc.unfreeze()
