"""Text analysis for search: text in, tokens out, the same way for documents and queries.

The backends store the tokens space-separated (SQLite FTS5 with the unicode61 tokenizer,
PostgreSQL tsvector with the 'simple' configuration), so a token is letters, digits and CJK
characters only: never whitespace, never punctuation.

The pipeline, measured on the development sets by ``bench/analysis_experiments.py`` (figures in
``bench/README.md``):

1. ``normalize``: Unicode NFKC (full-width letters and digits become ASCII), casefold, and
   Traditional Chinese to Simplified with OpenCC ``t2s`` (only when the text holds Han).
2. Split into runs: CJK runs, dotted numbers, and words of letters and digits. Everything
   else separates (``hw-1042`` gives ``hw`` and ``1042``).
3. Words: English stop words dropped, Snowball English stems, Latin diacritics folded
   (``café`` and ``cafe`` meet). Words with digits are kept as they are (``2fa``, ``win10``).
   The negations customers write in several ways become one token each, in documents and queries
   alike (``NEGATIONS``): "can't", "cant", "cannot" and "unable" are ``cannot``, so "cannot log in"
   meets the title "Can't sign in".
4. Dotted numbers, versions above all: ``4.2.1`` (or ``v4.2.1``) gives its parts ``4 2 1``
   and the joined prefixes ``4d2 4d2d1`` (``d`` for the dot: the tokenizers would split a
   dot), so ``4.2`` finds ``4.2`` and ``4.2.1`` first and a page that merely has a 4 and a 2
   after them. ``42`` stays apart: a joined ``42`` would mix up 4.2 with 42, and 1.10 with 11.0.
5. CJK runs: jieba words, each followed by its characters when it has more than one. On the BQ
   development set this ranked best of single characters, bigrams, jieba words, characters plus
   bigrams and jieba's search mode (nDCG@10 18.98 against 18.49 for the single-character anchor,
   MRR@10 28.53 against 27.81): the words reward an exact term, the characters still match when
   a query is cut differently from the document. The margins over single characters, and over
   characters plus bigrams, are within noise; jieba's dictionary loads once per process.
"""

from __future__ import annotations

import logging
import re
import threading
import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Literal, NamedTuple, cast

__all__ = [
    "CHINESE_QUESTION_WORDS",
    "CJK_SCHEMES",
    "DEFAULT_ANALYZER",
    "DEFAULT_SYNONYMS",
    "ENGLISH_STOP_WORDS",
    "NEGATIONS",
    "Analyzer",
    "CjkScheme",
    "SynonymGroup",
    "is_cjk",
]

# NLTK's English stop list: its 153 words without an apostrophe (the other 26, "don't" and the
# like, never reach it: the apostrophe splits them into "don" and "t", which are here).
# Negations go too: BM25 cannot use them anyway.
_ENGLISH_STOP_LIST = """
    a about above after again against ain all am an and any are aren as at be because been before
    being below between both but by can couldn d did didn do does doesn doing don down during each
    few for from further had hadn has hasn have haven having he her here hers herself him himself
    his how i if in into is isn it its itself just ll m ma me mightn more most mustn my myself
    needn no nor not now o of off on once only or other our ours ourselves out over own re s same
    shan she should shouldn so some such t than that the their theirs them themselves then there
    these they this those through to too under until up ve very was wasn we were weren what when
    where which while who whom why will with won wouldn y you your yours yourself yourselves
"""
ENGLISH_STOP_WORDS: frozenset[str] = frozenset(_ENGLISH_STOP_LIST.split())

# A few words that carry no meaning in Chinese questions. Only used to keep them out of the
# highlighted words: the index keeps every character (BM25's idf already weighs them down).
_CHINESE_STOP_LIST = "的 了 吗 呢 吧 啊 呀 么 嘛 哦 是 在 和 与 或 及 就 都 也 还 我 你 他 她 它 请 问"
_CHINESE_STOP_WORDS = frozenset(_CHINESE_STOP_LIST.split())
# How Chinese asks "how", as jieba cuts it. A query keeps the word but not its characters: in the demo "怎么重置密码"
# ranked "恢复码：手机或安全密钥丢失怎么办" first, on the characters 怎 and 么. Leaving these words out altogether, or
# also 什么, 为什么 and 怎么办, cost 0.4 to 1.0 nDCG@10 on bq-zh, whose documents are questions too (this list:
# 0.1, within noise); documents keep everything.
_CHINESE_QUESTION_LIST = "怎么 怎样 如何 咋"
CHINESE_QUESTION_WORDS = frozenset(_CHINESE_QUESTION_LIST.split())

