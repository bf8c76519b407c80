"""Backup and restore as the README describes them, run as an operator runs them: `manage.py` in child processes.

A scratch database of the kind the suite runs on (a temporary SQLite file, or temporary PostgreSQL databases
created and dropped here) holds the demo's site (`backup_world.build`). Each way of backing up and restoring must
give back every row exactly, timestamps to the microsecond, and a database that ranks, scores and suggests as the
original did, with no rebuild, and that takes new tickets and articles afterwards.
"""

from __future__ import annotations

import gzip
import json
import os
import re
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from tests.kbportal.backup_world import DUMP

ROOT = Path(__file__).resolve().parents[2]
# The issue's command. With --natural-primary accounts are numbered anew on loading (their id is left out of
# the file), so the README's (`DUMP`) keeps ids, and with them links and sessions.
ISSUE_DUMP = ["dumpdata", "--natural-foreign", "--natural-primary", "-e", "contenttypes", "-e", "auth.Permission"]
_TIMESTAMP = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}([+-]\d\d:\d\d|Z)?")
POSTGRES = settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"
# One worker builds the site once for every test here (it takes most of a minute).
pytestmark = pytest.mark.xdist_group("backup")


@dataclass(frozen=True)
class Site:
    """A database the tests run `manage.py` against."""

    url: str

    def manage(self, *args: str) -> str:
        return _run([sys.executable, "manage.py", *args], self.url)

    def world(self, *action: str) -> dict:
        return json.loads(_run([sys.executable, "-m", "tests.kbportal.backup_world", *action], self.url))


def _run(command: list[str], url: str) -> str:
    env = {**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "kbportal.settings.test"}
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=900, check=False)  # noqa: S603
    assert done.returncode == 0, f"{' '.join(command[1:])} failed:\n{done.stderr[-3000:]}"
    return done.stdout


