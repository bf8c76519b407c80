"""The search service every page and API calls: query analysis, ranked retrieval, re-ranking, snippets."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TypedDict

from django.db import connection
from django.utils import timezone
from django.utils.safestring import SafeString
from rapidfuzz import fuzz, process

from . import postings, statistics
from .analysis import Analyzer, is_cjk
from .analyzers import current_analyzer, vocabulary_version
from .backends import Filters, get_backend
from .backends.base import idf
from .models import SearchDocument
from .registry import source
from .snippets import Highlighter

MAX_LIMIT = 100
# As-you-type suggestions start once this much is typed (a CJK character carries about a word). The endpoints
# check it and the pages hand it to their script (kbportal/search/templatetags/search_tags.py).
SUGGEST_MIN_CHARS = 3
SUGGEST_MIN_CHARS_CJK = 2
# A query's first 64 terms count: a 500-character Chinese paste gives some 290 (jieba words plus
# characters), each a walk of the postings.
MAX_QUERY_TERMS = 64
# Small, tunable nudges on top of BM25: helpful items rise a little, fresh ones a little.
HELPFULNESS_WEIGHT = 0.10
FRESHNESS_WEIGHT = 0.05
FRESHNESS_DAYS = 365
# More candidates than shown, so the signals and the language preference can reorder them.
CANDIDATE_FACTOR = 3


@dataclass(frozen=True)
class Hit:
    kind: str
    label: str
    object_id: int
    external_id: str
    title: str
    url: str
    snippet: SafeString
    score: float
    language: str


@dataclass
class SearchResults:
    query: str
    hits: list[Hit] = field(default_factory=list)
    suggestion: str = ""
    terms: list[str] = field(default_factory=list)


def _idfs(generation: int, terms: list[str], document_count: int) -> list[float]:
    counts = statistics.document_frequencies(generation, terms)
    return [idf(document_count, counts.get(term, 0)) for term in terms]


def _signal(boost: float, updated_at: datetime | None, now: datetime) -> float:
    age_days = max((now - updated_at).days, 0) if updated_at else FRESHNESS_DAYS
    freshness = max(0.0, 1 - age_days / FRESHNESS_DAYS)
    return 1 + HELPFULNESS_WEIGHT * boost + FRESHNESS_WEIGHT * freshness


def search(
    query: str,
    *,
    kinds: list[str] | None = None,
    language: str | None = None,
    preferred_language: str | None = None,
    category_ids: list[int] | None = None,
    product_version: str | None = None,
    limit: int = 20,
) -> SearchResults:
    """Ranked hits for a query: BM25 from the postings, nudged by helpfulness and freshness.

    With a preferred language and no language filter, hits in that language come first.
    """
    analyzer = current_analyzer()
    limit = max(1, min(limit, MAX_LIMIT))
    terms = analyzer.query_tokens(query)[:MAX_QUERY_TERMS]
    results = SearchResults(query=query, terms=terms)
    if terms:
        now = timezone.now()
        index = statistics.state()
        filters = Filters(
            now=now, generation=index.live, kinds=kinds or (), language=language, category_ids=category_ids or (),
            product_version=product_version,
        )  # fmt: skip
        idfs = _idfs(index.live, terms, index.documents)
        shared = index.building is not None
        scored = postings.ranked(terms, idfs, index.averages, filters, limit * CANDIDATE_FACTOR, shared=shared)
        results.hits = _rank(scored, query, terms, analyzer, now, preferred_language, limit)
    results.suggestion = did_you_mean(query, analyzer=analyzer)
    return results


# What ranking reads of every candidate, and what a shown hit reads besides (its text for the snippet).
_RANKING_COLUMNS = ("id", "boost", "updated_at", "language")
_SHOWN_COLUMNS = ("id", "kind", "object_id", "external_id", "title", "url", "language", "body")


def _document_rows(columns: tuple[str, ...], ids: list[int]) -> list[tuple[Any, ...]]:
    """These columns of these documents, in plain SQL as the postings are read: for a few dozen ids the ORM's
    query building and per-row conversion (SQLite's datetimes above all) cost several times the rows."""
    if not ids:
        return []
    marks = ", ".join(["%s"] * len(ids))
    sql = f"SELECT {', '.join(columns)} FROM {SearchDocument._meta.db_table} WHERE id IN ({marks})"  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(sql, ids)
        rows: list[tuple[Any, ...]] = cursor.fetchall()
    return rows


def _aware(value: datetime | str) -> datetime:
    """A datetime column as the ORM gives it: SQLite hands back its text, naive, in the connection's zone."""
    moment = value if isinstance(value, datetime) else datetime.fromisoformat(value)
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=connection.timezone)


def _rank(
    scored: list[tuple[int, float]],
    query: str,
    terms: list[str],
    analyzer: Analyzer,
    now: datetime,
    preferred_language: str | None,
    limit: int,
) -> list[Hit]:
    """The candidates reordered by their signals; only the `limit` shown are read whole, in a second query."""
    if not scored:
        return []
    signals = {
        pk: (boost, _aware(updated_at), document_language)
        for pk, boost, updated_at, document_language in _document_rows(_RANKING_COLUMNS, [pk for pk, _score in scored])
    }
    ranked = sorted(
        (
            (pk, score * _signal(signals[pk][0], signals[pk][1], now), signals[pk][2])
            for pk, score in scored
            if pk in signals
        ),
        key=lambda entry: (-entry[1], entry[0]),
    )
    if preferred_language:
        ranked.sort(key=lambda entry: entry[2] != preferred_language)  # stable: keeps score order
    shown = ranked[:limit]
    return _hits([(pk, score) for pk, score, _language in shown], query, terms, analyzer)


