"""SQLite FTS5: a virtual table of analysed tokens whose rowid is the document id."""

from __future__ import annotations

from collections.abc import Sequence

from django.db import connection

from .base import TITLE_WEIGHT, Backend, Filters

TABLE = "search_fts"


def _quoted(term: str) -> str:
    return '"' + term.replace('"', '""') + '"'


class SqliteBackend(Backend):
    def write(self, document_ids: Sequence[int]) -> None:
        if not document_ids:
            return
        with connection.cursor() as cursor:
            self.delete(document_ids)
            marks = ", ".join(["%s"] * len(document_ids))
            cursor.execute(
                f"INSERT INTO {TABLE}(rowid, title, body) "  # noqa: S608 - fixed table name, ids as parameters
                f"SELECT id, title_tokens, body_tokens FROM search_searchdocument WHERE id IN ({marks})",
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

    def search(
        self, terms: Sequence[str], idfs: Sequence[float], avgdl: float, filters: Filters, limit: int
    ) -> list[tuple[int, float]]:
        if not terms:
            return []
        where, params = filters.sql("d")
        match = " OR ".join(_quoted(term) for term in terms)
        sql = (
            f"SELECT d.id, bm25({TABLE}, %s, 1.0) AS rank FROM {TABLE} "  # noqa: S608 - filters are parameterised
            f"JOIN search_searchdocument d ON d.id = {TABLE}.rowid "
            f"WHERE {TABLE} MATCH %s AND {where} ORDER BY rank, d.id LIMIT %s"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, [TITLE_WEIGHT, match, *params, limit])
            return [(row[0], -row[1]) for row in cursor.fetchall()]

    def prefix_search(self, terms: Sequence[str], prefix: str, filters: Filters, limit: int) -> list[int]:
        parts = [f"title : {_quoted(term)}" for term in terms]
        if prefix:
            parts.append(f"title : {_quoted(prefix)} *")
        if not parts:
            return []
        where, params = filters.sql("d")
        sql = (
            f"SELECT d.id FROM {TABLE} JOIN search_searchdocument d ON d.id = {TABLE}.rowid "  # noqa: S608
            f"WHERE {TABLE} MATCH %s AND {where} ORDER BY bm25({TABLE}, %s, 1.0), d.boost DESC, d.id LIMIT %s"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, [" AND ".join(parts), *params, TITLE_WEIGHT, limit])
            return [row[0] for row in cursor.fetchall()]