class Scratch:
    """Creates scratch databases of the suite's kind and removes them at the end."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.created: list[str] = []

    def new(self, name: str, template: Site | None = None) -> Site:
        if not POSTGRES:
            path = self.folder / f"{name}.sqlite3"
            if template is not None:
                shutil.copyfile(template.url.removeprefix("sqlite:///"), path)
            return Site(f"sqlite:///{path}")
        # The process's id too: two test runs on one server must not share these databases.
        database = f"{settings.DATABASES['default']['NAME']}_{os.getpid()}_{name}"[:63]
        clone = f" TEMPLATE {self._name(template)}" if template else ""
        self._admin(f"DROP DATABASE IF EXISTS {database}", f"CREATE DATABASE {database}{clone}")
        self.created.append(database)
        return Site(self._url(database))

    def drop_all(self) -> None:
        if self.created:
            self._admin(*(f"DROP DATABASE IF EXISTS {database} WITH (FORCE)" for database in self.created))

    def _url(self, database: str) -> str:
        db = settings.DATABASES["default"]
        password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
        return f"postgres://{db['USER']}{password}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{database}"

    def _name(self, site: Site) -> str:
        return site.url.rsplit("/", 1)[1]

    def _admin(self, *statements: str) -> None:
        import psycopg

        with psycopg.connect(self._url("postgres"), autocommit=True) as admin:
            for statement in statements:
                admin.execute(statement)


@pytest.fixture(scope="module")
def scratch(tmp_path_factory) -> Iterator[Scratch]:
    databases = Scratch(tmp_path_factory.mktemp("backup"))
    yield databases
    databases.drop_all()


@pytest.fixture(scope="module")
def fresh(scratch) -> Site:
    """A freshly migrated database, as `manage.py migrate` leaves it: where a restore starts."""
    site = scratch.new("fresh")
    site.manage("migrate", "--no-input", "-v0")
    return site


@pytest.fixture(scope="module")
def original(scratch, fresh) -> tuple[Site, dict]:
    """The site to back up, and its snapshot."""
    site = scratch.new("original", template=fresh)
    return site, site.world("build")


def _rows(path: Path) -> list[dict]:
    """A dump's objects; the order inside many-to-many lists is the database's, so it is left out."""
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8") as file:
        objects = json.load(file)
    for item in objects:
        for name, value in item["fields"].items():
            if isinstance(value, list):
                item["fields"][name] = sorted(value, key=json.dumps)
    return objects


def _finer_than_milliseconds(rows: list[dict]) -> int:
    stamps = (value for item in rows for value in item["fields"].values() if isinstance(value, str))
    return sum(
        1 for value in stamps if _TIMESTAMP.fullmatch(value) and datetime.fromisoformat(value).microsecond % 1000
    )


def _assert_same_site_taking_new_rows(restored: Site, snapshot: dict, dump: Path | None = None) -> None:
    again = restored.world("check", *([str(dump)] if dump else []))
    assert again["counts"] == snapshot["counts"]
    assert again["times"] == snapshot["times"]
    assert again["titles"] == snapshot["titles"]
    assert again["searches"] == snapshot["searches"]
    assert again["suggestions"] == snapshot["suggestions"]
    new = again["created"]
    assert new["created"]
    assert new["ticket"] > snapshot["counts"]["tickets.Ticket"]
    assert new["found"] == [new["article"]]


def test_the_issue_dump_command_writes_every_row(original, tmp_path):
    site, snapshot = original
    site.manage(*ISSUE_DUMP, "-o", str(tmp_path / "site.json"))

    dumped = {}
    for item in _rows(tmp_path / "site.json"):
        dumped[item["model"]] = dumped.get(item["model"], 0) + 1
    counted = {label.lower(): n for label, n in snapshot["counts"].items() if n and "_" not in label.split(".")[1]}
    del counted["contenttypes.contenttype"], counted["auth.permission"]
    assert dumped == counted


def test_dumpdata_and_loaddata_restore_every_row_exactly_and_search_the_same(original, scratch, fresh, tmp_path):
    site, snapshot = original
    backup = tmp_path / "site.json.gz"
    site.manage(*DUMP, "-o", str(backup))
    restored = scratch.new("loaded", template=fresh)
    restored.manage("flush", "--no-input")
    restored.manage("loaddata", str(backup))

    _assert_same_site_taking_new_rows(restored, snapshot, dump=tmp_path / "again.json.gz")
    original_rows, restored_rows = _rows(backup), _rows(tmp_path / "again.json.gz")
    assert len(restored_rows) == len(original_rows)
    assert restored_rows == original_rows
    assert _finer_than_milliseconds(original_rows) > 100  # Django's own JSON would have cut them


def test_backup_database_copies_the_running_site_and_the_copy_searches_the_same(original, scratch, tmp_path):
    site, snapshot = original
    if POSTGRES and not (shutil.which("pg_dump") and shutil.which("pg_restore")):
        pytest.skip("The PostgreSQL client tools (pg_dump, pg_restore) are not installed.")
    backup = tmp_path / ("site.dump" if POSTGRES else "site.sqlite3")
    site.manage("backup_database", str(backup))
    assert backup.stat().st_mode & 0o777 == 0o600  # it holds password hashes: the owner's alone

    if POSTGRES:
        restored = scratch.new("pgrestored")
        subprocess.run(  # noqa: S603
            ["pg_restore", "--no-owner", "--exit-on-error", f"--dbname={restored.url}", str(backup)],  # noqa: S607
            check=True,
            capture_output=True,
            timeout=120,
        )
    else:
        with sqlite3.connect(backup) as copy:
            assert copy.execute("PRAGMA journal_mode").fetchone() == ("delete",)  # one file, nothing beside it
        restored = Site(f"sqlite:///{backup}")
    _assert_same_site_taking_new_rows(restored, snapshot)


@pytest.mark.skipif(POSTGRES, reason="SQLite's online backup; PostgreSQL's pg_dump reads a snapshot by design.")
def test_the_sqlite_backup_neither_waits_for_nor_copies_a_write_in_progress(original, tmp_path):
    site, snapshot = original
    writer = sqlite3.connect(site.url.removeprefix("sqlite:///"), isolation_level=None)
    try:
        writer.execute("BEGIN IMMEDIATE")
        writer.execute("DELETE FROM tickets_event")
        site.manage("backup_database", str(tmp_path / "busy.sqlite3"))
    finally:
        writer.execute("ROLLBACK")
        writer.close()

    with sqlite3.connect(tmp_path / "busy.sqlite3") as copy:
        events = copy.execute("SELECT count(*) FROM tickets_event").fetchone()[0]
    assert events == snapshot["counts"]["tickets.Event"]


def test_backup_database_refuses_to_overwrite(tmp_path):
    existing = tmp_path / "yesterday.sqlite3"
    existing.write_bytes(b"yesterday's backup")

    with pytest.raises(CommandError, match="exists already"):
        call_command("backup_database", str(existing))
    assert existing.read_bytes() == b"yesterday's backup"


def test_backup_database_says_why_it_cannot_write():
    # /proc refuses new files even to root, who may write anywhere else (CI runs as root).
    with pytest.raises(CommandError, match="Cannot write"):
        call_command("backup_database", "/proc/kbportal-backup.sqlite3")
