"""Ranked retrieval on either database: each term's postings best first, exact BM25F over the best documents.

Why not the full-text indexes alone: FTS5's bm25() and a GIN index both hand back *every*
document holding a query term, so a query with one common term ("set", the "2" of "4.2") scores
most of the corpus — p95 210 ms on SQLite and 4.1 s on PostgreSQL at 113,000 documents
(bench/README.md). Here each term's postings are read in impact order, at most
`POSTINGS_PER_TERM` of them; the `CANDIDATES` documents with the highest summed `idf · impact`
are then scored exactly with BM25F (title and body as fields, `backends/base.py`) and filtered.
When no term has more postings than that, the result is exact BM25F; beyond it, a document can only
be missed if none of its terms puts it among that term's best postings.

The SQL is the same on SQLite and PostgreSQL, so both databases return the same ranking.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence

from django.db import connection

from .backends.base import Averages, Filters, SqlParam, field_frequency, field_weights, saturation

# Measured at 113,000 documents (bench/README.md): 1,000 postings a term keep the first hit of
# exact BM25 for 185 of 194 benchmark queries at p95 18 ms (PostgreSQL) / 12 ms (SQLite).
POSTINGS_PER_TERM = 1000
CANDIDATES = 200
MAX_TERM_LENGTH = 100
TABLE = "search_searchposting"


Row = tuple[int, str, int, int, float]
MAX_COUNT = 32767  # a 2-byte column


def posting_rows(
    document_id: int, language: str, title_tokens: Sequence[str], body_tokens: Sequence[str], averages: Averages
) -> list[Row]:
    """(document id, term, count in the title, count in the body, impact) for every distinct term of a document."""
    counts: defaultdict[str, list[int]] = defaultdict(lambda: [0, 0])
    for token in title_tokens:
        counts[token[:MAX_TERM_LENGTH]][0] += 1
    for token in body_tokens:
        counts[token[:MAX_TERM_LENGTH]][1] += 1
    title_length, body_length = len(title_tokens), len(body_tokens)
    weights = field_weights(language)
    rows = []
    for term, (title, body) in counts.items():
        impact = saturation(field_frequency(title, body, title_length, body_length, averages, weights))
        rows.append((document_id, term, min(title, MAX_COUNT), min(body, MAX_COUNT), impact))
    return rows


def terms_of(document_ids: Sequence[int]) -> list[str]:
    """The terms of these documents, once per document holding each (what their removal takes off the counts)."""
    terms: list[str] = []
    with connection.cursor() as cursor:
        for start in range(0, len(document_ids), 500):
            chunk = list(document_ids[start : start + 500])
            marks = ", ".join(["%s"] * len(chunk))
            cursor.execute(f"SELECT term FROM {TABLE} WHERE document_id IN ({marks})", chunk)  # noqa: S608
            terms += [row[0] for row in cursor.fetchall()]
    return terms


def delete(document_ids: Sequence[int]) -> None:
    if not document_ids:
        return
    with connection.cursor() as cursor:
        for start in range(0, len(document_ids), 500):
            chunk = list(document_ids[start : start + 500])
            marks = ", ".join(["%s"] * len(chunk))
            cursor.execute(f"DELETE FROM {TABLE} WHERE document_id IN ({marks})", chunk)  # noqa: S608


def ranked(
    terms: Sequence[str],
    idfs: Sequence[float],
    averages: Averages,
    filters: Filters,
    limit: int,
    *,
    shared: bool = False,
) -> list[tuple[int, float]]:
    """(document id, BM25 score) best first, at most `limit`, every one passing the filters.

    The first pass walks the postings alone. If the filters then leave fewer than `limit` of its
    candidates, a second pass walks only the postings of documents that pass them. While another
    generation's postings share the table (`shared`: a rebuild runs), the first pass is that second one,
    so the other generation's documents take no place among the candidates.
    """
    weights = _term_weights(terms, idfs)
    if not weights:
        return []
    keep = max(CANDIDATES, limit)
    candidates = _candidates(weights, keep, filters=filters if shared else None)
    scored = _exact_scores(candidates, weights, averages, filters)
    if len(scored) < limit and len(scored) < len(candidates):
        scored = _exact_scores(_candidates(weights, keep, filters=filters), weights, averages, filters)
    return scored[:limit]


def _term_weights(terms: Sequence[str], idfs: Sequence[float]) -> dict[str, float]:
    weights: dict[str, float] = {}
    for term, weight in zip(terms, idfs, strict=True):
        weights.setdefault(term[:MAX_TERM_LENGTH], weight)
    return weights


def _candidates(weights: dict[str, float], keep: int, filters: Filters | None) -> list[int]:
    """The `keep` documents with the highest `idf · impact` summed over each term's best postings."""
    join, where = "", ""
    filter_params: list[SqlParam] = []
    if filters is not None:
        clause, filter_params = filters.sql("d")
        join, where = "JOIN search_searchdocument d ON d.id = p.document_id", f" AND {clause}"
    walks, params = [], []
    for number, (term, weight) in enumerate(weights.items()):
        walks.append(
            f"SELECT * FROM (SELECT p.document_id, p.impact * %s AS w FROM {TABLE} p {join} "  # noqa: S608
            f"WHERE p.term = %s{where} ORDER BY p.impact DESC, p.document_id LIMIT %s) AS walk{number}"
        )
        params += [weight, term, *filter_params, POSTINGS_PER_TERM]
    sql = (
        f"SELECT document_id, SUM(w) AS total FROM ({' UNION ALL '.join(walks)}) AS walks "  # noqa: S608
        "GROUP BY document_id ORDER BY total DESC, document_id LIMIT %s"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, keep])
        return [row[0] for row in cursor.fetchall()]


def _exact_scores(
    document_ids: Sequence[int], weights: dict[str, float], averages: Averages, filters: Filters
) -> list[tuple[int, float]]:
    """Exact BM25F of the documents that pass the filters, best first (ties by id)."""
    if not document_ids:
        return []
    clause, filter_params = filters.sql("d")
    marks = ", ".join(["%s"] * len(document_ids))
    sql = (
        "SELECT p.document_id, p.term, p.title_count, p.body_count, d.title_length, d.length, d.language "  # noqa: S608
        f"FROM {TABLE} p "
        "JOIN search_searchdocument d ON d.id = p.document_id "
        f"WHERE p.document_id IN ({marks}) AND d.id IN ({marks}) "
        f"AND p.term IN ({', '.join(['%s'] * len(weights))}) AND {clause}"
    )
    # The ids twice: PostgreSQL then reads the few documents by key, however stale its statistics (right after
    # a bulk load it would otherwise scan the documents to hash-join them).
    with connection.cursor() as cursor:
        cursor.execute(sql, [*document_ids, *document_ids, *weights, *filter_params])
        rows = cursor.fetchall()
    return _bm25f(rows, weights, averages)


def _bm25f(
    rows: Iterable[tuple[int, str, int, int, int, int, str]], weights: dict[str, float], averages: Averages
) -> list[tuple[int, float]]:
    scores: dict[int, float] = {}
    for document_id, term, title, body, title_length, length, language in rows:
        fields = field_weights(language)
        frequency = field_frequency(title, body, title_length, length - title_length, averages, fields)
        scores[document_id] = scores.get(document_id, 0.0) + weights[term] * saturation(frequency)
    return sorted(scores.items(), key=lambda pair: (-pair[1], pair[0]))