def _hits(ordered: list[tuple[int, float]], query: str, terms: list[str], analyzer: Analyzer) -> list[Hit]:
    """Hits for these documents in this order: one query for what they show, one highlighter for all."""
    if not ordered:
        return []
    rows = _shown_rows([pk for pk, _score in ordered])
    highlighter = Highlighter(query, terms, analyzer)
    labels: dict[str, str] = {}
    return [_hit(rows[pk], score, highlighter, labels) for pk, score in ordered if pk in rows]


def _shown_rows(ids: list[int]) -> dict[int, dict[str, Any]]:
    return {row[0]: dict(zip(_SHOWN_COLUMNS, row, strict=True)) for row in _document_rows(_SHOWN_COLUMNS, ids)}


def _hit(row: dict[str, Any], score: float, highlighter: Highlighter, labels: dict[str, str]) -> Hit:
    kind: str = row["kind"]
    label = labels.get(kind)
    if label is None:  # once per kind and search: the reader's language is the same for every hit
        label = labels[kind] = str(source(kind).label()) if _known(kind) else kind
    return Hit(
        kind=kind,
        label=label,
        object_id=row["object_id"],
        external_id=row["external_id"],
        title=row["title"],
        url=row["url"],
        snippet=highlighter.snippet(row["body"]),
        score=round(score, 4),
        language=row["language"],
    )


def _known(kind: str) -> bool:
    try:
        source(kind)
    except KeyError:
        return False
    return True


# --- Did you mean, and suggestions as you type ----------------------------------------------------

# Each process keeps the vocabulary it read. Once it is this old the process asks the cache whether the index's
# words changed since (`analyzers.vocabulary_changed`, after each index update) and reads them again only then,
# so a quiet index is never read twice and a busy one at most once per this period per process.
_VOCABULARY_TTL = 300.0
# However unchanged the cache says it is, read again this often: a change whose signal the cache lost (Redis
# down or restarted empty at that moment) or that no one signalled (a bulk import) reaches every process.
_VOCABULARY_MAX_AGE = 3600.0


class _Vocabulary(TypedDict):
    loaded: float  # when read from the database (monotonic); 0: never
    checked: float  # when last found current
    version: str | None  # the cache's vocabulary version at the time it was read
    words: set[str]
    choices: list[str]


_vocabulary: _Vocabulary = {"loaded": 0.0, "checked": 0.0, "version": None, "words": set(), "choices": []}


def _words() -> tuple[set[str], list[str]]:
    now = time.monotonic()
    if not _vocabulary["choices"] or now - _vocabulary["loaded"] > _VOCABULARY_MAX_AGE:
        _load_vocabulary(vocabulary_version())  # the version first: a change during the read is seen later
    elif now - _vocabulary["checked"] > _VOCABULARY_TTL:
        version = vocabulary_version()
        if version is not None and version != _vocabulary["version"]:
            _load_vocabulary(version)
        else:  # unchanged, or the cache does not know (never changed, or unreachable): keep what we have
            _vocabulary["checked"] = now
    return _vocabulary["words"], _vocabulary["choices"]


def _load_vocabulary(version: str | None) -> None:
    """Read the index's words; `version` is the cache's vocabulary version read just before (None: unknown)."""
    counts = statistics.word_counts(statistics.state().live)
    # In a large index suggest only words used more than once, so a typo in one page is never offered.
    least = 2 if len(counts) > 5000 else 1
    common = sorted((w for w, n in counts.items() if n >= least), key=lambda w: (-counts[w], w))[:200_000]
    loaded = time.monotonic()
    _vocabulary.update({"loaded": loaded, "checked": loaded, "version": version, "words": set(counts)})
    _vocabulary["choices"] = common


def forget_vocabulary() -> None:
    _vocabulary.update({"loaded": 0.0, "checked": 0.0, "version": None, "words": set(), "choices": []})


def did_you_mean(query: str, *, analyzer: Analyzer | None = None) -> str:
    """The query with words the index never uses replaced by close, common ones; "" when nothing changes."""
    analyzer = analyzer or current_analyzer()
    known, choices = _words()
    typed = analyzer.surface_terms(query)
    unknown = {w for w in typed if w not in known and len(w) >= 3 and w.isascii() and w.isalpha()}
    if not unknown or not choices:
        return ""
    corrected = []
    for word in typed:
        match = process.extractOne(word, choices, scorer=fuzz.ratio, score_cutoff=75) if word in unknown else None
        corrected.append(match[0] if match else word)
    return " ".join(corrected) if corrected != typed else ""


def long_enough_to_suggest(text: str) -> bool:
    text = text.strip()
    return len(text) >= (SUGGEST_MIN_CHARS_CJK if any(is_cjk(char) for char in text) else SUGGEST_MIN_CHARS)


def suggest(query: str, *, preferred_language: str | None = None, limit: int = 8) -> list[Hit]:
    """Titles matching what has been typed so far (the last word as a prefix)."""
    analyzer = current_analyzer()
    tokens = analyzer.suggestion_prefix(query)
    if not tokens:
        return []
    *complete, prefix = tokens
    filters = Filters(now=timezone.now())
    ids = get_backend().prefix_search(complete, prefix, filters, limit * 2)
    # Twice the limit of short rows in one query, as before: cheaper here than a second round trip.
    rows = _shown_rows(ids)
    ordered = [pk for pk in ids if pk in rows]
    if preferred_language:
        ordered.sort(key=lambda pk: rows[pk]["language"] != preferred_language)
    highlighter = Highlighter(query, analyzer.query_tokens(query), analyzer)
    labels: dict[str, str] = {}
    return [_hit(rows[pk], 0.0, highlighter, labels) for pk in ordered[:limit]]
