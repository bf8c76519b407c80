"""One beat per deployment: a second beat waits as a standby and takes over when the first is gone."""

import logging
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.db import connection

from kbportal import beat_lock

ROOT = Path(__file__).resolve().parents[2]

postgresql_only = pytest.mark.skipif(connection.vendor != "postgresql", reason="advisory locks are PostgreSQL's")


def _within(seconds: float, check) -> bool:
    """The server ends a closed connection's backend, and frees its locks, a moment later (on a busy machine,
    several): a standby retries, as beat_lock's does."""
    deadline = time.monotonic() + seconds
    while not check():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.1)
    return True


@postgresql_only
@pytest.mark.django_db
def test_the_lock_is_held_by_one_connection_at_a_time():
    first, second = beat_lock.lock_connection(), beat_lock.lock_connection()
    try:
        assert beat_lock.try_take(first) is True
        assert beat_lock.try_take(second) is False  # a second beat waits

        first.close()  # the first beat's process ends: the server frees its lock once its backend has exited

        assert _within(10, lambda: beat_lock.try_take(second))  # the standby, retrying, takes over
    finally:
        first.close()
        second.close()


@postgresql_only
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_second_beat_process_waits_until_the_first_is_gone(tmp_path):
    script = (
        "import django, logging, sys, time; django.setup(); "
        "log = logging.getLogger('kbportal.beat_lock'); log.addHandler(logging.StreamHandler(sys.stdout)); "
        "from kbportal import beat_lock; beat_lock.hold(poll_seconds=0.2); print('RUNNING', flush=True); time.sleep(60)"
    )
    first = _start(script)
    second = None
    try:
        assert _line_with(first, "RUNNING")
        second = _start(script)
        assert "another beat holds the lock" in _line_with(second, "waits")
        time.sleep(1)
        assert second.poll() is None

        first.kill()

        assert "took over" in _line_with(second, "holding the beat lock")
    finally:
        for process in (first, second):
            if process is not None:
                process.kill()
                process.wait(timeout=10)


def _start(script: str) -> subprocess.Popen:
    """A process on the test database (the one this test run created)."""
    db = connection.settings_dict
    url = f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"
    env = {**os.environ, "DATABASE_URL": url}
    return subprocess.Popen([sys.executable, "-c", script], cwd=ROOT, env=env, stdout=subprocess.PIPE, text=True)  # noqa: S603


def _line_with(process: subprocess.Popen, text: str, timeout: float = 30) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if text in line:
            return line
        if not line and process.poll() is not None:
            break
    raise AssertionError(f"no line with {text!r}")


def test_without_postgresql_beat_runs_by_convention(monkeypatch, caplog):
    monkeypatch.setattr(connection, "vendor", "sqlite")
    caplog.set_level(logging.INFO, logger="kbportal.beat_lock")

    assert beat_lock.hold() is False
    assert "by convention" in caplog.text


def test_every_beat_waits_for_the_lock():
    from celery.signals import beat_init

    import kbportal.celery

    assert any(receiver is kbportal.celery._one_beat for receiver in _receivers(beat_init))


def _receivers(signal):
    return [reference() for _key, reference in signal.receivers if reference() is not None]
