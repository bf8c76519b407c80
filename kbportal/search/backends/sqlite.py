"""SQLite: postings inserted in one executemany; an FTS5 table of title tokens (rowid = document id)."""

from __future__ import annotations

from collections.abc import Sequence

from django.db import connection

from .base import Backend, Filters

TABLE = "search_fts"


def _quoted(term: str) -> str:
    return '"' + term.replace('"', '""') + '"'


class SqliteBackend(Backend):
    def insert_postings(self, rows: Sequence[tuple[int, str, float, float]]) -> None:
        with connection.cursor() as cursor:
            cursor.executemany(
                "INSERT INTO search_searchposting (document_id, term, frequency, impact) VALUES (%s, %s, %s, %s)",
                list(rows),
            )

    def write(self, document_ids: Sequence[int]) -> None:
        if not document_ids:
            return
        with connection.cursor() as cursor:
            self.delete(document_ids)
            marks = ", ".join(["%s"] * len(document_ids))
            cursor.execute(
                f"INSERT INTO {TABLE}(rowid, title) "  # noqa: S608 - fixed table name, ids as parameters
                f"SELECT id, title_tokens FROM search_searchdocument WHERE id IN ({marks})",
                list(document_ids),
            )

    def delete(self, document_ids: Sequence[int]) -> None:
        if not document_ids:
            return
        with connection.cursor() as cursor:
            marks = ", ".join(["%s"] * len(document_ids))
            cursor.execute(f"DELETE FROM {TABLE} WHERE rowid IN ({marks})", list(document_ids))  # noqa: S608

    def clear(self) -> None:
        with connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {TABLE}")  # noqa: S608

    def prefix_search(self, terms: Sequence[str], prefix: str, filters: Filters, limit: int) -> list[int]:
        parts = [_quoted(term) for term in terms]
        if prefix:
            parts.append(f"{_quoted(prefix)} *")
        if not parts:
            return []
        where, params = filters.sql("d")
        sql = (
            f"SELECT d.id FROM {TABLE} JOIN search_searchdocument d ON d.id = {TABLE}.rowid "  # noqa: S608
            f"WHERE {TABLE} MATCH %s AND {where} ORDER BY bm25({TABLE}), d.boost DESC, d.id LIMIT %s"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, [" AND ".join(parts), *params, limit])
            return [row[0] for row in cursor.fetchall()]
