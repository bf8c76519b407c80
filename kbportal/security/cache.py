"""A database cache whose counters are exact across processes: the embedded default's rate-limit store.

Django's DatabaseCache increments by reading and writing the value in two statements, so two processes
counting the same key at once both write n + 1. Here the read and the write share one transaction that
holds the row: SQLite's IMMEDIATE transactions (see `SQLITE_OPTIONS`) take the write lock at BEGIN, and on
PostgreSQL the row is locked with SELECT … FOR UPDATE. The write changes the value only, so a counter
expires when its window does (as Redis keeps a key's TTL on INCR), and culling removes only expired
counters: Django's would delete a share of the live ones, resetting limits for whoever floods the table.
At scale the counters live in Redis instead, whose INCR is atomic by itself, and fall back to this table
while Redis cannot be reached (:class:`FailoverCounterCache`).
"""

import base64
import logging
import pickle
import time

from django.core.cache import caches
from django.core.cache.backends.base import DEFAULT_TIMEOUT, BaseCache
from django.core.cache.backends.db import DatabaseCache
from django.db import DatabaseError, connections, router, transaction
from django.utils import timezone
from django_redis.exceptions import ConnectionInterrupted
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

# What an unreachable counter store raises. Anything else (a malformed rate, say) is a bug and surfaces.
STORE_ERRORS = (DatabaseError, RedisError, ConnectionInterrupted, OSError)


class CounterDatabaseCache(DatabaseCache):
    def incr(self, key, delta: int = 1, version=None) -> int:
        db = router.db_for_write(self.cache_model_class)
        connection = connections[db]
        table = connection.ops.quote_name(self._table)
        lock = " FOR UPDATE" if connection.features.has_select_for_update else ""
        cache_key = self.make_and_validate_key(key, version=version)
        now = connection.ops.adapt_datetimefield_value(timezone.now())
        with transaction.atomic(using=db), connection.cursor() as cursor:
            # The row is locked (PostgreSQL) or the database is (SQLite, IMMEDIATE) from here to the commit.
            cursor.execute(
                f"SELECT value FROM {table} WHERE cache_key = %s AND expires >= %s{lock}",  # noqa: S608
                [cache_key, now],
            )
            row = cursor.fetchone()
            if row is None:
                raise ValueError(f"Key '{key}' not found")
            new_value = pickle.loads(base64.b64decode(row[0].encode())) + delta  # noqa: S301 - our own rows
            stored = base64.b64encode(pickle.dumps(new_value, self.pickle_protocol)).decode("latin1")
            cursor.execute(f"UPDATE {table} SET value = %s WHERE cache_key = %s", [stored, cache_key])  # noqa: S608
        return new_value

    def _cull(self, db, cursor, now, num) -> None:
        connection = connections[db]
        table = connection.ops.quote_name(self._table)
        cursor.execute(
            f"DELETE FROM {table} WHERE expires < %s",  # noqa: S608
            [connection.ops.adapt_datetimefield_value(now)],
        )


# Primary stores (by alias) found unreachable, and until when (time.monotonic()) they are not asked again.
_primary_down_until: dict[str, float] = {}


class FailoverCounterCache(BaseCache):
    """Counters in a primary cache (Redis), counted in a fallback cache (the database table) while the primary
    cannot be reached, so limits keep working through a Redis outage.

    OPTIONS: ``PRIMARY`` and ``FALLBACK`` name two other entries of CACHES; after a failure the primary is
    left alone for ``RETRY_SECONDS`` (default 5), so a dead Redis costs one timeout per process every few
    seconds rather than one per counter. A counter restarts when it changes store: for a window that spans
    an outage the limit is at most twice as generous, never off. When the fallback fails too its error
    reaches the caller (:func:`kbportal.security.ratelimits.rate_limited` decides, per group, what then).
    """

    def __init__(self, location: str, params: dict) -> None:
        super().__init__(params)
        options = params.get("OPTIONS", {})
        self.primary_alias: str = options["PRIMARY"]
        self.fallback_alias: str = options["FALLBACK"]
        self.retry_seconds: float = options.get("RETRY_SECONDS", 5)

    def _call(self, method: str, *args, **kwargs):
        if time.monotonic() >= _primary_down_until.get(self.primary_alias, 0):
            try:
                return getattr(caches[self.primary_alias], method)(*args, **kwargs)
            except STORE_ERRORS:
                _primary_down_until[self.primary_alias] = time.monotonic() + self.retry_seconds
                logger.warning(
                    "rate-limit store %r unavailable; counting in %r for %ss",
                    self.primary_alias,
                    self.fallback_alias,
                    self.retry_seconds,
                    exc_info=True,
                )
        return getattr(caches[self.fallback_alias], method)(*args, **kwargs)

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("add", key, value, timeout=timeout, version=version)

    def get(self, key, default=None, version=None):
        return self._call("get", key, default=default, version=version)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("set", key, value, timeout=timeout, version=version)

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("touch", key, timeout=timeout, version=version)

    def delete(self, key, version=None):
        return self._call("delete", key, version=version)

    def incr(self, key, delta=1, version=None):
        return self._call("incr", key, delta=delta, version=version)

    def has_key(self, key, version=None):
        return self._call("has_key", key, version=version)

    def clear(self):
        return self._call("clear")
