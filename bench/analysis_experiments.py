"""Which tokens rank best: the search analysis options under a plain BM25, on the development sets.

    .venv/bin/python bench/analysis_experiments.py
    .venv/bin/python bench/analysis_experiments.py --sets bq-zh --title-weight 1 2

Reads the sets from ``--data`` (by default ``shared/data`` beside the checkout), indexes title
and body in memory with BM25 (k1 1.2, b 0.75, Lucene's idf, the title's tokens counted
``--title-weight`` times), and prints nDCG@10, MRR@10 and P@1 (×100) per option and set, the
way ``tools/search_eval.py`` computes them: graded gains 2^rel − 1, queries without a relevant
document skipped, and on bq-zh the query's own document taken out of its ranking.
Ends with the speed of ``document_tokens`` on 2 kB of English and of Chinese.
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from kbportal.search import analysis
from kbportal.search.analysis import (
    CJK_SCHEMES,
    DEFAULT_SYNONYMS,
    Analyzer,
)

DEFAULT_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
SETS = ("bq-zh", "stackfaq", "semeval2016-3b")

# The anchors of shared/data/README.md: nDCG@10, MRR@10, P@1.
ANCHORS = {
    "bq-zh": [
        ("anchor: BM25 on single characters", 18.49, 27.81, 16.36),
        ("anchor: BM25 on jieba words", 16.21, 25.59, 14.94),
    ],
    "stackfaq": [("anchor: BM25, Porter stems, stop words", 72.89, 80.43, 72.64)],
    "semeval2016-3b": [("anchor: BM25, Porter stems, stop words", 48.40, 70.39, 62.79)],
}

# tools/search_eval.py's stop list, to replay its English anchor with Snowball's Porter stemmer.
_ANCHOR_STOP_LIST = """a an the and or but if of at by for with about against between into through during before
after above below to from up down in out on off over under again further then once here there when where
why how all any both each few more most other some such no nor not only own same so than too very s t can
will just don should now i me my myself we our ours you your yours he him his she her it its they them
their what which who whom this that these those am is are was were be been being have has had having do
does did doing would could ought i'm you're it's"""
ANCHOR_STOP = frozenset(_ANCHOR_STOP_LIST.split())
# Lucene's classic English stop set (33 words), a short list to compare with NLTK's.
_LUCENE_STOP_LIST = """a an and are as at be but by for if in into is it no not of on or such that the their then
there these they this to was will with"""
LUCENE_STOP = frozenset(_LUCENE_STOP_LIST.split())

Tokenize = Callable[[str], list[str]]


# --- Data -----------------------------------------------------------------------------------------


def read_tsv(path: Path) -> list[dict[str, str]]:
    csv.field_size_limit(10**9)
    with path.open(newline="", encoding="utf-8") as f:
        rows = csv.reader(f, delimiter="\t", quoting=csv.QUOTE_NONE)
        head = next(rows)
        return [dict(zip(head, row + [""] * (len(head) - len(row)), strict=True)) for row in rows]


def load(set_dir: Path) -> tuple[list[dict], list[dict[str, str]], dict[str, dict[str, int]]]:
    with (set_dir / "corpus.jsonl").open(encoding="utf-8") as f:
        corpus = [json.loads(line) for line in f]
    queries = read_tsv(set_dir / "queries.tsv")
    qrels: dict[str, dict[str, int]] = defaultdict(dict)
    for row in read_tsv(set_dir / "qrels.tsv"):
        qrels[row["query_id"]][row["external_id"]] = int(row["relevance"])
    return corpus, queries, qrels


# --- BM25 -----------------------------------------------------------------------------------------


