"""Snippets: the passage that best matches the query, escaped, with the matched words marked.

Cheap by design (a hundred snippets per query): passages are scored and words
marked by plain string tests against the analysed query terms (English stems
are prefixes of the words they come from), never by re-analysing the text.
"""

from __future__ import annotations

import re

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from .analysis import Analyzer, is_cjk

SNIPPET_CHARS = 220
MAX_PASSAGES = 60
_SENTENCE_END = re.compile(r"(?<=[.!?。！？；;\n])\s*")
_WORD = re.compile(r"\w+", re.UNICODE)


def _passages(text: str) -> list[str]:
    """Sentences merged into passages of about the snippet's length."""
    passages, current = [], ""
    for sentence in _SENTENCE_END.split(text):
        sentence = " ".join(sentence.split())
        if not sentence:
            continue
        if current and len(current) + len(sentence) > SNIPPET_CHARS:
            passages.append(current)
            if len(passages) >= MAX_PASSAGES:
                return passages
            current = sentence
        else:
            current = f"{current} {sentence}".strip()
    if current:
        passages.append(current)
    return passages or [""]


def _score(passage: str, latin: list[str], cjk: list[str]) -> int:
    lowered = passage.lower()
    return sum(term in lowered for term in latin) + sum(term in passage for term in cjk)


def _truncate(passage: str) -> str:
    if len(passage) <= SNIPPET_CHARS:
        return passage
    cut = passage[:SNIPPET_CHARS]
    space = cut.rfind(" ")
    return (cut[:space] if space > SNIPPET_CHARS * 0.6 else cut) + "…"


def _mark_cjk(run: str, pattern: re.Pattern[str] | None) -> str:
    if pattern is None:
        return escape(run)
    out: list[str] = []
    position = 0
    for match in pattern.finditer(run):
        out.append(escape(run[position : match.start()]))
        out.append(f"<mark>{escape(match.group(0))}</mark>")
        position = match.end()
    out.append(escape(run[position:]))
    return "".join(out)


def _mark(passage: str, latin: list[str], cjk_pattern: re.Pattern[str] | None) -> str:
    pieces: list[str] = []
    position = 0
    for match in _WORD.finditer(passage):
        pieces.append(escape(passage[position : match.start()]))
        word = match.group(0)
        if any(is_cjk(char) for char in word):
            pieces.append(_mark_cjk(word, cjk_pattern))
        elif any(word.lower().startswith(term) for term in latin):
            pieces.append(f"<mark>{escape(word)}</mark>")
        else:
            pieces.append(escape(word))
        position = match.end()
    pieces.append(escape(passage[position:]))
    return "".join(pieces)


def _split_terms(query: str, query_terms: list[str], analyzer: Analyzer) -> tuple[list[str], list[str]]:
    latin = sorted({term for term in query_terms if term.isascii() and len(term) >= 2})
    cjk = {term for term in query_terms if term and all(is_cjk(char) for char in term)}
    cjk |= {term for term in analyzer.surface_terms(query) if term and all(is_cjk(char) for char in term)}
    # Single characters mark only when the query is one character: otherwise they light up everything.
    longer = {term for term in cjk if len(term) >= 2}
    return latin, sorted(longer or cjk, key=len, reverse=True)


def snippet(text: str, *, query: str, query_terms: list[str], analyzer: Analyzer) -> SafeString:
    """The best passage for the query, HTML-escaped, matched words wrapped in <mark>."""
    latin, cjk = _split_terms(query, query_terms, analyzer)
    passages = _passages(text)
    best = max(passages, key=lambda passage: _score(passage, latin, cjk))
    pattern = re.compile("|".join(re.escape(term) for term in cjk)) if cjk else None
    return mark_safe(_mark(_truncate(best), latin, pattern))  # noqa: S308 - every piece is escaped
