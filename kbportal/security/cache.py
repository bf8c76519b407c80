"""A database cache whose counters are exact across processes: the embedded default's rate-limit store.

Django's DatabaseCache increments by reading and writing the value in two statements, so two processes
counting the same key at once both write n + 1. Here the read and the write share one transaction that
holds the row: SQLite's IMMEDIATE transactions (see `SQLITE_OPTIONS`) take the write lock at BEGIN, and on
PostgreSQL the row is locked with SELECT … FOR UPDATE. The write changes the value only, so a counter
expires when its window does (as Redis keeps a key's TTL on INCR), and culling removes only expired
counters: Django's would delete a share of the live ones, resetting limits for whoever floods the table.
At scale the counters live in Redis instead, whose INCR is atomic by itself.
"""

import base64
import pickle

from django.core.cache.backends.db import DatabaseCache
from django.db import connections, router, transaction
from django.utils import timezone


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
