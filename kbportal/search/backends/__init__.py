"""The per-database parts of the index: bulk writes of postings, and the titles' full-text structure.

SQLite keeps titles in an FTS5 table, PostgreSQL in a tsvector with a GIN index; both match a
word by its beginning for suggestions as you type. Ranked search is the same SQL on both
(`kbportal/search/postings.py`).
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
