from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

# BM25F over two fields, title and body, each normalised by its own length against its own average, then
# saturated once: tf = w·tf_title / (1 − b_t + b_t·len_t/avg_t) + tf_body / (1 − b_b + b_b·len_b/avg_b),
# score = Σ idf · tf·(k1 + 1) / (tf + k1), with FTS5's idf. The weights depend on the document's language,
# chosen on the development sets in memory (bench/ranking_experiments.py; README, "Search"): in English a
# title that matches most of the query is no longer diluted by the length of a body that repeats one query
# word; in Chinese a heavier title lost (bq-zh -1.2 nDCG@10 at ×2), so it stays as heavy as the body.
K1 = 1.2
MIN_IDF = 1e-6


@dataclass(frozen=True)
class FieldWeights:
    title: float
    title_b: float
    body_b: float


DEFAULT_FIELD_WEIGHTS = FieldWeights(title=2.5, title_b=0.5, body_b=0.75)
FIELD_WEIGHTS_BY_LANGUAGE = {"zh-hans": FieldWeights(title=1.0, title_b=0.75, body_b=0.75)}


def field_weights(language: str) -> FieldWeights:
    return FIELD_WEIGHTS_BY_LANGUAGE.get(language, DEFAULT_FIELD_WEIGHTS)


@dataclass(frozen=True)
class Averages:
    """A generation's average title and body lengths, in tokens."""

    title: float
    body: float


def field_frequency(
    title_count: int,
    body_count: int,
    title_length: int,
    body_length: int,
    averages: Averages,
    weights: FieldWeights = DEFAULT_FIELD_WEIGHTS,
) -> float:
    """BM25F's pseudo-frequency of a term in a document: its counts in each field, each length-normalised."""
    frequency = 0.0
    if title_count:
        norm = 1 - weights.title_b + weights.title_b * title_length / max(averages.title, 1.0)
        frequency += weights.title * title_count / norm
    if body_count:
        frequency += body_count / (1 - weights.body_b + weights.body_b * body_length / max(averages.body, 1.0))
    return frequency


def saturation(frequency: float) -> float:
    """How much a pseudo-frequency counts: rises with it, never past k1 + 1."""
    return frequency * (K1 + 1) / (frequency + K1)


# What the filters' SQL takes as parameters.
SqlParam = int | float | str | datetime | None


def idf(document_count: int, matching: int) -> float:
    """FTS5's inverse document frequency: log((N - n + 0.5) / (n + 0.5)), never below a tiny positive."""
    value = math.log((document_count - matching + 0.5) / (matching + 0.5)) if document_count else MIN_IDF
    return value if value > 0 else MIN_IDF


_LIVE_GENERATION = "COALESCE((SELECT number FROM search_searchgeneration WHERE state = 'live'), 1)"


@dataclass(frozen=True)
class Filters:
    """Restrictions every search applies in SQL: the live generation, kinds, language, category, product version,
    due items only."""

    now: datetime
    generation: int | None = None
    kinds: Sequence[str] = ()
    language: str | None = None
    category_ids: Sequence[int] = ()
    product_version: str | None = None

    def sql(self, alias: str) -> tuple[str, list[SqlParam]]:
        clauses = [f"({alias}.visible_from IS NULL OR {alias}.visible_from <= %s)"]
        params: list[SqlParam] = [self.now]
        if self.generation is not None:
            clauses.append(f"{alias}.generation = %s")
            params.append(self.generation)
        else:  # the live one, read in the same statement (a caller that has not asked `statistics.state()`)
            clauses.append(f"{alias}.generation = {_LIVE_GENERATION}")
        if self.kinds:
            clauses.append(f"{alias}.kind IN ({', '.join(['%s'] * len(self.kinds))})")
            params += list(self.kinds)
        if self.language:
            clauses.append(f"{alias}.language = %s")
            params.append(self.language)
        if self.category_ids:
            clauses.append(f"{alias}.category_id IN ({', '.join(['%s'] * len(self.category_ids))})")
            params += list(self.category_ids)
        if self.product_version:
            clauses.append(f"{alias}.product_versions LIKE %s")
            params.append(f"% {self.product_version} %")
        return " AND ".join(clauses), params


class Backend:
    """Writes postings in bulk, and keeps the titles' full-text structure in step and queries it."""

    def insert_postings(self, rows: Sequence[tuple[int, str, int, int, float]]) -> None:
        """Insert (document id, term, title count, body count, impact) rows into the postings table."""
        raise NotImplementedError

    def write(self, titles: Mapping[int, Sequence[str]]) -> None:
        """Enter these documents' title tokens (by document id) in the titles' full-text structure."""
        raise NotImplementedError

    def delete(self, document_ids: Sequence[int]) -> None:
        raise NotImplementedError

    def compact_postings(self) -> None:
        """After a rebuild: give back the space the old generation's postings left in the indexes."""

    def prefix_search(self, terms: Sequence[str], prefix: str, filters: Filters, limit: int) -> list[int]:
        """Documents whose title holds every term and a word starting with `prefix`, best first."""
        raise NotImplementedError
