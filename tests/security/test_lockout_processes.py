"""The lockout is shared by server processes: failures sent to two processes add up to one count."""

import http.cookiejar
import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from tests.accounts.factories import PASSWORD, UserFactory

START_TIMEOUT = 60


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _database_url() -> str:
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    return f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


class Server:
    """A `manage.py runserver` of its own on the test database, stopped by process id."""

    def __init__(self, log: Path) -> None:
        self.port = _free_port()
        env = {**os.environ, "DATABASE_URL": _database_url(), "DJANGO_SETTINGS_MODULE": "kbportal.settings.test"}
        env.pop("REDIS_URL", None)  # the lockout lives in the database; the servers need nothing else
        self.log = log.open("wb")
        self.process = subprocess.Popen(  # noqa: S603 - the project's own manage.py
            [sys.executable, "manage.py", "runserver", "--noreload", "--nothreading", f"127.0.0.1:{self.port}"],
            cwd=settings.BASE_DIR, env=env, stdout=self.log, stderr=subprocess.STDOUT,
        )  # fmt: skip
        self.base = f"http://127.0.0.1:{self.port}"

    def wait_until_up(self) -> None:
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(f"{self.base}/accounts/sign-in/", timeout=5)  # noqa: S310 - loopback
                return
            except (urllib.error.URLError, ConnectionError):
                time.sleep(0.25)
        raise TimeoutError(f"server on port {self.port} did not start")

    def sign_in(self, username: str, password: str) -> int:
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
        page = opener.open(f"{self.base}/accounts/sign-in/", timeout=10).read().decode()
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
        body = urllib.parse.urlencode({"csrfmiddlewaretoken": token, "username": username, "password": password})
        request = urllib.request.Request(f"{self.base}/accounts/sign-in/", data=body.encode(), method="POST")  # noqa: S310
        request.add_header("Referer", f"{self.base}/accounts/sign-in/")
        try:
            return opener.open(request, timeout=10).status
        except urllib.error.HTTPError as error:
            return error.code

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)
        self.log.close()


@pytest.fixture
def two_servers(tmp_path):
    servers = [Server(tmp_path / f"server-{n}.log") for n in range(2)]
    try:
        for server in servers:
            server.wait_until_up()
        yield servers
    finally:
        for server in servers:
            server.stop()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_failures_sent_to_two_processes_lock_the_account_in_both(two_servers):
    UserFactory(username="mei", email="mei@example.com")
    first, second = two_servers

    answers = [server.sign_in("mei@example.com", "wrong-password") for _ in range(10) for server in (first, second)]

    # The 20th failure, counted across both processes, is the one that locks.
    assert answers == [200] * 19 + [429]
    assert first.sign_in("mei", PASSWORD) == 429
    assert second.sign_in("mei", PASSWORD) == 429
