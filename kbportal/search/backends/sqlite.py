"""SQLite: postings inserted in one executemany, in key order; an FTS5 table of title tokens (rowid = document id)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from django.db import connection

from .base import Backend, Filters

TABLE = "search_fts"


def _quoted(term: str) -> str:
    return '"' + term.replace('"', '""') + '"'


class SqliteBackend(Backend):
    def insert_postings(self, rows: Sequence[tuple[int, str, int, int, float]]) -> None:
        with connection.cursor() as cursor:
            cursor.executemany(
                "INSERT INTO search_searchposting (document_id, term, title_count, body_count, impact) "
                "VALUES (%s, %s, %s, %s, %s)",
                sorted(rows),  # in the WITHOUT ROWID table's key order: appends, not page splits
            )

    def write(self, titles: Mapping[int, Sequence[str]]) -> None:
        if not titles:
            return
        self.delete(list(titles))
        with connection.cursor() as cursor:
            cursor.executemany(
                f"INSERT INTO {TABLE}(rowid, title) VALUES (%s, %s)",  # noqa: S608 - fixed table name
                [(pk, " ".join(tokens)) for pk, tokens in titles.items()],
            )

    def delete(self, document_ids: Sequence[int]) -> None:
        if not document_ids:
            return
        with connection.cursor() as cursor:
            marks = ", ".join(["%s"] * len(document_ids))
            cursor.execute(f"DELETE FROM {TABLE} WHERE rowid IN ({marks})", list(document_ids))  # noqa: S608

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
