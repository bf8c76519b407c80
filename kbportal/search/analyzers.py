"""The analyzer in use: the built-in synonyms plus the groups staff keep in the admin."""

from __future__ import annotations

import threading
import time
import uuid

from django.core.cache import cache

from .analysis import DEFAULT_SYNONYMS, Analyzer
from .analysis import SynonymGroup as Group

_VERSION_KEY = "search:synonyms:version"
_VOCABULARY_VERSION_KEY = "search:vocabulary:version"
# A process rebuilds its analyzer at least this often, so a change whose signal the cache lost (Redis was
# down when staff saved the groups) reaches every process within this many seconds.
_REFRESH_SECONDS = 600
# One analyzer per process, shared by its threads (it holds no per-call state; the stemmer has its own lock):
# (synonyms version, analyzer, built at). Built in a server's master by warm_up() before it forks.
_current: tuple[str | None, Analyzer, float] | None = None
_build_lock = threading.Lock()


def synonyms_changed() -> None:
    """Tell every process to rebuild its analyzer (the synonym groups changed).

    A new random version rather than INCR: a Redis that restarts empty cannot hand out a number some
    process already holds, and with Redis down the write is dropped (the refresh above covers it)."""
    cache.set(_VERSION_KEY, uuid.uuid4().hex, timeout=None)


def vocabulary_changed() -> None:
    """Tell every process that the index's words changed: their did-you-mean vocabulary is stale.

    A random version, as for the synonyms; with Redis down the signal is lost and the processes' periodic
    re-read covers it (`service._VOCABULARY_MAX_AGE`)."""
    cache.set(_VOCABULARY_VERSION_KEY, uuid.uuid4().hex, timeout=None)


def vocabulary_version() -> str | None:
    """The version the last `vocabulary_changed()` set; None if never since the cache started, or unreachable."""
    version: str | None = cache.get(_VOCABULARY_VERSION_KEY)
    return version


def _load() -> Analyzer:
    from .models import SynonymGroup

    groups = [Group(phrases=tuple(group.phrase_list()), one_way=group.one_way) for group in SynonymGroup.objects.all()]
    return Analyzer(synonyms=[*DEFAULT_SYNONYMS, *[g for g in groups if len(g.phrases) >= 2]])


def current_analyzer() -> Analyzer:
    # None: never changed, or the cache is unreachable (a miss) — keep the analyzer this process has rather
    # than rebuild it on every search of an outage.
    global _current
    version = cache.get(_VERSION_KEY)
    cached = _current
    if (
        cached is None
        or (version is not None and cached[0] != version)
        or time.monotonic() - cached[2] > _REFRESH_SECONDS
    ):
        with _build_lock:  # one thread builds it; the others wait for that one rather than build their own
            if _current is cached or _current is None:
                _current = (version, _load(), time.monotonic())
            return _current[1]
    return cached[1]


def preload_analyzer() -> Analyzer:
    """Build this process's analyzer now (the staff's synonym groups: one query), without reading the cache.

    For a server's master before it forks (warm_up): the workers inherit it. Its version is unknown, so a
    worker whose cache holds a synonyms version builds its own at its first search (one small query)."""
    global _current
    with _build_lock:
        _current = (None, _load(), time.monotonic())
        return _current[1]


def forget_analyzer() -> None:
    """Drop this process's analyzer: the next search builds it (tests, and a synonym change in this process)."""
    global _current
    with _build_lock:
        _current = None