class BM25:
    """Okapi BM25 over title and body; each title token counts ``title_weight`` times."""

    def __init__(
        self, docs: list[tuple[list[str], list[str]]], title_weight: int = 1, k1: float = 1.2, b: float = 0.75
    ):
        tfs, lengths = [], []
        for title, body in docs:
            tf = Counter(body)
            for token in title:
                tf[token] += title_weight
            tfs.append(tf)
            lengths.append(title_weight * len(title) + len(body))
        n = len(docs)
        avgdl = sum(lengths) / max(1, n)
        df = Counter(token for tf in tfs for token in tf)
        # The query loop only adds: each posting carries its whole BM25 contribution.
        self.postings: dict[str, list[tuple[int, float]]] = defaultdict(list)
        for i, tf in enumerate(tfs):
            norm = k1 * (1 - b + b * lengths[i] / avgdl)
            for token, f in tf.items():
                idf = math.log(1 + (n - df[token] + 0.5) / (df[token] + 0.5))
                self.postings[token].append((i, idf * f * (k1 + 1) / (f + norm)))

    def search(self, query: list[str], k: int) -> list[int]:
        scores: dict[int, float] = defaultdict(float)
        for token in set(query):
            for i, contribution in self.postings.get(token, ()):
                scores[i] += contribution
        return sorted(scores, key=lambda i: (-scores[i], i))[:k]


# --- Metrics --------------------------------------------------------------------------------------


def evaluate(queries, qrels, runs: dict[str, list[str]]) -> dict[str, tuple[float, float, float]]:
    """Per query with a relevant document: (nDCG@10, MRR@10, P@1)."""
    scores = {}
    for query in queries:
        qid, excluded = query["query_id"], query.get("exclude_external_id", "")
        relevant = {doc: grade for doc, grade in qrels.get(qid, {}).items() if grade > 0}
        if not relevant:
            continue
        ranking = [doc for doc in runs.get(qid, []) if doc != excluded][:10]
        dcg = sum((2 ** relevant.get(doc, 0) - 1) / math.log2(i + 2) for i, doc in enumerate(ranking))
        ideal = sorted(relevant.values(), reverse=True)[:10]
        idcg = sum((2**grade - 1) / math.log2(i + 2) for i, grade in enumerate(ideal))
        rr = next((1 / (i + 1) for i, doc in enumerate(ranking) if doc in relevant), 0.0)
        scores[qid] = (dcg / idcg, rr, 1.0 if ranking and ranking[0] in relevant else 0.0)
    return scores


def mean(scores: dict[str, tuple[float, ...]], metric: int) -> float:
    return 100 * sum(values[metric] for values in scores.values()) / max(1, len(scores))


def paired_difference(scores: dict[str, tuple[float, ...]], reference: dict[str, tuple[float, ...]]) -> str:
    """nDCG@10 minus the reference's, with a 95% interval over the queries (paired, normal)."""
    diffs = [scores[qid][0] - reference[qid][0] for qid in reference]
    n = len(diffs)
    average = sum(diffs) / n
    spread = math.sqrt(sum((d - average) ** 2 for d in diffs) / max(1, n - 1) / n)
    return f"{100 * average:+.2f} ± {196 * spread:.2f}"


def run(set_dir: Path, document: Tokenize, query: Tokenize, title_weight: int) -> tuple[dict, float]:
    corpus, queries, qrels = load(set_dir)
    started = time.perf_counter()
    index = BM25([(document(d["title"]), document(d["body"])) for d in corpus], title_weight)
    ids = [d["external_id"] for d in corpus]
    runs = {q["query_id"]: [ids[i] for i in index.search(query(q["text"]), 11)] for q in queries}
    return evaluate(queries, qrels, runs), time.perf_counter() - started


# --- Options --------------------------------------------------------------------------------------


def anchor_characters(text: str) -> list[str]:
    """tools/search_eval.py's character anchor: every non-space character, punctuation included."""
    return [c for c in text.lower() if not c.isspace()]


def analyzer_option(analyzer: Analyzer) -> tuple[Tokenize, Tokenize]:
    return analyzer.document_tokens, analyzer.query_tokens


