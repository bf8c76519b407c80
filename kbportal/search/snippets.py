"""Snippets: the passage that best matches the query, escaped, with the matched words marked.

Cheap by design (twenty snippets per query): passages are scored and words marked by plain string
tests against the analysed query terms (English stems are prefixes of the words they come from),
never by re-analysing the text. A `Highlighter` holds what one query marks, worked out once per
search; each hit's text is then split into passages once, and only the best one is marked: the
matches are found as character offsets (one regular expression for Latin words in ASCII text, a word
walk otherwise, one for CJK terms), and the text between them is escaped once per stretch with
`html.escape`, not word by word.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from html import escape

from django.utils.safestring import SafeString, mark_safe

from .analysis import CJK_CHARACTER_CLASS, Analyzer

SNIPPET_CHARS = 220
MAX_PASSAGES = 60
# A sentence ends after one of these (the whitespace after it is dropped with the rest when it is normalised).
_SENTENCE = re.compile(r"[^.!?。！？；;\n]*[.!?。！？；;\n]|[^.!?。！？；;\n]+\Z")
_WORD = re.compile(r"\w+", re.UNICODE)
# A CJK letter, exactly as analysis.is_cjk tells one (the ranges, letters only).
_CJK = re.compile(rf"(?![\W_]){CJK_CHARACTER_CLASS}")
_CJK_RUN = re.compile(rf"(?:(?![\W_]){CJK_CHARACTER_CLASS})+")
_WORD_CHARS = re.compile(r"\w+")


def _iter_passages(text: str) -> Iterator[str]:
    """Sentences merged into passages of about the snippet's length, as the text is read."""
    current, count = "", 0
    for piece in _SENTENCE.finditer(text):
        sentence = " ".join(piece.group().split())
        if not sentence:
            continue
        if current and len(current) + len(sentence) > SNIPPET_CHARS:
            yield current
            count += 1
            if count >= MAX_PASSAGES:
                return
            current = sentence
        else:
            current = f"{current} {sentence}" if current else sentence
    if current:
        yield current


def _passages(text: str) -> list[str]:
    return list(_iter_passages(text)) or [""]


def _truncate(passage: str) -> str:
    if len(passage) <= SNIPPET_CHARS:
        return passage
    cut = passage[:SNIPPET_CHARS]
    space = cut.rfind(" ")
    return (cut[:space] if space > SNIPPET_CHARS * 0.6 else cut) + "…"


def _split_terms(query: str, query_terms: list[str], analyzer: Analyzer) -> tuple[list[str], list[str]]:
    latin = sorted({term for term in query_terms if term.isascii() and len(term) >= 2})
    cjk = {term for term in query_terms if _CJK_RUN.fullmatch(term)}
    cjk |= {term for term in analyzer.surface_terms(query) if _CJK_RUN.fullmatch(term)}
    # Single characters mark only when the query is one character: otherwise they light up everything.
    longer = {term for term in cjk if len(term) >= 2}
    return latin, sorted(longer or cjk, key=len, reverse=True)


class Highlighter:
    """What one query marks in a text; built once per search, used for each of its hits."""

    def __init__(self, query: str, query_terms: list[str], analyzer: Analyzer) -> None:
        latin, self.cjk = _split_terms(query, query_terms, analyzer)
        self.latin = tuple(latin)
        # A word is marked when its lower case starts with a term: only lower-case word characters can.
        markable = [term for term in latin if _WORD_CHARS.fullmatch(term) and term == term.lower()]
        self._markable = tuple(markable)
        # In ASCII text lower() is ASCII's and keeps offsets, so one expression finds every marked word.
        self._ascii_words = (
            re.compile(rf"(?<!\w)(?:{'|'.join(re.escape(term) for term in markable)})\w*", re.ASCII | re.IGNORECASE)
            if markable
            else None
        )
        self._cjk_pattern = re.compile("|".join(re.escape(term) for term in self.cjk)) if self.cjk else None

    def snippet(self, text: str) -> SafeString:
        """The best passage of the text, HTML-escaped, matched words wrapped in <mark>."""
        # The first passage with the best score, as max() would pick it; a passage holds at most the terms the
        # whole text does, so the first that holds them all ends the reading.
        most = self._score(text)
        best, best_score = "", -1
        for passage in _iter_passages(text):
            score = self._score(passage)
            if score > best_score:
                best, best_score = passage, score
                if score >= most:
                    break
        return mark_safe(self._mark(_truncate(best)))  # noqa: S308 - every piece is escaped

    def _score(self, passage: str) -> int:
        lowered = passage.lower()
        return sum(term in lowered for term in self.latin) + sum(term in passage for term in self.cjk)

    def _spans(self, passage: str) -> list[tuple[int, int]]:
        """Where the marks go: whole words that start with a Latin term, CJK terms inside CJK words."""
        spans: list[tuple[int, int]] = []
        has_cjk = _CJK.search(passage) is not None
        if self._markable:
            if passage.isascii() and self._ascii_words is not None:
                spans += [match.span() for match in self._ascii_words.finditer(passage)]
            else:
                for match in _WORD.finditer(passage):
                    word = match.group()
                    if word.lower().startswith(self._markable) and not (has_cjk and _CJK.search(word)):
                        spans.append(match.span())
        if has_cjk and self._cjk_pattern is not None:
            # The terms are CJK letters only, so every match lies inside a word that holds CJK and never
            # overlaps a Latin mark (those are words without CJK).
            spans += [match.span() for match in self._cjk_pattern.finditer(passage)]
            spans.sort()
        return spans

    def _mark(self, passage: str) -> str:
        spans = self._spans(passage)
        if not spans:
            return escape(passage)
        pieces: list[str] = []
        position = 0
        for start, end in spans:
            pieces += (escape(passage[position:start]), "<mark>", escape(passage[start:end]), "</mark>")
            position = end
        pieces.append(escape(passage[position:]))
        return "".join(pieces)


def snippet(text: str, *, query: str, query_terms: list[str], analyzer: Analyzer) -> SafeString:
    """The best passage for the query, HTML-escaped, matched words wrapped in <mark>.

    For one text; a search builds one `Highlighter` for all its hits instead."""
    return Highlighter(query, query_terms, analyzer).snippet(text)
