"""Writes that can wait: what a page that only reads wants counted, written later and in batches.

A page that only reads (a search, an article, a video) must not write to the database: a write per view makes a
read contend for rows (a popular article's `view_count`), costs a transaction per request, and keeps the page
from being served by a read replica. Such a page `record`s what it wants counted — a search, a view — and an
app registers, per kind, the function that writes a batch of them (`register`). Two backends:

- **memory** (the embedded default, no broker): the records wait in this process and are written right after
  the response has been sent (Django's `request_finished`), or at exit; a batch is whatever the requests of
  this process recorded since.
- **redis** (at scale: `REDIS_URL` and a broker): the records go to a Redis list per kind, and Celery beat's
  `buffer.drain` (every `KBPORTAL_BUFFER_DRAIN_SECONDS`) writes them in batches of `BATCH`. While Redis cannot be
  reached, a record falls back to the memory backend (written after this response, with a warning in the log):
  an outage neither loses a record nor fails the page.

A writer gets the records of its kind in the order they were made and must tolerate a malformed one (skip it).
A batch that fails to be written is logged with its size; from Redis it is put back at the head of its list
and tried again at the next drain. `flush()` writes everything waiting now (tests, `manage.py shell`).
"""

from __future__ import annotations

import atexit
import json
import logging
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from celery import shared_task
from django.conf import settings
from django.core.signals import request_finished
from django.db import close_old_connections, connection, transaction

logger = logging.getLogger(__name__)

Record = dict[str, Any]
Writer = Callable[[list[Record]], None]

# Records taken from a Redis list at a time: one transaction writes them.
BATCH = 500
# Records a drain takes from one kind's list at most, so that one drain is bounded even under a flood.
DRAIN_LIMIT = 50_000

_writers: dict[str, Writer] = {}
_waiting: list[tuple[str, Record]] = []
_lock = threading.Lock()
_held = threading.local()


def register(kind: str, writer: Writer) -> None:
    """Name the function that writes a batch of `kind`'s records (called from an AppConfig.ready())."""
    _writers[kind] = writer


def backend() -> str:
    """`redis` when set so (or with Redis and a broker that runs the drain), otherwise `memory`."""
    chosen: str = getattr(settings, "KBPORTAL_BUFFER_BACKEND", "") or ""
    if chosen:
        return chosen
    return "redis" if settings.REDIS_URL and settings.CELERY_BROKER_URL else "memory"


def _key(kind: str) -> str:
    from django.core.cache import caches

    # The default cache's prefix: sites (and test processes) sharing one Redis keep their records apart.
    return str(caches["default"].make_key(f"buffer:{kind}"))


def _redis() -> Any:
    from django_redis import get_redis_connection

    return get_redis_connection("default")


def record(kind: str, payload: Record) -> None:
    """Keep a record to be written later. Never raises: a page must not fail for what it counts."""
    if kind not in _writers:
        logger.error("No writer is registered for buffered %s records; one is dropped.", kind)
        return
    if backend() == "redis":
        try:
            _redis().rpush(_key(kind), json.dumps(payload, separators=(",", ":")))
            return
        except Exception as error:
            logger.warning("Redis did not take a %s record (%s): it is written after this response.", kind, error)
    with _lock:
        _waiting.append((kind, payload))


def _write(kind: str, batch: list[Record]) -> None:
    with transaction.atomic():
        _writers[kind](batch)


def flush_memory() -> int:
    """Write what waits in this process, kind by kind in the order it came. Returns the records written."""
    with _lock:
        waiting = _waiting[:]
        _waiting.clear()
    by_kind: dict[str, list[Record]] = {}
    for kind, payload in waiting:
        by_kind.setdefault(kind, []).append(payload)
    written = 0
    for kind, batch in by_kind.items():
        try:
            _write(kind, batch)
        except Exception:
            logger.exception("%d buffered %s records could not be written and are lost.", len(batch), kind)
        else:
            written += len(batch)
    return written


def drain_redis(limit: int = DRAIN_LIMIT) -> int:
    """Write what waits in Redis, in batches of BATCH. A batch that fails goes back to the head of its list."""
    client = _redis()
    written = 0
    for kind in list(_writers):
        key, taken = _key(kind), 0
        while taken < limit:
            pipe = client.pipeline(transaction=True)
            pipe.lrange(key, 0, BATCH - 1)
            pipe.ltrim(key, BATCH, -1)
            raw, _trimmed = pipe.execute()
            if not raw:
                break
            taken += len(raw)
            batch = []
            for item in raw:
                try:
                    batch.append(json.loads(item))
                except ValueError:
                    logger.error("A buffered %s record is not JSON and is dropped.", kind)
            try:
                _write(kind, batch)
            except Exception:
                client.lpush(key, *reversed(raw))
                logger.exception("%d buffered %s records could not be written; they wait for the next drain.",
                                 len(raw), kind)  # fmt: skip
                break
            written += len(batch)
    return written


def flush() -> int:
    """Write everything waiting now, in this process and (with the redis backend) in Redis."""
    written = flush_memory()
    if backend() == "redis":
        written += drain_redis()
    return written


@contextmanager
def held() -> Iterator[None]:
    """Keep this thread's responses from writing what waits when they finish (tests: what a request itself
    writes, apart from what is written after it)."""
    _held.on = True
    try:
        yield
    finally:
        _held.on = False


def _after_response(**kwargs: Any) -> None:
    if getattr(_held, "on", False) or not _waiting:
        return
    flush_memory()
    # Django closed (or kept) the request's connection before this receiver ran; leave it as it would.
    if not connection.in_atomic_block:
        close_old_connections()


request_finished.connect(_after_response, dispatch_uid="kbportal.buffer.after_response")
atexit.register(flush_memory)


@shared_task(name="buffer.drain", ignore_result=True, time_limit=120, soft_time_limit=100)
def drain_task() -> int:
    """Beat runs this every KBPORTAL_BUFFER_DRAIN_SECONDS (with the redis backend)."""
    return flush()