# Han (with extensions and compatibility ideographs), kana, Hangul, Bopomofo, 々〆〇.
# Only letters (and 〇): the CJK punctuation of U+3000–303F is a separator like any other.
_CJK_RANGES = (
    "\u1100-\u11ff"  # Hangul Jamo
    "\u3005-\u3007"  # 々 〆 〇
    "\u3041-\u3096\u309d-\u309f"  # Hiragana
    "\u30a1-\u30fa\u30fc-\u30ff"  # Katakana
    "\u3105-\u312f\u31a0-\u31bf"  # Bopomofo
    "\u3131-\u318e"  # Hangul compatibility Jamo
    "\u31f0-\u31ff"  # Katakana phonetic extensions
    "\u3400-\u4dbf"  # CJK extension A
    "\u4e00-\u9fff"  # CJK unified ideographs
    "\uac00-\ud7a3"  # Hangul syllables
    "\uf900-\ufaff"  # CJK compatibility ideographs
    "\U00020000-\U0003134f"  # CJK extensions B–G and the compatibility supplement
)
# For the pages' scripts, which apply the same rule (the suggestion boxes' minimum length): the ranges as a
# character class, without the letters-only refinement below (unassigned code points are not typed).
CJK_CHARACTER_CLASS = f"[{_CJK_RANGES}]"
# Letters only: code points the ranges hold but Unicode has not assigned yet are separators.
_CJK_LETTER = rf"(?![\W_])[{_CJK_RANGES}]"
_CJK_CHAR = re.compile(_CJK_LETTER)
_HAN = re.compile("[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f]")

# Negations customers write in several ways, each one token in documents and queries: a help centre's
# questions are mostly about what does not work ("cannot log in", "app won't start"), and its troubleshooting
# titles say so ("Can't sign in"). The stop list keeps dropping "not" and the other "n't" forms. Changing
# this list changes the index: run `manage.py rebuild_search_index` after it.
NEGATIONS: dict[str, tuple[str, ...]] = {
    "cannot": ("can't", "cant", "cannot", "unable", "couldn't", "couldnt"),
    "wont": ("won't", "wont", "wouldn't", "wouldnt"),
    "doesnt": ("doesn't", "doesnt", "don't", "dont", "didn't", "didnt"),
}
_NEGATION_TOKENS: dict[str, str] = {
    spelling: token for token, spellings in NEGATIONS.items() for spelling in spellings if "'" not in spelling
}
# "can't" and "can’t" by what stands before the apostrophe: "can" → "cannot".
_APOSTROPHE_NEGATION_TOKENS: dict[str, str] = {
    spelling.removesuffix("'t"): token
    for token, spellings in NEGATIONS.items()
    for spelling in spellings
    if "'" in spelling
}

# A run is a CJK run, a dotted number (an optional "v" is dropped), or a word of letters and
# digits. Python's \w is letters and numbers plus "_", so [^\W_] is exactly what unicode61
# keeps in a token; combining marks are not \w and separate, as they do there.
# A negation written with its apostrophe (straight or typographic) is one run, so "can't" is not "can" and "t".
_RUNS = re.compile(
    rf"(?P<cjk>(?:{_CJK_LETTER})+)"
    rf"|v?(?P<version>\d+(?:\.\d+)+)(?![^\W_{_CJK_RANGES}])"
    rf"|(?<![^\W_{_CJK_RANGES}])(?P<negation>(?:{'|'.join(sorted(_APOSTROPHE_NEGATION_TOKENS))})['\u2019]t)(?![^\W_{_CJK_RANGES}])"
    rf"|(?P<word>[^\W_{_CJK_RANGES}]+)"
)
_DIGIT = re.compile(r"\d")
_VERSION_JOIN = "d"
_VERSION_JOINED_PARTS = 4  # 1.2.3.4.5 joins up to 1d2d3d4: an IP or a long version, never a quadratic blow-up.
_WORD_CACHE_SIZE = 200_000
_CJK_RUN_CACHE_SIZE = 100_000
_CJK_RUN_CACHE_LENGTH = 64  # a phrase, not a paragraph
_MISSING = object()
MAX_WORD_LENGTH = 64  # Longer "words" are hashes or garbage; PostgreSQL also refuses lexemes over 2 kB.

