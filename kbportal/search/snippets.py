"""Snippets: the passage that best matches the query, escaped, with the matched words marked.

Cheap by design (twenty snippets per query): passages are scored and words marked by plain string
tests against the analysed query terms (English stems are prefixes of the words they come from),
never by re-analysing the text. A `Highlighter` holds what one query marks, worked out once per
search; each hit's text is then read as passages once, and only the best one is shown and marked.
A passage is a slice of the text: nothing is put between its sentences, so URLs, dotted identifiers,
error codes and Chinese text read as the document has them; its whitespace shows as one space, or as
nothing where a line break stands beside punctuation or inside CJK text. The matches are found as
character offsets (one regular expression for Latin words in ASCII text, a word walk otherwise, one
for CJK terms), and the text between them is escaped once per stretch with `html.escape`, not word
by word.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from html import escape

from django.utils.safestring import SafeString, mark_safe

from .analysis import CJK_CHARACTER_CLASS, Analyzer

SNIPPET_CHARS = 220
MAX_PASSAGES = 60
# CJK and full-width punctuation: it carries its own spacing, so no space shows before or after it.
_CJK_PUNCTUATION = "\u3001-\u3004\u3008-\u3011\u3014-\u301f\u30fb\uff01-\uff0f\uff1a-\uff20\uff3b-\uff40\uff5b-\uff65"
# What may follow a sentence's last mark and still belong to the sentence: closing quotes and brackets.
_CLOSING = "\"'\u2019\u201d)\\]\uff09\u3011\u300d\u300f\u300b\u3009"
# Punctuation that belongs to what stands before it: CJK, or a Latin mark that a space or the end follows.
_TRAILING_PUNCTUATION = rf"[{_CJK_PUNCTUATION}\u2019\u201d]|[,.;:!?)\]](?=\s|\Z)"
# A sentence, and in its group what it holds without the whitespace before it. A Latin .!?; ends one only before
# whitespace or the end, so that "app.helloworld.example", "auth.login_failed", "4.2.1" and "0x8C1BE8EE" stay
# inside one; CJK 。！？； end one wherever they stand. So does a line break, unless trailing punctuation follows
# it on its line: the index's text has a line break before every closing tag of the HTML
# (`articles.search.plain_text`), so "<code>GitHub</code>，" reads "GitHub\n，", one sentence. One expression,
# its loops possessive, so that reading a text costs one match per sentence and nothing per character in Python.
_ENDS = ".!?;\u3002\uff01\uff1f\uff1b\n"
_SENTENCE = re.compile(
    rf"\s*+((?:[^{_ENDS}]++"
    rf"|[.!?;][{_CLOSING}]*+(?!\s|\Z)"  # a Latin mark inside a word: a URL, an identifier, a number
    rf"|\n(?=[^\S\n]*+(?:{_TRAILING_PUNCTUATION}))"  # a line break before trailing punctuation
    rf")*+(?:[.!?;][{_CLOSING}]*+|[\u3002\uff01\uff1f\uff1b][{_CLOSING}]*+)?)"
)
# Whitespace that holds a line break and shows as nothing: before trailing punctuation, after CJK punctuation, or
# one line break between two CJK letters (a closing tag or a soft line break; a blank line is a new block).
_CJK_LETTER_AFTER = rf"(?=(?![\W_]){CJK_CHARACTER_CLASS})"
_HIDDEN_LINE_GAP = re.compile(
    r"(?=[^\S\n]*+\n)"  # only where a line break is near: the alternatives' lookbehinds are dear per character
    rf"(?:(?<=[{_CJK_PUNCTUATION}])[^\S\n]*+\n\s*+"
    rf"|[^\S\n]*+\n\s*+(?={_TRAILING_PUNCTUATION})"
    rf"|(?<={CJK_CHARACTER_CLASS})(?<![\W_])\r?\n{_CJK_LETTER_AFTER})"
)
# The same where no line break follows a space, as in the index's text: every gap starts at its line break, which
# the expression finds by its first character, as fast as `str.find`; a quarter of the time of the one above.
_HIDDEN_LINE_BREAK = re.compile(
    rf"\n(?:(?<=[{_CJK_PUNCTUATION}]\n)\s*+"
    rf"|\s*+(?={_TRAILING_PUNCTUATION})"
    rf"|(?<={CJK_CHARACTER_CLASS}\n)(?<![\W_]\n){_CJK_LETTER_AFTER})"
)
_SPACE_BEFORE_A_LINE_BREAK = re.compile(r"\n(?<=[^\S\n]\n)")
_WORD = re.compile(r"\w+", re.UNICODE)
# A CJK letter, exactly as analysis.is_cjk tells one (the ranges, letters only).
_CJK = re.compile(rf"(?![\W_]){CJK_CHARACTER_CLASS}")
_CJK_RUN = re.compile(rf"(?:(?![\W_]){CJK_CHARACTER_CLASS})+")
_WORD_CHARS = re.compile(r"\w+")
# The longest start of a passage, up to the snippet's length, that a cut can end without splitting a word: before
# whitespace, or beside a CJK letter or punctuation. A URL, an identifier or an error code holds neither.
_CJK_OR_PUNCTUATION = rf"(?:(?![\W_]){CJK_CHARACTER_CLASS}|[{_CJK_PUNCTUATION}])"
_UP_TO_A_BREAK = re.compile(
    rf".{{0,{SNIPPET_CHARS}}}(?:(?=\s)|(?<={_CJK_OR_PUNCTUATION})|(?={_CJK_OR_PUNCTUATION}))", re.DOTALL
)


def _iter_passages(text: str) -> Iterator[str]:
    """Sentences merged into passages of about the snippet's length, as the text is read.

    A passage is a slice of the text, from its first sentence's first character to its last one's last: what
    stands between two sentences is the text's own, never a separator put in (a space after "。" or inside
    "app.helloworld.example" was one). Its length counts one character between sentences, as shown."""
    start = end = length = count = 0
    for sentence in _SENTENCE.finditer(text):
        sentence_start, sentence_end = sentence.span(1)
        if sentence_start == sentence_end:
            continue
        while text[sentence_end - 1].isspace():  # spaces before the line break that ends it
            sentence_end -= 1
        size = sentence_end - sentence_start
        if length and length + size > SNIPPET_CHARS:
            yield text[start:end]
            count += 1
            if count >= MAX_PASSAGES:
                return
            start, length = sentence_start, size
        elif length:
            length += 1 + size
        else:
            start, length = sentence_start, size
        end = sentence_end
    if length:
        yield text[start:end]


def _shown(passage: str) -> str:
    """The passage as a snippet shows it: each run of whitespace one space, or none where it holds a line break
    beside punctuation or inside CJK text (the line breaks of `plain_text`, see `_SENTENCE`)."""
    if "\n" in passage:
        spaced = _SPACE_BEFORE_A_LINE_BREAK.search(passage) is not None
        passage = (_HIDDEN_LINE_GAP if spaced else _HIDDEN_LINE_BREAK).sub("", passage)
    return " ".join(passage.split())


def _truncate(passage: str) -> str:
    """The passage cut to the snippet's length where no word is split, if that keeps most of it."""
    if len(passage) <= SNIPPET_CHARS:
        return passage
    up_to_a_break = _UP_TO_A_BREAK.match(passage)
    if up_to_a_break is not None and up_to_a_break.end() > SNIPPET_CHARS * 0.6:
        return up_to_a_break.group().rstrip() + "…"
    return passage[:SNIPPET_CHARS] + "…"


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
        return mark_safe(self._mark(_truncate(_shown(best))))  # noqa: S308 - every piece is escaped

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
