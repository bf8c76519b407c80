"""The live portal the browser journeys drive: its own database with the demo content, served by gunicorn.

One portal per test run (the journeys share a worker through `xdist_group`): a fresh SQLite file, or a fresh
PostgreSQL database beside the one DATABASE_URL names when the suite runs on PostgreSQL; Redis with a key
prefix of its own when REDIS_URL is set. Mail goes to files the journeys read as the customer's inbox.
Everything is started on 127.0.0.1 with bounded waits and stopped by process id.
"""

import email
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from dataclasses import dataclass, field
from email.message import Message
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
START_TIMEOUT_SECONDS = 60
SETUP_TIMEOUT_SECONDS = 600


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class Inbox:
    """The mail the portal sent, as the file backend wrote it (one file per connection, messages separated)."""

    folder: Path

    def messages(self) -> list[Message]:
        found = []
        for path in sorted(self.folder.glob("*.log"), key=lambda item: item.stat().st_mtime):
            for chunk in path.read_bytes().split(b"-" * 79):
                if chunk.strip():
                    found.append(email.message_from_bytes(chunk.strip() + b"\n"))
        return found

    def link(self, to: str, pattern: str, *, timeout: float = 10.0) -> str:
        """The first URL matching `pattern` in the newest mail to `to` (waits for the outbox to deliver it)."""
        deadline = time.monotonic() + timeout
        while True:
            for message in reversed(self.messages()):
                if to not in message.get("To", ""):
                    continue
                match = re.search(pattern, _plain_text(message))
                if match:
                    return match.group(0)
            if time.monotonic() > deadline:
                raise AssertionError(f"no mail to {to} with a link matching {pattern!r}")
            time.sleep(0.2)


def _plain_text(message: Message) -> str:
    parts = message.walk() if message.is_multipart() else [message]
    for part in parts:
        if part.get_content_type() == "text/plain":
            return part.get_payload(decode=True).decode(part.get_content_charset() or "utf-8")
    return ""


@dataclass
class Portal:
    base_url: str
    inbox: Inbox
    workdir: Path
    environment: dict[str, str]
    process: subprocess.Popen | None = None
    created_database: str = ""
    admin_url: str = field(init=False)

    def __post_init__(self) -> None:
        self.admin_url = f"{self.base_url}/admin/"

    def url(self, path: str) -> str:
        return f"{self.base_url}{path}"

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=5)
        if self.created_database:
            _drop_postgres_database(self.environment["DATABASE_URL"])


def start_portal(workdir: Path) -> Portal:
    port = free_port()
    mail = workdir / "mail"
    mail.mkdir(parents=True, exist_ok=True)
    run = uuid.uuid4().hex[:8]
    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "kbportal.settings.e2e",
        "KBPORTAL_E2E_MAIL_DIR": str(mail),
        "KBPORTAL_SITE_URL": f"http://127.0.0.1:{port}",
        "DJANGO_MEDIA_ROOT": str(workdir / "media"),
        "CACHE_KEY_PREFIX": f"kbportal-e2e-{run}",
        "PYTHONUNBUFFERED": "1",
    }
    environment.pop("CELERY_BROKER_URL", None)
    created_database = ""
    test_database = os.environ.get("DATABASE_URL", "")
    if test_database.startswith("postgres"):
        created_database = f"kbportal_e2e_{run}"
        environment["DATABASE_URL"] = _with_database(test_database, created_database)
        _create_postgres_database(environment["DATABASE_URL"])
    else:
        environment["DATABASE_URL"] = f"sqlite:///{workdir / 'portal.sqlite3'}"
    portal = Portal(f"http://127.0.0.1:{port}", Inbox(mail), workdir, environment, created_database=created_database)
    try:
        _prepare_database(environment, workdir)
        portal.process = _serve(environment, port, workdir)
        _wait_until_live(portal)
    except BaseException:
        portal.stop()
        raise
    return portal


def _prepare_database(environment: dict[str, str], workdir: Path) -> None:
    log = workdir / "setup.log"
    with log.open("w") as output:
        for command in (["migrate", "--noinput", "-v0"], ["load_demo"]):
            result = subprocess.run(  # noqa: S603 - the project's own manage.py
                [str(BIN / "python"), str(ROOT / "manage.py"), *command],
                env=environment,
                stdout=output,
                stderr=subprocess.STDOUT,
                timeout=SETUP_TIMEOUT_SECONDS,
                check=False,
            )
            if result.returncode:
                raise RuntimeError(f"manage.py {' '.join(command)} failed; see {log}")


def _serve(environment: dict[str, str], port: int, workdir: Path) -> subprocess.Popen:
    gunicorn = shutil.which("gunicorn", path=str(BIN)) or "gunicorn"
    log = (workdir / "gunicorn.log").open("w")
    return subprocess.Popen(  # noqa: S603 - the project's own server
        [
            gunicorn,
            "kbportal.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "2",
            "--threads",
            "4",
            "--timeout",
            "60",
            "--access-logfile",
            "-",
            "--error-logfile",
            "-",
        ],
        cwd=ROOT,
        env=environment,
        stdout=log,
        stderr=subprocess.STDOUT,
    )


def _wait_until_live(portal: Portal) -> None:
    deadline = time.monotonic() + START_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        if portal.process.poll() is not None:
            raise RuntimeError(f"gunicorn exited; see {portal.workdir / 'gunicorn.log'}")
        try:
            with urllib.request.urlopen(portal.url("/health/live"), timeout=2) as response:  # noqa: S310
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError(f"the portal did not answer within {START_TIMEOUT_SECONDS} s")


def _with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{name}"))


def _maintenance_connection(url: str):
    import psycopg

    parts = urlsplit(url)
    return psycopg.connect(
        host=parts.hostname,
        port=parts.port or 5432,
        user=parts.username,
        password=parts.password,
        dbname="postgres",
        autocommit=True,
    )


def _create_postgres_database(url: str) -> None:
    name = urlsplit(url).path.lstrip("/")
    with _maintenance_connection(url) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')


def _drop_postgres_database(url: str) -> None:
    name = urlsplit(url).path.lstrip("/")
    with _maintenance_connection(url) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
