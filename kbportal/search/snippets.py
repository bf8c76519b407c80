"""Snippets: the passage that best matches the query, escaped, with the matched words marked."""

from __future__ import annotations

import re

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from .analysis import Analyzer, is_cjk

SNIPPET_CHARS = 220
_SENTENCE_END = re.compile(r"(?<=[.!?。！？；;\n])\s*")
_WORD = re.compile(r"\w+", re.UNICODE)


def _passages(text: str) -> list[str]:
    """Sentences merged into passages of about the snippet's length."""
    passages, current = [], ""
    for sentence in _SENTENCE_END.split(" ".join(text.split(" "))):
        sentence = " ".join(sentence.split())
        if not sentence:
            continue
        if current and len(current) + len(sentence) > SNIPPET_CHARS:
            passages.append(current)
            current = sentence
        else:
            current = f"{current} {sentence}".strip()
    if current:
        passages.append(current)
    return passages or [""]


def _best_passage(text: str, terms: set[str], analyzer: Analyzer) -> str:
    best, best_score = "", -1
    for index, passage in enumerate(_passages(text)[:200]):
        score = len(terms & set(analyzer.document_tokens(passage)))
        if score > best_score:
            best, best_score = passage, score
        if index == 0 and not terms:
            break
    return best


def _truncate(passage: str) -> str:
    if len(passage) <= SNIPPET_CHARS:
        return passage
    cut = passage[:SNIPPET_CHARS]
    space = cut.rfind(" ")
    return (cut[:space] if space > SNIPPET_CHARS * 0.6 else cut) + "…"


def _mark_words(passage: str, terms: set[str], cjk_terms: list[str], analyzer: Analyzer) -> str:
    pieces, position = [], 0
    for match in _WORD.finditer(passage):
        pieces.append(escape(passage[position : match.start()]))
        word = match.group(0)
        if any(is_cjk(char) for char in word):
            pieces.append(_mark_cjk(word, cjk_terms))
        elif word and set(analyzer.document_tokens(word)) & terms:
            pieces.append(f"<mark>{escape(word)}</mark>")
        else:
            pieces.append(escape(word))
        position = match.end()
    pieces.append(escape(passage[position:]))
    return "".join(pieces)


def _mark_cjk(run: str, cjk_terms: list[str]) -> str:
    if not cjk_terms:
        return escape(run)
    pattern = re.compile("|".join(re.escape(term) for term in sorted(cjk_terms, key=len, reverse=True)))
    out, position = [], 0
    for match in pattern.finditer(run):
        out.append(escape(run[position : match.start()]))
        out.append(f"<mark>{escape(match.group(0))}</mark>")
        position = match.end()
    out.append(escape(run[position:]))
    return "".join(out)


def snippet(text: str, *, query: str, query_terms: list[str], analyzer: Analyzer) -> SafeString:
    """The best passage for the query, HTML-escaped, matched words wrapped in <mark>."""
    terms = set(query_terms)
    passage = _truncate(_best_passage(analyzer.normalize(text) if not text else text, terms, analyzer))
    cjk_terms = [term for term in analyzer.surface_terms(query) if term and all(is_cjk(c) for c in term)]
    cjk_terms += [term for term in query_terms if term and all(is_cjk(c) for c in term)]
    return mark_safe(_mark_words(passage, terms, sorted(set(cjk_terms)), analyzer))  # noqa: S308 - every piece escaped