def options(set_name: str) -> list[tuple[str, Tokenize, Tokenize]]:
    """The options to compare on a set; the first analyzer option is the reference for the Δ column."""
    if set_name == "bq-zh":
        labels = {
            "unigram": "(a) single characters",
            "bigram": "(b) character bigrams",
            "jieba": "(c) jieba words",
            "jieba+unigram": "(d) jieba words + characters (chosen)",
            "unigram+bigram": "(e) characters + bigrams",
            "jieba-search": "(f) jieba search mode (words + inner words)",
        }
        found = [(labels[scheme], *analyzer_option(Analyzer(cjk=scheme))) for scheme in CJK_SCHEMES]
        found.append(("replay of the character anchor", anchor_characters, anchor_characters))
        found.append(("(d) + default synonyms", *analyzer_option(Analyzer(DEFAULT_SYNONYMS))))
        return found
    return [
        (
            "Porter, the anchor's stop list (replay)",
            *analyzer_option(Analyzer(stop_words=ANCHOR_STOP, stemmer="porter")),
        ),
        ("Snowball English, NLTK stop words (chosen)", *analyzer_option(Analyzer())),
        ("Porter, NLTK stop words", *analyzer_option(Analyzer(stemmer="porter"))),
        ("Snowball English, Lucene's 33 stop words", *analyzer_option(Analyzer(stop_words=LUCENE_STOP))),
        ("Snowball English, no stop words", *analyzer_option(Analyzer(stop_words=()))),
        ("no stemming, NLTK stop words", *analyzer_option(Analyzer(stemmer=None))),
        ("chosen + default synonyms", *analyzer_option(Analyzer(DEFAULT_SYNONYMS))),
    ]


def speed() -> list[str]:
    """document_tokens on 2 kB: warm (words seen before, as over a corpus) and cold (fresh caches)."""
    english = (
        "To install the desktop client on Windows 11, download version 4.2.1 from the portal, "
        "run the installer as an administrator and sign in with your company account. "
    )
    chinese = "安装桌面客户端时，请先从门户下载最新版本，以管理员身份运行安装程序，然后用公司账户登录并激活许可证。"
    lines = []
    for name, unit in (("English", english), ("Chinese", chinese)):
        text = (unit * (2048 // len(unit.encode()) + 1)).encode()[:2048].decode(errors="ignore")
        Analyzer().document_tokens(text)  # OpenCC and jieba load once per process, outside the timing
        cold = []
        for _ in range(20):
            analysis._stem.cache_clear()
            analysis._fold.cache_clear()
            analyzer = Analyzer()
            started = time.perf_counter()
            analyzer.document_tokens(text)
            cold.append(time.perf_counter() - started)
        rounds = 300
        started = time.perf_counter()
        for _ in range(rounds):
            analyzer.document_tokens(text)
        warm = 1000 * (time.perf_counter() - started) / rounds
        lines.append(
            f"document_tokens on 2 kB of {name} ({len(text)} characters): {warm:.3f} ms warm, "
            f"{1000 * sorted(cold)[len(cold) // 2]:.3f} ms cold"
        )
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="the folder holding the sets")
    parser.add_argument("--sets", nargs="+", default=list(SETS), choices=SETS)
    parser.add_argument("--title-weight", type=int, nargs="+", default=[1], help="title token multiplicity")
    args = parser.parse_args()

    print("| set | option | title ×w | nDCG@10 | MRR@10 | P@1 | Δ nDCG@10 vs first option, 95% | seconds |")
    print("|---|---|--:|--:|--:|--:|--:|--:|")
    for set_name in args.sets:
        for label, ndcg, mrr, p1 in ANCHORS[set_name]:
            print(f"| {set_name} | {label} | 1 | {ndcg:.2f} | {mrr:.2f} | {p1:.2f} | | |")
        for weight in args.title_weight:
            reference = None
            for label, document, query in options(set_name):
                scores, seconds = run(args.data / set_name, document, query, weight)
                delta = paired_difference(scores, reference) if reference else "reference"
                reference = reference or scores
                print(
                    f"| {set_name} | {label} | {weight} | {mean(scores, 0):.2f} | {mean(scores, 1):.2f} "
                    f"| {mean(scores, 2):.2f} | {delta} | {seconds:.1f} |",
                    flush=True,
                )
    print()
    for line in speed():
        print(line)


if __name__ == "__main__":
    main()
