"""The two full-text backends, chosen by the database in use: SQLite FTS5 or PostgreSQL tsvector + GIN.

Both score with the same BM25 (k1 1.2, b 0.75, title tokens weighted), so a
query ranks the same documents the same way whichever database runs it.
"""

from django.db import connection

from .base import Backend, Filters


def get_backend() -> Backend:
    if connection.vendor == "postgresql":
        from .postgres import PostgresBackend

        return PostgresBackend()
    from .sqlite import SqliteBackend

    return SqliteBackend()


__all__ = ["Backend", "Filters", "get_backend"]
