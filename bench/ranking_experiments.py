"""Field-aware ranking: BM25F's parameters against the engine's BM25, in memory, on the development sets.

    .venv/bin/python bench/ranking_experiments.py
    .venv/bin/python bench/ranking_experiments.py --grid title-weight=1,2,3,4 title-b=0.3,0.5,0.75

Reads the sets from ``--data`` (by default ``shared/data`` beside the checkout) and analyses them with the
engine's own analyzer (built-in synonyms). Scores exactly as the engine does (FTS5's idf, k1, ties by
position), once as today's engine — title tokens counted 1.25 times inside one field whose length is the
whole document's — and then as BM25F: title and body each normalised by its own length against its own
average, ``tf = w·tf_title / (1 − b_t + b_t·len_t/avg_t) + tf_body / (1 − b_b + b_b·len_b/avg_b)``, and
``score = Σ idf · tf / (k1 + tf)``. Prints nDCG@10, MRR@10, P@1 and S@5 (×100) per set and setting, the way
``tools/search_eval.py`` computes them.
"""

from __future__ import annotations

import argparse
import itertools
import math
import sys
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from analysis_experiments import DEFAULT_DATA, SETS, load

from kbportal.search.analysis import DEFAULT_SYNONYMS, Analyzer


@dataclass(frozen=True)
class Setting:
    title_weight: float = 1.25
    title_b: float = 0.75
    body_b: float = 0.75
    k1: float = 1.2
    fields: bool = True  # False: today's single-field BM25

    def label(self) -> str:
        if not self.fields:
            return f"engine today: one field, title ×{self.title_weight:g}, k1 {self.k1:g}, b {self.body_b:g}"
        return f"BM25F title ×{self.title_weight:g}, b_title {self.title_b:g}, b_body {self.body_b:g}, k1 {self.k1:g}"


def fts5_idf(documents: int, matching: int) -> float:
    value = math.log((documents - matching + 0.5) / (matching + 0.5))
    return value if value > 0 else 1e-6


class Corpus:
    """A set analysed once: per document the title's and the body's term counts and lengths."""

    def __init__(self, docs: list[dict], analyzer: Analyzer):
        self.ids = [d["external_id"] for d in docs]
        self.titles = [Counter(analyzer.document_tokens(d["title"])) for d in docs]
        self.bodies = [Counter(analyzer.document_tokens(d["body"])) for d in docs]
        self.title_lengths = [sum(c.values()) for c in self.titles]
        self.body_lengths = [sum(c.values()) for c in self.bodies]
        n = len(docs)
        self.avg_title = sum(self.title_lengths) / max(n, 1)
        self.avg_body = sum(self.body_lengths) / max(n, 1)
        self.avg_length = (sum(self.title_lengths) + sum(self.body_lengths)) / max(n, 1)
        df: Counter[str] = Counter()
        self.holders: dict[str, list[int]] = defaultdict(list)
        for i in range(n):
            for term in self.titles[i].keys() | self.bodies[i].keys():
                df[term] += 1
                self.holders[term].append(i)
        self.idf = {term: fts5_idf(n, count) for term, count in df.items()}

    def pseudo_frequency(self, i: int, term: str, setting: Setting) -> float:
        title, body = self.titles[i].get(term, 0), self.bodies[i].get(term, 0)
        if not setting.fields:
            frequency = setting.title_weight * title + body
            length = self.title_lengths[i] + self.body_lengths[i]
            return frequency / (1 - setting.body_b + setting.body_b * length / self.avg_length)
        frequency = 0.0
        if title:
            norm = 1 - setting.title_b + setting.title_b * self.title_lengths[i] / max(self.avg_title, 1e-9)
            frequency += setting.title_weight * title / norm
        if body:
            norm = 1 - setting.body_b + setting.body_b * self.body_lengths[i] / max(self.avg_body, 1e-9)
            frequency += body / norm
        return frequency

    def search(self, terms: list[str], setting: Setting, k: int = 11) -> list[str]:
        scores: dict[int, float] = defaultdict(float)
        for term in dict.fromkeys(terms):
            idf = self.idf.get(term)
            if idf is None:
                continue
            for i in self.holders[term]:
                tf = self.pseudo_frequency(i, term, setting)
                scores[i] += idf * tf * (setting.k1 + 1) / (tf + setting.k1)
        return [self.ids[i] for i in sorted(scores, key=lambda i: (-scores[i], i))[:k]]


def metrics(queries, qrels, runs) -> tuple[float, float, float, float]:
    totals, n = [0.0, 0.0, 0.0, 0.0], 0
    for query in queries:
        qid, excluded = query["query_id"], query.get("exclude_external_id", "")
        relevant = {doc: grade for doc, grade in qrels.get(qid, {}).items() if grade > 0}
        if not relevant:
            continue
        n += 1
        ranking = [doc for doc in runs.get(qid, []) if doc != excluded][:10]
        dcg = sum((2 ** relevant.get(doc, 0) - 1) / math.log2(i + 2) for i, doc in enumerate(ranking))
        ideal = sorted(relevant.values(), reverse=True)[:10]
        idcg = sum((2**grade - 1) / math.log2(i + 2) for i, grade in enumerate(ideal))
        totals[0] += dcg / idcg
        totals[1] += next((1 / (i + 1) for i, doc in enumerate(ranking) if doc in relevant), 0.0)
        totals[2] += 1.0 if ranking and ranking[0] in relevant else 0.0
        totals[3] += 1.0 if any(doc in relevant for doc in ranking[:5]) else 0.0
    return tuple(100 * t / max(n, 1) for t in totals)  # type: ignore[return-value]


def grid(specs: list[str]) -> list[Setting]:
    names = {"title-weight": "title_weight", "title-b": "title_b", "body-b": "body_b", "k1": "k1"}
    axes = {"title_weight": [1.25], "title_b": [0.75], "body_b": [0.75], "k1": [1.2]}
    for spec in specs:
        name, values = spec.split("=")
        axes[names[name]] = [float(v) for v in values.split(",")]
    keys = list(axes)
    return [Setting(**dict(zip(keys, combo, strict=True))) for combo in itertools.product(*axes.values())]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--sets", nargs="+", default=list(SETS))
    parser.add_argument("--grid", nargs="*", default=[], help="axis=v1,v2 … (title-weight, title-b, body-b, k1)")
    args = parser.parse_args()
    analyzer = Analyzer(DEFAULT_SYNONYMS)
    settings = [Setting(fields=False), *grid(args.grid)]
    for set_name in args.sets:
        docs, queries, qrels = load(args.data / set_name)
        corpus = Corpus(docs, analyzer)
        analysed = {q["query_id"]: analyzer.query_tokens(q["text"]) for q in queries}
        print(f"\n{set_name}: nDCG@10 MRR@10 P@1 S@5")
        for setting in settings:
            runs = {qid: corpus.search(terms, setting) for qid, terms in analysed.items()}
            ndcg, mrr, p1, s5 = metrics(queries, qrels, runs)
            print(f"  {ndcg:6.2f} {mrr:6.2f} {p1:6.2f} {s5:6.2f}  {setting.label()}", flush=True)


if __name__ == "__main__":
    main()
