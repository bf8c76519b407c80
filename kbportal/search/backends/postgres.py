"""PostgreSQL: postings copied in with COPY; a tsvector of the title tokens with a GIN index."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from django.db import connection

from .base import Backend, Filters

# tsvector keeps at most 256 positions per lexeme and positions up to 16383.
_MAX_POSITION = 16383


def _lexeme(term: str) -> str:
    return "'" + term.replace("\\", "\\\\").replace("'", "''") + "'"


def tsvector_literal(tokens: Sequence[str]) -> str:
    """A tsvector in its text form: every token with its positions."""
    positions: dict[str, list[str]] = {}
    for position, token in enumerate(tokens, start=1):
        positions.setdefault(token, []).append(str(min(position, _MAX_POSITION)))
    return " ".join(f"{_lexeme(token)}:{','.join(spots[:256])}" for token, spots in positions.items())


class PostgresBackend(Backend):
    def insert_postings(self, rows: Sequence[tuple[int, str, int, int, float]]) -> None:
        with connection.cursor() as cursor:
            raw = cursor.cursor  # psycopg's own cursor: COPY is several times faster than INSERTs
            with raw.copy(
                "COPY search_searchposting (document_id, term, title_count, body_count, impact) FROM STDIN"
            ) as copy:
                for row in rows:
                    copy.write_row(row)

    def write(self, titles: Mapping[int, Sequence[str]]) -> None:
        if not titles:
            return
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE search_searchdocument d SET title_vector = v.vector::tsvector "
                "FROM unnest(%s::bigint[], %s::text[]) AS v(id, vector) WHERE d.id = v.id",
                [list(titles), [tsvector_literal(tokens) for tokens in titles.values()]],
            )

    def delete(self, document_ids: Sequence[int]) -> None:
        """The vector lives on the document row, which the caller deletes."""

    def compact_postings(self) -> None:
        """Rebuild the postings' B-trees, packed (inserts in term order split pages half full), without locking
        out searches or updates. Outside a transaction only, as PostgreSQL requires (a management command)."""
        if connection.in_atomic_block:
            return
        with connection.cursor() as cursor:
            cursor.execute("REINDEX TABLE CONCURRENTLY search_searchposting")

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
