"""PostgreSQL: postings copied in with COPY; a tsvector of the title tokens with a GIN index."""

from __future__ import annotations

from collections.abc import Sequence

from django.db import connection

from .base import Backend, Filters

# tsvector keeps at most 256 positions per lexeme and positions up to 16383.
_MAX_POSITION = 16383


def _lexeme(term: str) -> str:
    return "'" + term.replace("\\", "\\\\").replace("'", "''") + "'"


def tsvector_literal(tokens: str) -> str:
    """A tsvector in its text form: every token with its positions."""
    positions: dict[str, list[str]] = {}
    for position, token in enumerate(tokens.split(), start=1):
        positions.setdefault(token, []).append(str(min(position, _MAX_POSITION)))
    return " ".join(f"{_lexeme(token)}:{','.join(spots[:256])}" for token, spots in positions.items())


class PostgresBackend(Backend):
    def insert_postings(self, rows: Sequence[tuple[int, str, float, float]]) -> None:
        with connection.cursor() as cursor:
            raw = cursor.cursor  # psycopg's own cursor: COPY is several times faster than INSERTs
            with raw.copy("COPY search_searchposting (document_id, term, frequency, impact) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)

    def write(self, document_ids: Sequence[int]) -> None:
        if not document_ids:
            return
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT id, title_tokens FROM search_searchdocument WHERE id = ANY(%s)", [list(document_ids)]
            )
            rows = [(tsvector_literal(title), pk) for pk, title in cursor.fetchall()]
            cursor.executemany("UPDATE search_searchdocument SET title_vector = %s::tsvector WHERE id = %s", rows)

    def delete(self, document_ids: Sequence[int]) -> None:
        """The vector lives on the document row, which the caller deletes."""

    def clear(self) -> None:
        """Nothing beside the document rows."""

    def prefix_search(self, terms: Sequence[str], prefix: str, filters: Filters, limit: int) -> list[int]:
        parts = [_lexeme(term) for term in terms]
        if prefix:
            parts.append(f"{_lexeme(prefix)}:*")
        if not parts:
            return []
        where, params = filters.sql("d")
        sql = (
            "SELECT d.id FROM search_searchdocument d WHERE d.title_vector @@ %s::tsquery AND "  # noqa: S608
            f"{where} ORDER BY ts_rank(d.title_vector, %s::tsquery) DESC, d.boost DESC, d.id LIMIT %s"
        )
        query = " & ".join(parts)
        with connection.cursor() as cursor:
            cursor.execute(sql, [query, *params, query, limit])
            return [row[0] for row in cursor.fetchall()]
