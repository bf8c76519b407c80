"""The search service every page and API calls: query analysis, ranked retrieval, re-ranking, snippets."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import datetime
from typing import TypedDict

from django.utils import timezone
from django.utils.safestring import SafeString
from rapidfuzz import fuzz, process

from . import postings
from .analysis import Analyzer, is_cjk
from .analyzers import current_analyzer
from .backends import Filters, get_backend
from .backends.base import idf
from .models import SearchDocument, SearchStats, SearchTerm, SearchWord
from .registry import source
from .snippets import snippet

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


def _stats() -> tuple[int, float]:
    stats = SearchStats.objects.filter(pk=1).first()
    if stats is None or not stats.document_count:
        return 0, 1.0
    return stats.document_count, stats.token_count / stats.document_count


def _idfs(terms: list[str], document_count: int) -> list[float]:
    counts = dict(SearchTerm.objects.filter(term__in=terms).values_list("term", "document_count"))
    return [idf(document_count, counts.get(term, 0)) for term in terms]


def _signal(document: SearchDocument, now: datetime) -> float:
    age_days = max((now - document.updated_at).days, 0) if document.updated_at else FRESHNESS_DAYS
    freshness = max(0.0, 1 - age_days / FRESHNESS_DAYS)
    return 1 + HELPFULNESS_WEIGHT * document.boost + FRESHNESS_WEIGHT * freshness


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
        document_count, avgdl = _stats()
        filters = Filters(
            now=now, kinds=kinds or (), language=language, category_ids=category_ids or (),
            product_version=product_version,
        )  # fmt: skip
        scored = postings.ranked(terms, _idfs(terms, document_count), avgdl, filters, limit * CANDIDATE_FACTOR)
        results.hits = _rank(scored, query, terms, analyzer, now, preferred_language, limit)
    results.suggestion = did_you_mean(query)
    return results


def _rank(
    scored: list[tuple[int, float]],
    query: str,
    terms: list[str],
    analyzer: Analyzer,
    now: datetime,
    preferred_language: str | None,
    limit: int,
) -> list[Hit]:
    documents = SearchDocument.objects.in_bulk([pk for pk, _score in scored])
    ranked = sorted(
        ((documents[pk], score * _signal(documents[pk], now)) for pk, score in scored if pk in documents),
        key=lambda pair: (-pair[1], pair[0].pk),
    )
    if preferred_language:
        ranked.sort(key=lambda pair: pair[0].language != preferred_language)  # stable: keeps score order
    return [_hit(document, score, query, terms, analyzer) for document, score in ranked[:limit]]


def _hit(document: SearchDocument, score: float, query: str, terms: list[str], analyzer: Analyzer) -> Hit:
    return Hit(
        kind=document.kind,
        label=str(source(document.kind).label()) if _known(document.kind) else document.kind,
        object_id=document.object_id,
        external_id=document.external_id,
        title=document.title,
        url=document.url,
        snippet=snippet(document.body, query=query, query_terms=terms, analyzer=analyzer),
        score=round(score, 4),
        language=document.language,
    )


def _known(kind: str) -> bool:
    try:
        source(kind)
    except KeyError:
        return False
    return True


# --- Did you mean, and suggestions as you type ----------------------------------------------------

_VOCABULARY_TTL = 300.0


class _Vocabulary(TypedDict):
    loaded: float
    words: set[str]
    choices: list[str]


_vocabulary: _Vocabulary = {"loaded": 0.0, "words": set(), "choices": []}


def _words() -> tuple[set[str], list[str]]:
    if time.monotonic() - _vocabulary["loaded"] > _VOCABULARY_TTL or not _vocabulary["choices"]:
        counts = dict(SearchWord.objects.filter(document_count__gt=0).values_list("word", "document_count"))
        # In a large index suggest only words used more than once, so a typo in one page is never offered.
        least = 2 if len(counts) > 5000 else 1
        common = sorted((w for w, n in counts.items() if n >= least), key=lambda w: (-counts[w], w))[:200_000]
        _vocabulary.update({"loaded": time.monotonic(), "words": set(counts), "choices": common})
    return _vocabulary["words"], _vocabulary["choices"]


def forget_vocabulary() -> None:
    _vocabulary.update({"loaded": 0.0, "words": set(), "choices": []})


def did_you_mean(query: str) -> str:
    """The query with words the index never uses replaced by close, common ones; "" when nothing changes."""
    analyzer = current_analyzer()
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
    documents = SearchDocument.objects.in_bulk(ids)
    ordered = [documents[pk] for pk in ids if pk in documents]
    if preferred_language:
        ordered.sort(key=lambda document: document.language != preferred_language)
    terms = analyzer.query_tokens(query)
    return [_hit(document, 0.0, query, terms, analyzer) for document in ordered[:limit]]
