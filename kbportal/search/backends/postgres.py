"""PostgreSQL: a tsvector of the analysed tokens (title weighted A, body D) with a GIN index.

The GIN index finds the documents holding any query term; BM25 is then computed in
SQL from the term counts in each tsvector, exactly as FTS5 computes it on SQLite.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.db import connection

from .base import K1, TITLE_WEIGHT, B, Backend, Filters

# tsvector keeps at most 256 positions per lexeme and positions up to 16383.
_MAX_POSITION = 16383


def _lexeme(term: str) -> str:
    return "'" + term.replace("\\", "\\\\").replace("'", "''") + "'"


def tsvector_literal(title_tokens: str, body_tokens: str) -> str:
    """A tsvector in its text form: every token with its positions, title ones weighted A."""
    positions: dict[str, list[str]] = {}
    position = 0
    for weight, text in (("A", title_tokens), ("D", body_tokens)):
        for token in text.split():
            position = min(position + 1, _MAX_POSITION)
            positions.setdefault(token, []).append(f"{position}{weight}")
    return " ".join(f"{_lexeme(token)}:{','.join(spots[:256])}" for token, spots in positions.items())


def _tsquery(terms: Sequence[str], operator: str = "|") -> str:
    return f" {operator} ".join(_lexeme(term) for term in terms)


class PostgresBackend(Backend):
    def write(self, document_ids: Sequence[int]) -> None:
        if not document_ids:
            return
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT id, title_tokens, body_tokens FROM search_searchdocument WHERE id = ANY(%s)",
                [list(document_ids)],
            )
            rows = [(tsvector_literal(title, body), pk) for pk, title, body in cursor.fetchall()]
            cursor.executemany("UPDATE search_searchdocument SET vector = %s::tsvector WHERE id = %s", rows)

    def delete(self, document_ids: Sequence[int]) -> None:
        """The vector lives on the document row, which the caller deletes."""

    def clear(self) -> None:
        """Nothing beside the document rows."""

    def search(
        self, terms: Sequence[str], idfs: Sequence[float], avgdl: float, filters: Filters, limit: int
    ) -> list[tuple[int, float]]:
        if not terms:
            return []
        where, params = filters.sql("d")
        sql = f"""
            SELECT d.id,
                   SUM(t.idf * (f.tf * %s) / (f.tf + %s * (1 - %s + %s * d.length / %s))) AS score
            FROM search_searchdocument d
            CROSS JOIN LATERAL unnest(d.vector) AS u(lexeme, positions, weights)
            JOIN unnest(%s::text[], %s::float8[]) AS t(term, idf) ON t.term = u.lexeme
            CROSS JOIN LATERAL (
                SELECT SUM(CASE WHEN w = 'A' THEN %s ELSE 1.0 END) AS tf FROM unnest(u.weights) AS w
            ) f
            WHERE d.vector @@ %s::tsquery AND {where}
            GROUP BY d.id
            ORDER BY score DESC, d.id
            LIMIT %s
        """  # noqa: S608 - the filter clause is built from fixed SQL with parameters
        with connection.cursor() as cursor:
            cursor.execute(
                sql,
                [K1 + 1, K1, B, B, max(avgdl, 1.0), list(terms), list(idfs), TITLE_WEIGHT, _tsquery(terms),
                 *params, limit],
            )  # fmt: skip
            return [(row[0], float(row[1])) for row in cursor.fetchall()]

    def prefix_search(self, terms: Sequence[str], prefix: str, filters: Filters, limit: int) -> list[int]:
        parts = [f"{_lexeme(term)}:A" for term in terms]
        if prefix:
            parts.append(f"{_lexeme(prefix)}:*A")
        if not parts:
            return []
        where, params = filters.sql("d")
        sql = (
            "SELECT d.id FROM search_searchdocument d WHERE d.vector @@ %s::tsquery AND "  # noqa: S608
            f"{where} ORDER BY ts_rank(d.vector, %s::tsquery) DESC, d.boost DESC, d.id LIMIT %s"
        )
        query = " & ".join(parts)
        with connection.cursor() as cursor:
            cursor.execute(sql, [query, *params, query, limit])
            return [row[0] for row in cursor.fetchall()]
