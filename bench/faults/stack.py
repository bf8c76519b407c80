"""The real stack on 127.0.0.1: two Redis servers, a fresh PostgreSQL database, gunicorn, a Celery worker and beat.

Every process is started in its own process group and remembered, so `Stack.stop()` (called from a
`finally` and from atexit) ends exactly what this run started, by process group id, and nothing else.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parent.parent.parent
PYTHON = sys.executable
BIN = Path(PYTHON).parent
SERVER = "postgresql://postgres@127.0.0.1:5432/postgres"

# Every rate-limit group and key of settings/base.py, set high so the traffic measures faults, not throttling.
RATE_GROUPS = {
    "contact": ["ip", "address", "user"],
    "guest_reply": ["ip", "ticket"],
    "password_reset": ["ip", "address"],
    "sign_up": ["ip", "address"],
    "search": ["ip"],
    "suggest": ["ip"],
    "feedback": ["user"],
    "forum": ["user"],
}


class StackError(RuntimeError):
    """The stack could not be started; the message says which part and where its log is."""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def port_open(port: int) -> bool:
    with socket.socket() as probe:
        probe.settimeout(0.5)
        return probe.connect_ex(("127.0.0.1", port)) == 0


def wait_until(check, *, timeout: float, what: str, interval: float = 0.3) -> float:
    """Poll `check()` until it is true; StackError after `timeout` seconds. Returns the seconds it took."""
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        with contextlib.suppress(Exception):
            if check():
                return time.monotonic() - started
        time.sleep(interval)
    raise StackError(f"{what}: not ready after {timeout:.0f} s")


@dataclass
class Child:
    name: str
    command: list[str]
    log: Path
    process: subprocess.Popen | None = None

    @property
    def pid(self) -> int:
        return self.process.pid if self.process else 0

    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None


@dataclass
class Stack:
    workdir: Path
    database: str
    smtp_port: int
    web_port: int = field(default_factory=free_port)
    cache_port: int = field(default_factory=free_port)
    broker_port: int = field(default_factory=free_port)
    children: dict[str, Child] = field(default_factory=dict)
    timings: dict[str, float] = field(default_factory=dict)
    # Restarted when they exit on their own, as deploy/systemd's Restart=on-failure (RestartSec=5) does; a fault
    # that stops one on purpose takes it out of this set until it restarts it.
    supervised: set[str] = field(default_factory=set)
    restarts: list[str] = field(default_factory=list)

    # --- Environment --------------------------------------------------------------------------------------

    @property
    def database_url(self) -> str:
        return f"postgres://postgres@127.0.0.1:5432/{self.database}"

    def env(self) -> dict[str, str]:
        env = {key: value for key, value in os.environ.items() if not key.startswith(("DJANGO_", "KBPORTAL_"))}
        env.update(
            DJANGO_SETTINGS_MODULE="kbportal.settings.production",
            DJANGO_SECRET_KEY=f"fault-run-{os.getpid()}-a-long-random-looking-secret-key-for-127.0.0.1-only",
            DJANGO_ALLOWED_HOSTS="127.0.0.1",
            DJANGO_SECURE_SSL_REDIRECT="false",
            DJANGO_SECURE_COOKIES="false",
            DJANGO_SECURE_HSTS_SECONDS="0",
            DJANGO_STATIC_ROOT=str(self.workdir / "static"),
            DJANGO_MEDIA_ROOT=str(self.workdir / "media"),
            DJANGO_EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
            DJANGO_EMAIL_HOST="127.0.0.1",
            DJANGO_EMAIL_PORT=str(self.smtp_port),
            DJANGO_EMAIL_TIMEOUT="5",
            KBPORTAL_SITE_URL=f"http://127.0.0.1:{self.web_port}",
            KBPORTAL_STAFF_REQUIRE_2FA="false",
            KBPORTAL_OUTBOX_RETRY_BASE_SECONDS="2",
            KBPORTAL_OUTBOX_RETRY_MAX_SECONDS="15",
            KBPORTAL_OUTBOX_SWEEP_SECONDS="10",
            KBPORTAL_OUTBOX_LEASE_SECONDS="30",
            DATABASE_URL=self.database_url,
            REDIS_URL=f"redis://127.0.0.1:{self.cache_port}/0",
            CELERY_BROKER_URL=f"redis://127.0.0.1:{self.broker_port}/0",
            PYTHONUNBUFFERED="1",
        )
        for group, keys in RATE_GROUPS.items():
            for key in keys:
                env[f"KBPORTAL_RATE_{group.upper()}_{key.upper()}"] = "100000/m"
        return env

    # --- Processes ------------------------------------------------------------------------------------------

    def start(self, name: str, command: list[str]) -> Child:
        child = Child(name=name, command=command, log=self.workdir / f"{name}.log")
        with child.log.open("ab") as log:
            child.process = subprocess.Popen(
                command,
                cwd=ROOT,
                env=self.env(),
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own process group: stopped (or killed) as a whole
            )
        self.children[name] = child
        return child

    def send_signal(self, name: str, signum: int) -> None:
        child = self.children.get(name)
        if child is not None and child.running():
            with contextlib.suppress(ProcessLookupError):
                os.killpg(child.pid, signum)

    def stop_child(self, name: str, *, timeout: float = 10.0, signum: int = signal.SIGTERM) -> None:
        child = self.children.get(name)
        if child is None or child.process is None:
            return
        self.send_signal(name, signum)
        try:
            child.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.send_signal(name, signal.SIGKILL)
            child.process.wait(timeout=5)
        # Whatever the group left behind (a forked child that outlived its parent).
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(child.pid, signal.SIGKILL)

    def supervise(self, stopping: threading.Event, *, restart_after: float = 5.0) -> None:
        """Until `stopping` is set: restart a supervised child that exited on its own, after `restart_after`."""
        starts = {"worker": self.start_worker, "beat": self.start_beat}
        while not stopping.wait(1.0):
            for name in sorted(self.supervised):
                child = self.children.get(name)
                if child is None or child.running() or name not in starts:
                    continue
                code = child.process.returncode if child.process else None
                if stopping.wait(restart_after) or name not in self.supervised:
                    continue
                starts[name]()
                self.restarts.append(f"{name} exited with code {code}; restarted after {restart_after:.0f} s")
                print(f"  supervisor: {self.restarts[-1]}", flush=True)

    def stop(self) -> None:
        self.supervised.clear()
        for name in reversed(list(self.children)):
            with contextlib.suppress(Exception):
                self.stop_child(name, timeout=8)
        self.children.clear()

    def log_tail(self, name: str, lines: int = 15) -> str:
        child = self.children.get(name)
        if child is None or not child.log.exists():
            return ""
        return "\n".join(child.log.read_text(errors="replace").splitlines()[-lines:])

    def expect_running(self, name: str) -> None:
        child = self.children[name]
        if not child.running():
            raise StackError(f"{name} exited with {child.process.returncode}; log {child.log}:\n{self.log_tail(name)}")

    # --- Redis ----------------------------------------------------------------------------------------------

    def start_redis(self, name: str) -> None:
        if shutil.which("redis-server") is None:
            raise StackError("the redis-server program is needed (apt-get install redis-server)")
        port = self.cache_port if name == "redis-cache" else self.broker_port
        command = ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
        self.start(name, [*command, "--daemonize", "no", "--dir", str(self.workdir)])
        wait_until(lambda: port_open(port), timeout=15, what=name)
        self.expect_running(name)

    # --- Database -------------------------------------------------------------------------------------------

    def create_database(self) -> None:
        try:
            with psycopg.connect(SERVER, autocommit=True, connect_timeout=5) as db:
                db.execute(f'DROP DATABASE IF EXISTS "{self.database}" WITH (FORCE)')
                db.execute(f'CREATE DATABASE "{self.database}"')
        except psycopg.Error as error:
            raise StackError(f"PostgreSQL on 127.0.0.1:5432 (user postgres, trust) is needed: {error}") from error

    def drop_database(self) -> None:
        with psycopg.connect(SERVER, autocommit=True, connect_timeout=5) as db:
            db.execute(f'DROP DATABASE IF EXISTS "{self.database}" WITH (FORCE)')

    def connect(self) -> psycopg.Connection:
        return psycopg.connect(
            f"postgresql://postgres@127.0.0.1:5432/{self.database}", autocommit=True, connect_timeout=5
        )

    def manage(self, *commands: list[str], timeout: float = 180) -> None:
        """Run these manage.py commands side by side, to completion; StackError with the output of one that fails."""
        started = time.monotonic()
        running = []
        for arguments in commands:
            log = (self.workdir / f"manage-{arguments[0]}.log").open("w+")
            process = subprocess.Popen(
                [PYTHON, "manage.py", *arguments], cwd=ROOT, env=self.env(), stdout=log, stderr=subprocess.STDOUT
            )
            running.append((arguments, process, log))
        for arguments, process, log in running:
            try:
                code = process.wait(timeout=max(1.0, timeout - (time.monotonic() - started)))
            except subprocess.TimeoutExpired:
                process.kill()
                code = process.wait()
            self.timings[f"manage.py {arguments[0]}"] = time.monotonic() - started
            log.seek(0)
            output = log.read()
            log.close()
            if code != 0:
                raise StackError(f"manage.py {' '.join(arguments)} failed ({code}):\n{output[-3000:]}")

    # --- The application's processes -----------------------------------------------------------------------------

    def gunicorn_command(self) -> list[str]:
        bind = ["--bind", f"127.0.0.1:{self.web_port}", "--workers", "2"]
        config = ROOT / "deploy" / "gunicorn.conf.py"
        if config.exists():
            return [str(BIN / "gunicorn"), "-c", str(config), *bind, "kbportal.wsgi"]
        return [str(BIN / "gunicorn"), "kbportal.wsgi", *bind, "--timeout", "30", "--access-logfile", "-"]

    def start_web(self) -> None:
        self.start("gunicorn", self.gunicorn_command())

    def start_worker(self) -> None:
        celery = str(BIN / "celery")
        command = [celery, "-A", "kbportal", "worker", "--queues", "celery,mail", "--concurrency", "2"]
        self.start("worker", [*command, "--loglevel", "INFO", "--hostname", f"faultrun-{os.getpid()}@%h"])

    def start_beat(self) -> None:
        command = [str(BIN / "celery"), "-A", "kbportal", "beat", "--loglevel", "INFO"]
        if not self._beat_has_database_scheduler():
            command += ["--schedule", str(self.workdir / "beat-schedule")]
        self.start("beat", command)

    @staticmethod
    def _beat_has_database_scheduler() -> bool:
        settings = (ROOT / "kbportal" / "settings" / "base.py").read_text()
        return "CELERY_BEAT_SCHEDULER" in settings

    def gunicorn_workers(self) -> list[int]:
        """The worker processes: children of the gunicorn master."""
        master = self.children["gunicorn"].pid
        return [pid for pid in _all_pids() if _parent_of(pid) == master]


def _all_pids() -> list[int]:
    return [int(entry) for entry in os.listdir("/proc") if entry.isdigit()]


def _parent_of(pid: int) -> int:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return -1
    return int(stat.rsplit(")", 1)[1].split()[1])


def socket_owner(pids: list[int], local_port: int, peer_port: int) -> int | None:
    """Which of these processes holds the server side of the connection from `peer_port` (via /proc)."""
    inodes = _tcp_inodes(local_port, peer_port)
    for pid in pids:
        try:
            links = [os.readlink(f"/proc/{pid}/fd/{fd}") for fd in os.listdir(f"/proc/{pid}/fd")]
        except OSError:
            continue
        if any(link in inodes for link in links):
            return pid
    return None


def _tcp_inodes(local_port: int, peer_port: int) -> set[str]:
    found = set()
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        parts = line.split()
        local, remote, inode = parts[1], parts[2], parts[9]
        if int(local.split(":")[1], 16) == local_port and int(remote.split(":")[1], 16) == peer_port:
            found.add(f"socket:[{inode}]")
    return found