CjkScheme = Literal["unigram", "bigram", "jieba", "jieba+unigram", "unigram+bigram", "jieba-search"]
CJK_SCHEMES: tuple[CjkScheme, ...] = ("unigram", "bigram", "jieba", "jieba+unigram", "unigram+bigram", "jieba-search")
DEFAULT_CJK_SCHEME: CjkScheme = "jieba+unigram"


def is_cjk(char: str) -> bool:
    """Whether the character is a CJK letter (Han, kana, Hangul, Bopomofo): one run of CJK text."""
    return bool(char) and _CJK_CHAR.fullmatch(char[0]) is not None


# --- The shared, lazily created helpers ------------------------------------------------------------

_lock = threading.Lock()
_helpers: dict[str, Any] = {}


def _t2s(text: str) -> str:
    converter = _helpers.get("opencc")
    if converter is None:
        import opencc

        with _lock:
            converter = _helpers.setdefault("opencc", opencc.OpenCC("t2s"))
    converted: str = converter.convert(text)
    return converted


def _jieba() -> Any:
    """jieba's default dictionary, loaded once per process (about 0.4 s from its cache)."""
    tokenizer = _helpers.get("jieba")
    if tokenizer is None:
        import jieba

        with _lock:
            tokenizer = _helpers.get("jieba")
            if tokenizer is None:
                jieba.setLogLevel(logging.WARNING)
                tokenizer = jieba.Tokenizer()
                tokenizer.initialize()
                _helpers["jieba"] = tokenizer
    return tokenizer


_stemmers: dict[str, Any] = {}
_stem_lock = threading.Lock()


@lru_cache(maxsize=100_000)
def _stem(word: str, algorithm: str) -> str:
    # Snowball stemmers keep their state on the instance: one call at a time. The cache makes
    # the lock rare; a help centre's vocabulary fits in it.
    with _stem_lock:
        stemmer = _stemmers.get(algorithm)
        if stemmer is None:
            import snowballstemmer

            stemmer = _stemmers[algorithm] = snowballstemmer.stemmer(algorithm)
        stem: str = stemmer.stemWord(word)
        return stem


@lru_cache(maxsize=100_000)
def _fold(word: str) -> str:
    """Latin diacritics off ("café" → "cafe"), as FTS5's unicode61 does, so PostgreSQL agrees."""
    if word.isascii():
        return word
    stripped = "".join(c for c in unicodedata.normalize("NFD", word) if not unicodedata.combining(c))
    return unicodedata.normalize("NFC", stripped)


def _bigrams(run: str) -> list[str]:
    return [run[i : i + 2] for i in range(len(run) - 1)] if len(run) > 1 else [run]


def _unigrams_and_bigrams(run: str) -> list[str]:
    # Each character followed by the bigram it starts, so the last token is the last character:
    # suggestion_prefix relies on that.
    tokens = []
    for i, char in enumerate(run):
        if i:
            tokens.append(run[i - 1 : i + 1])
        tokens.append(char)
    return tokens


def _jieba_words(run: str) -> list[str]:
    words: list[str] = _jieba().lcut(run)
    return words


def _jieba_and_characters(words: Iterable[str]) -> list[str]:
    """Each word followed by its characters when it has more than one."""
    tokens = []
    for word in words:
        if len(word) > 1:
            if len(word) <= MAX_WORD_LENGTH:  # jieba's HMM may glue a long unknown stretch
                tokens.append(word)
            tokens.extend(word)
        else:
            tokens.append(word)
    return tokens


def _cjk_tokens(run: str, scheme: CjkScheme) -> list[str]:
    if scheme == "unigram+bigram":
        return _unigrams_and_bigrams(run)
    if scheme == "unigram":
        return list(run)
    if scheme == "bigram":
        return _bigrams(run)
    if scheme == "jieba":
        return _jieba_words(run)
    if scheme == "jieba+unigram":
        return _jieba_and_characters(_jieba_words(run))
    if scheme == "jieba-search":
        words: list[str] = _jieba().lcut_for_search(run)
        return words
    raise ValueError(f"Unknown CJK scheme {scheme!r}; use one of {', '.join(CJK_SCHEMES)}.")


def _negation_token(run: str) -> str:
    """The one token of a negation however it is written: "can't", "can’t", "cannot" and "unable" → "cannot"."""
    plain = _NEGATION_TOKENS.get(run)
    return plain if plain is not None else _APOSTROPHE_NEGATION_TOKENS[run[:-2]]


