"""One Celery beat per deployment, guaranteed: a beat runs only while it holds a PostgreSQL advisory lock.

Start beat on two machines and the second waits, as a standby, until the first is gone (its process dies,
its machine is switched off: the server frees a session lock when the session ends), then takes over. Two
beats at once would send every periodic job twice. The lock lives on a connection of its own, never one
Django manages (Django closes and reopens those at will, which would drop the lock); a watch thread checks
it every few seconds and stops the process when it is lost, so a beat never runs without it (systemd starts
it again, and it waits for the lock like any standby).

The embedded default (SQLite) runs no beat, and SQLite has no such lock: there, one beat is by convention.
"""

from __future__ import annotations

import logging
import os
import threading
import time

from django.db import connections

logger = logging.getLogger(__name__)

LOCK_KEY = 0x6B62_7062  # "kbpb": the same number in every process of a deployment
POLL_SECONDS = 5

_held = None  # the connection that holds the lock, for the life of the process


def lock_connection():
    """A psycopg connection of its own to the default database, in autocommit."""
    import psycopg

    params = connections["default"].get_connection_params()
    params.pop("cursor_factory", None)
    params.pop("context", None)
    params.pop("prepare_threshold", None)
    return psycopg.connect(**params, autocommit=True)


def try_take(connection) -> bool:
    return connection.execute("SELECT pg_try_advisory_lock(%s)", [LOCK_KEY]).fetchone()[0]


def hold(*, poll_seconds: float = POLL_SECONDS) -> bool:
    """Block until this process holds the beat lock, then keep it (and watch it) for the process's life.

    Returns False without waiting where there is no such lock (not PostgreSQL)."""
    global _held
    if connections["default"].vendor != "postgresql":
        logger.info(
            "beat: one beat per deployment by convention (no advisory lock on %s)", connections["default"].vendor
        )
        return False
    connection = lock_connection()
    waited = False
    while not try_take(connection):
        if not waited:
            logger.warning("beat: another beat holds the lock; this one waits to take over")
            waited = True
        time.sleep(poll_seconds)
    logger.info("beat: holding the beat lock%s", " (took over)" if waited else "")
    _held = connection
    threading.Thread(target=_watch, args=(connection, poll_seconds), name="beat-lock-watch", daemon=True).start()
    return True


def _watch(connection, poll_seconds: float) -> None:
    while True:
        time.sleep(poll_seconds)
        try:
            connection.execute("SELECT 1")
        except Exception:
            logger.critical("beat: lost the connection holding the beat lock; stopping so that no two beats run")
            logging.shutdown()
            os._exit(1)
