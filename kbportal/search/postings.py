"""Ranked retrieval on either database: each term's postings best first, exact BM25 over the best documents.

Why not the full-text indexes alone: FTS5's bm25() and a GIN index both hand back *every*
document holding a query term, so a query with one common term ("set", the "2" of "4.2") scores
most of the corpus — p95 210 ms on SQLite and 4.1 s on PostgreSQL at 113,000 documents
(bench/README.md). Here each term's postings are read in impact order, at most
`POSTINGS_PER_TERM` of them; the `CANDIDATES` documents with the highest summed `idf · impact`
are then scored exactly, with the same BM25 as FTS5's bm25() (k1 1.2, b 0.75, title tokens
counted `TITLE_WEIGHT` times), and filtered. When no term has more postings than that, the
result is exact BM25; beyond it, a document can only be missed if none of its terms puts it among
that term's best postings.

The SQL is the same on SQLite and PostgreSQL, so both databases return the same ranking.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence

from django.db import connection

from .backends.base import K1, TITLE_WEIGHT, B, Filters, SqlParam

# Measured at 113,000 documents (bench/README.md): 1,000 postings a term keep the first hit of
# exact BM25 for 185 of 194 benchmark queries at p95 18 ms (PostgreSQL) / 12 ms (SQLite).
POSTINGS_PER_TERM = 1000
CANDIDATES = 200
MAX_TERM_LENGTH = 100
TABLE = "search_searchposting"


def saturation(frequency: float, length: int, avgdl: float) -> float:
    """BM25's term-frequency part: how much `frequency` occurrences count in a document this long."""
    return frequency * (K1 + 1) / (frequency + K1 * (1 - B + B * length / max(avgdl, 1.0)))


Row = tuple[int, str, float, float]


def posting_rows(
    document_id: int, title_tokens: Sequence[str], body_tokens: Sequence[str], length: int, avgdl: float
) -> list[Row]:
    """(document id, term, weighted frequency, impact) for every distinct term of a document."""
    frequencies: defaultdict[str, float] = defaultdict(float)
    for token in title_tokens:
        frequencies[token[:MAX_TERM_LENGTH]] += TITLE_WEIGHT
    for token in body_tokens:
        frequencies[token[:MAX_TERM_LENGTH]] += 1.0
    norm = K1 * (1 - B + B * length / max(avgdl, 1.0))
    return [(document_id, term, tf, tf * (K1 + 1) / (tf + norm)) for term, tf in frequencies.items()]


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
    avgdl: float,
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
    scored = _exact_scores(candidates, weights, avgdl, filters)
    if len(scored) < limit and len(scored) < len(candidates):
        scored = _exact_scores(_candidates(weights, keep, filters=filters), weights, avgdl, filters)
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
    document_ids: Sequence[int], weights: dict[str, float], avgdl: float, filters: Filters
) -> list[tuple[int, float]]:
    """Exact BM25 of the documents that pass the filters, best first (ties by id)."""
    if not document_ids:
        return []
    clause, filter_params = filters.sql("d")
    marks = ", ".join(["%s"] * len(document_ids))
    sql = (
        f"SELECT p.document_id, p.term, p.frequency, d.length FROM {TABLE} p "  # noqa: S608
        "JOIN search_searchdocument d ON d.id = p.document_id "
        f"WHERE p.document_id IN ({marks}) AND d.id IN ({marks}) "
        f"AND p.term IN ({', '.join(['%s'] * len(weights))}) AND {clause}"
    )
    # The ids twice: PostgreSQL then reads the few documents by key, however stale its statistics (right after
    # a bulk load it would otherwise scan the documents to hash-join them).
    with connection.cursor() as cursor:
        cursor.execute(sql, [*document_ids, *document_ids, *weights, *filter_params])
        rows = cursor.fetchall()
    return _bm25(rows, weights, avgdl)


def _bm25(
    rows: Iterable[tuple[int, str, float, int]], weights: dict[str, float], avgdl: float
) -> list[tuple[int, float]]:
    scores: dict[int, float] = {}
    for document_id, term, frequency, length in rows:
        scores[document_id] = scores.get(document_id, 0.0) + weights[term] * saturation(frequency, length, avgdl)
    return sorted(scores.items(), key=lambda pair: (-pair[1], pair[0]))