def _version_tokens(version: str) -> list[str]:
    parts = version.split(".")
    joined = [_VERSION_JOIN.join(parts[:n]) for n in range(2, min(len(parts), _VERSION_JOINED_PARTS) + 1)]
    return [token for token in (*parts, *joined) if len(token) <= MAX_WORD_LENGTH]


# --- Synonyms ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SynonymGroup:
    """Phrases that mean the same: a query with one of them also searches for the others.

    One way (``one_way``), the first phrase is what the others stand for: a query with any of the others
    also searches for the first, and a query with the first searches for nothing more. For abbreviations
    and colloquial forms ("pwd" → "password", 咋 → 怎么) and for words that mean the first only sometimes
    ("uninstall" is one kind of "remove"; 授权 is a licence, and also an OAuth authorisation).
    """

    phrases: tuple[str, ...]
    one_way: bool = False


def _one_way(target: str, *others: str) -> SynonymGroup:
    return SynonymGroup((target, *others), one_way=True)


DEFAULT_SYNONYMS: tuple[SynonymGroup, ...] = (
    SynonymGroup(("sign in", "log in", "login", "signin")),
    SynonymGroup(("sign out", "log out", "logout", "signout")),
    SynonymGroup(("licence", "license", "licensing")),
    SynonymGroup(("许可证", "许可")),
    _one_way("许可证", "授权"),
    SynonymGroup(("password", "passcode")),
    SynonymGroup(("two-factor", "2fa", "mfa", "两步验证", "双重验证")),
    SynonymGroup(("single sign-on", "sso", "单点登录")),
    _one_way("remove", "uninstall"),
    SynonymGroup(("登录", "登陆", "登入")),
    SynonymGroup(("email", "e-mail")),
    # Abbreviations customers type.
    _one_way("password", "pwd", "pw"),
    _one_way("facebook", "fb"),
    # Chinese as it is typed rather than written.
    _one_way("怎么", "咋"),
    _one_way("什么", "啥"),
    _one_way("怎么办", "咋办", "咋整"),
    _one_way("无法登录", "登不上", "登不进", "登录不了"),
    _one_way("无法连接", "连不上"),
    _one_way("无法打开", "打不开"),
)


class _Unit(NamedTuple):
    """One run of the normalized text: a word, a dotted number, or a CJK run."""

    kind: Literal["word", "negation", "version", "cjk"]
    text: str  # as normalized (the number without its "v")
    key: str  # what synonyms compare: the stem of a word, a negation's one token, the text otherwise
    stop: bool
    end: int


@dataclass(frozen=True)
class _Phrase:
    keys: tuple[str, ...]
    cjk: tuple[bool, ...]
    tokens: tuple[str, ...]


# --- The analyzer -----------------------------------------------------------------------------------


