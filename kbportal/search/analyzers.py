"""The analyzer in use: the built-in synonyms plus the groups staff keep in the admin."""

from __future__ import annotations

import threading

from django.core.cache import cache

from .analysis import DEFAULT_SYNONYMS, Analyzer
from .analysis import SynonymGroup as Group

_VERSION_KEY = "search:synonyms:version"
_local = threading.local()


def synonyms_changed() -> None:
    """Tell every process to rebuild its analyzer (the synonym groups changed)."""
    try:
        cache.incr(_VERSION_KEY)
    except ValueError:
        cache.set(_VERSION_KEY, 1, timeout=None)


def _load() -> Analyzer:
    from .models import SynonymGroup

    groups = [Group(phrases=tuple(group.phrase_list())) for group in SynonymGroup.objects.all()]
    return Analyzer(synonyms=[*DEFAULT_SYNONYMS, *[g for g in groups if len(g.phrases) >= 2]])


def current_analyzer() -> Analyzer:
    version = cache.get(_VERSION_KEY, 0)
    cached = getattr(_local, "analyzer", None)
    if cached is None or cached[0] != version:
        _local.analyzer = (version, _load())
    return _local.analyzer[1]
