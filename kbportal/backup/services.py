"""A consistent copy of the site's database, taken while the site runs."""

from __future__ import annotations

import os
import sqlite3
import subprocess
from pathlib import Path

from django.db import connection


class BackupError(Exception):
    """The copy could not be made; the message says why and what to do."""


def backup_create(*, destination: Path) -> Path:
    """Write a copy of the database to `destination`, which must not exist yet; returns it.

    SQLite: one self-contained database file (SQLite's online backup). PostgreSQL: pg_dump's custom
    format, for pg_restore. The copy is written beside the destination and renamed into place when
    complete, so a failed or interrupted backup never leaves a file that looks like a good one.
    """
    if destination.exists():
        raise BackupError(f"{destination} exists already; give a new file name or remove it first.")
    if not destination.parent.is_dir():
        raise BackupError(f"There is no folder {destination.parent}; create it first.")
    partial = destination.with_name(f".{destination.name}.partial")
    partial.unlink(missing_ok=True)
    try:
        # Readable by the owner only, like the uploads: the copy holds password hashes and two-factor keys.
        # O_EXCL: two backups started at once never write into each other's file.
        os.close(os.open(partial, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
    except OSError as error:
        raise BackupError(f"Cannot write {partial}: {error.strerror}.") from error
    try:
        if connection.vendor == "sqlite":
            _sqlite_copy(partial)
        elif connection.vendor == "postgresql":
            _pg_dump(partial)
        else:
            raise BackupError(f"No backup method for {connection.vendor}; use the database's own tools.")
        os.replace(partial, destination)
    finally:
        partial.unlink(missing_ok=True)
    return destination


def _sqlite_copy(target: Path) -> None:
    connection.ensure_connection()
    copy = sqlite3.connect(target)
    try:
        # All pages in one step, so in one read transaction: a consistent snapshot. In WAL mode the site's
        # writers carry on meanwhile; a copy in several steps would start over after each of their commits.
        connection.connection.backup(copy, pages=-1)
        # A backup is one file, with no -wal beside it; the site switches WAL on again when it opens it.
        copy.execute("PRAGMA journal_mode=DELETE")
        verdict = copy.execute("PRAGMA quick_check").fetchone()[0]
    finally:
        copy.close()
    if verdict != "ok":
        raise BackupError(f"The copy failed SQLite's check ({verdict}); the database itself may be damaged.")


def _pg_dump(target: Path) -> None:
    # The connection settings (host, user, password, SSL mode…) exactly as `manage.py dbshell` passes them.
    args, env = connection.client.settings_to_cmd_args_env(
        connection.settings_dict, ["--format=custom", f"--file={target}"]
    )
    try:
        subprocess.run(["pg_dump", *args[1:]], env={**os.environ, **env} if env else None, check=True)  # noqa: S603, S607
    except FileNotFoundError:
        raise BackupError(
            "pg_dump is not installed; install the PostgreSQL client tools of the server's version or newer."
        ) from None
    except subprocess.CalledProcessError as error:
        raise BackupError(f"pg_dump failed (exit status {error.returncode}); its message is above.") from None