class Analyzer:
    """Turns text into search tokens; documents and queries go through the same steps.

    ``cjk``, ``stop_words`` and ``stemmer`` exist for the experiments in
    ``bench/analysis_experiments.py``; the project uses the defaults.
    """

    def __init__(
        self,
        synonyms: Sequence[SynonymGroup] = (),
        *,
        cjk: CjkScheme = DEFAULT_CJK_SCHEME,
        stop_words: Iterable[str] = ENGLISH_STOP_WORDS,
        stemmer: str | None = "english",
    ) -> None:
        if cjk not in CJK_SCHEMES:
            raise ValueError(f"Unknown CJK scheme {cjk!r}; use one of {', '.join(CJK_SCHEMES)}.")
        self.cjk = cjk
        self.stop_words = frozenset(stop_words)
        self.stemmer = stemmer
        self._indexed_words: dict[str, str | None] = {}  # word → token; documents repeat their words.
        self._cjk_runs: dict[str, list[str]] = {}  # a run of Han characters → its tokens (jieba is the slow part)
        # (phrases a query may hold, the phrases each of them adds): all the others, or one way the first.
        self._groups: list[tuple[list[_Phrase], list[_Phrase]]] = []
        for group in synonyms:
            phrases = [self._phrase(text) for text in group.phrases]
            if group.one_way:
                target, others = phrases[:1], [phrase for phrase in phrases[1:] if phrase.keys]
                if target and target[0].keys and others:
                    self._groups.append((others, target))
                continue
            phrases = [phrase for phrase in phrases if phrase.keys]
            if len(phrases) > 1:
                self._groups.append((phrases, phrases))

    # Public API ----------------------------------------------------------------------------------

    def normalize(self, text: str) -> str:
        """NFKC, casefold, Traditional Chinese to Simplified."""
        text = unicodedata.normalize("NFKC", text).casefold()
        if _HAN.search(text):
            text = _t2s(text)
        return text

    def document_tokens(self, text: str) -> list[str]:
        """The tokens to index, in order and with repeats (they are the term frequencies)."""
        tokens: list[str] = []
        words = self._indexed_words
        for match in _RUNS.finditer(self.normalize(text)):
            kind = cast(str, match.lastgroup)  # every alternative of _RUNS is a named group
            run = match.group(kind)
            if kind == "word":
                token = words.get(run, _MISSING)
                if token is _MISSING:
                    if len(words) > _WORD_CACHE_SIZE:
                        words.clear()
                    token = words[run] = self._indexed_word(run)
                if isinstance(token, str):  # not a stop word (None)
                    tokens.append(token)
            elif kind == "negation":
                tokens.append(_negation_token(run))
            elif kind == "version":
                tokens.extend(_version_tokens(run))
            else:
                tokens.extend(self._cjk_run_tokens(run))
        return tokens

    def _cjk_run_tokens(self, run: str) -> list[str]:
        """A CJK run's tokens, remembered: a knowledge base repeats its phrases (steps, notes, product names)."""
        runs = self._cjk_runs
        tokens = runs.get(run)
        if tokens is None:
            tokens = _cjk_tokens(run, self.cjk)
            if len(run) <= _CJK_RUN_CACHE_LENGTH:
                if len(runs) > _CJK_RUN_CACHE_SIZE:
                    runs.clear()
                runs[run] = tokens
        return tokens

    def query_tokens(self, text: str) -> list[str]:
        """The tokens to search for: once each, plus those of synonyms of the phrases found.

        A synonym phrase is found when its words stand in the query in the same order, side by
        side (compared by stem, stop words included: "signed in" finds "sign in", "sign up"
        does not), or when a CJK phrase is part of a CJK run ("许可证过期" finds "许可证").
        A one-way group adds its first phrase when the query holds one of the others. Chinese
        question words stay whole, without their characters (``CHINESE_QUESTION_WORDS``).
        """
        units = self._units(self.normalize(text))
        tokens = [token for unit in units for token in self._query_unit_tokens(unit)]
        if self._groups and units:
            query = _QueryUnits(units)
            for sources, added in self._groups:
                found = [phrase for phrase in sources if query.has(phrase)]
                if found:
                    tokens.extend(token for phrase in added if phrase not in found for token in phrase.tokens)
        return list(dict.fromkeys(tokens))

    def suggestion_prefix(self, text: str) -> list[str]:
        """Tokens for suggestions as you type; the last one is to be matched as a prefix.

        While the last word is unfinished (no space or punctuation after it) it is kept even if
        it is a stop word ("in" may become "install") and is cut to the part it shares with its
        stem, so it stays a prefix of what was typed and of the indexed stem: "installing" gives
        "instal" (indexed for install, installs, installation), "happy" gives "happ" (for
        "happi"). An unfinished dotted number ends with its joined form ("4.2" → "4d2", which
        prefixes "4d2d1"); an unfinished CJK run ends with its last character. Once the text
        ends with a space the last token is a full token like any other.
        """
        normalized = self.normalize(text)
        units = self._units(normalized)
        if not units:
            return []
        last = units[-1]
        if last.end < len(normalized):
            tokens = [token for unit in units for token in self._unit_tokens(unit)]
        else:
            tokens = [token for unit in units[:-1] for token in self._unit_tokens(unit)]
            if last.kind == "word":
                if len(last.text) <= MAX_WORD_LENGTH:
                    tokens.append(self._word_prefix(last.text))
            else:
                tokens.extend(self._unit_tokens(last))
        if not tokens:
            return []
        *complete, prefix = tokens
        return [token for token in dict.fromkeys(complete) if token != prefix] + [prefix]

    def surface_terms(self, text: str) -> list[str]:
        """The query's words as typed, normalized, for highlighting: no stems, no stop words.

        Dotted numbers stay whole ("4.2"); CJK runs are cut into jieba words. Negations are left out, as
        the stop words they were.
        """
        terms: list[str] = []
        for unit in self._units(self.normalize(text)):
            if unit.kind == "cjk":
                terms.extend(word for word in _jieba_words(unit.text) if word not in _CHINESE_STOP_WORDS)
            elif unit.kind != "negation" and not unit.stop and len(unit.text) <= MAX_WORD_LENGTH:
                terms.append(unit.text)
        return list(dict.fromkeys(terms))

    # Internals -----------------------------------------------------------------------------------

    def _units(self, normalized: str) -> list[_Unit]:
        return list(self._iter_units(normalized))

    def _iter_units(self, normalized: str) -> Iterator[_Unit]:
        for match in _RUNS.finditer(normalized):
            kind = cast(str, match.lastgroup)  # every alternative of _RUNS is a named group
            text = match.group(kind)
            if kind == "negation" or (kind == "word" and text in _NEGATION_TOKENS):
                yield _Unit("negation", text, _negation_token(text), False, match.end())
            elif kind == "word":
                stop = text in self.stop_words
                yield _Unit("word", text, text if stop else self._word_token(text), stop, match.end())
            elif kind == "version":
                yield _Unit("version", text, text, False, match.end())
            else:
                yield _Unit("cjk", text, text, False, match.end())

    def _word_token(self, word: str) -> str:
        word = _fold(word)
        if self.stemmer is None or _DIGIT.search(word) or len(word) > MAX_WORD_LENGTH:
            return word
        return _stem(word, self.stemmer)

    def _indexed_word(self, word: str) -> str | None:
        if word in _NEGATION_TOKENS:
            return _NEGATION_TOKENS[word]
        if word in self.stop_words:
            return None
        token = self._word_token(word)
        return token if len(token) <= MAX_WORD_LENGTH else None

    def _word_prefix(self, word: str) -> str:
        word = _fold(word)
        stem = self._word_token(word)
        shared = 0
        for a, b in zip(word, stem, strict=False):
            if a != b:
                break
            shared += 1
        return word[: max(shared, 1)]

    def _unit_tokens(self, unit: _Unit) -> list[str]:
        if unit.kind == "word":
            return [] if unit.stop or len(unit.key) > MAX_WORD_LENGTH else [unit.key]
        if unit.kind == "negation":
            return [unit.key]
        if unit.kind == "version":
            return _version_tokens(unit.text)
        return _cjk_tokens(unit.text, self.cjk)

    def _query_unit_tokens(self, unit: _Unit) -> list[str]:
        """A unit's tokens in a query: a CJK run's question words without their characters (with the
        default scheme, jieba words and characters)."""
        if unit.kind != "cjk" or self.cjk != "jieba+unigram":
            return self._unit_tokens(unit)
        words = _jieba_words(unit.text)
        if not CHINESE_QUESTION_WORDS.intersection(words):
            return self._unit_tokens(unit)
        return [
            token
            for word in words
            for token in ([word] if word in CHINESE_QUESTION_WORDS else _jieba_and_characters([word]))
        ]

    def _phrase(self, text: str) -> _Phrase:
        units = self._units(self.normalize(text))
        return _Phrase(
            keys=tuple(unit.key for unit in units),
            cjk=tuple(unit.kind == "cjk" for unit in units),
            tokens=tuple(dict.fromkeys(token for unit in units for token in self._query_unit_tokens(unit))),
        )


