"""The analyzer in use: the built-in synonyms plus the groups staff keep in the admin."""

from __future__ import annotations

import threading
import time
import uuid

from django.core.cache import cache

from .analysis import DEFAULT_SYNONYMS, Analyzer
from .analysis import SynonymGroup as Group

_VERSION_KEY = "search:synonyms:version"
# A process rebuilds its analyzer at least this often, so a change whose signal the cache lost (Redis was
# down when staff saved the groups) reaches every process within this many seconds.
_REFRESH_SECONDS = 600
_local = threading.local()


def synonyms_changed() -> None:
    """Tell every process to rebuild its analyzer (the synonym groups changed).

    A new random version rather than INCR: a Redis that restarts empty cannot hand out a number some
    process already holds, and with Redis down the write is dropped (the refresh above covers it)."""
    cache.set(_VERSION_KEY, uuid.uuid4().hex, timeout=None)


def _load() -> Analyzer:
    from .models import SynonymGroup

    groups = [Group(phrases=tuple(group.phrase_list())) for group in SynonymGroup.objects.all()]
    return Analyzer(synonyms=[*DEFAULT_SYNONYMS, *[g for g in groups if len(g.phrases) >= 2]])


def current_analyzer() -> Analyzer:
    # None: never changed, or the cache is unreachable (a miss) — keep the analyzer this thread has rather
    # than rebuild it on every search of an outage.
    version = cache.get(_VERSION_KEY)
    cached = getattr(_local, "analyzer", None)
    if (
        cached is None
        or (version is not None and cached[0] != version)
        or time.monotonic() - cached[2] > _REFRESH_SECONDS
    ):
        _local.analyzer = (version, _load(), time.monotonic())
    analyzer: Analyzer = _local.analyzer[1]
    return analyzer
