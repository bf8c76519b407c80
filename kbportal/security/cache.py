"""A database cache whose counters are exact across processes: the embedded default's rate-limit store.

Django's DatabaseCache increments by reading and writing the value in two statements, so two processes
counting the same key at once both write n + 1. Here the read and the write share one transaction that
holds the row: SQLite's IMMEDIATE transactions (see `SQLITE_OPTIONS`) take the write lock at BEGIN, and on
PostgreSQL the row is locked with SELECT … FOR UPDATE first. At scale the counters live in Redis instead,
whose INCR is atomic by itself.
"""

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.db import DatabaseCache
from django.db import connections, router, transaction


class CounterDatabaseCache(DatabaseCache):
    def incr(self, key, delta: int = 1, version=None) -> int:
        db = router.db_for_write(self.cache_model_class)
        connection = connections[db]
        with transaction.atomic(using=db):
            if connection.features.has_select_for_update:
                table = connection.ops.quote_name(self._table)
                with connection.cursor() as cursor:
                    cursor.execute(
                        f"SELECT cache_key FROM {table} WHERE cache_key = %s FOR UPDATE",  # noqa: S608 - the table name is ours
                        [self.make_and_validate_key(key, version=version)],
                    )
            value = self.get(key, self._missing_key, version=version)
            if value is self._missing_key:
                raise ValueError(f"Key '{key}' not found")
            new_value = value + delta
            # The timeout restarts with each write; keys carry their window, so a longer life is harmless
            # as long as the cache's TIMEOUT outlasts the longest window (see settings).
            self.set(key, new_value, timeout=DEFAULT_TIMEOUT, version=version)
        return new_value