class _QueryUnits:
    """The query's units, indexed so each synonym phrase is looked for only where it may start."""

    def __init__(self, units: list[_Unit]) -> None:
        self.keys = [unit.key for unit in units]
        self.cjk = [unit.kind == "cjk" for unit in units]
        self.starts: dict[str, list[int]] = {}
        for i, key in enumerate(self.keys):
            self.starts.setdefault(key, []).append(i)
        self.cjk_starts = [i for i, is_cjk_run in enumerate(self.cjk) if is_cjk_run]

    def has(self, phrase: _Phrase) -> bool:
        """Whether the phrase's units stand side by side in the query's units.

        A CJK unit of the phrase may be part of the query's CJK run: anywhere in it for a
        one-unit phrase, at the end of the run for the phrase's first unit, at its start for
        the last.
        """
        keys, cjk, n = self.keys, self.cjk, len(phrase.keys)
        starts = self.cjk_starts if phrase.cjk[0] else self.starts.get(phrase.keys[0], ())
        for start in starts:
            if start + n > len(keys):
                break
            for j, (key, key_is_cjk) in enumerate(zip(phrase.keys, phrase.cjk, strict=True)):
                query_key = keys[start + j]
                if key == query_key:
                    continue
                if not (key_is_cjk and cjk[start + j]):
                    break
                if n == 1 and key in query_key:
                    continue
                if n > 1 and ((j == 0 and query_key.endswith(key)) or (j == n - 1 and query_key.startswith(key))):
                    continue
                break
            else:
                return True
        return False


DEFAULT_ANALYZER = Analyzer()
