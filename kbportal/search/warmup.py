"""Load, once, what the first search in a process would otherwise load while a visitor waits.

jieba's dictionary, OpenCC's converter and the Snowball stemmer are built lazily per process
(``analysis.py``), which made the first search in each fresh server worker take seconds. Servers call
``warm_up()`` in the parent before they fork (gunicorn's master with ``preload_app``, see
``deploy/gunicorn.conf.py``; Celery's ``worker_init``, see ``kbportal/celery.py``), so every worker starts
with them in memory.

Nothing opened here may be shared by the forked workers: the database connections the vocabulary read
opened are closed before returning, and the cache (Redis) is never touched — the analyzer with the staff's
synonym groups, whose freshness the cache tracks, is still built lazily in each worker (one small query).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from contextlib import contextmanager

from django.conf import settings
from django.db import DatabaseError, connections
from django.urls import get_resolver
from django.utils.translation import trans_real

from . import analysis, service

logger = logging.getLogger(__name__)

# Words of every kind the analyzer treats differently: English stems and stop words, a version, Traditional
# Chinese (OpenCC), Chinese words (jieba) and a synonym of the built-in groups.
_SAMPLE = "Installing the license for version 4.2 fails after signing in: 軟件許可證過期，无法登录"


def warm_up() -> dict[str, float]:
    """Load the search analysis helpers, the URLs and the translations, and read the vocabulary once.

    Returns the seconds each part took, for the log. Leaves no database connection open and opens no cache
    connection, so it is safe to call in a process that forks workers afterwards. An unreachable or
    unmigrated database only skips the vocabulary.
    """
    timings: dict[str, float] = {}
    try:
        with _timed(timings, "analysis"):
            analysis.DEFAULT_ANALYZER.document_tokens(_SAMPLE)
            analysis.DEFAULT_ANALYZER.query_tokens(_SAMPLE)
            analysis.DEFAULT_ANALYZER.surface_terms(_SAMPLE)
        with _timed(timings, "urls"):
            get_resolver().url_patterns  # noqa: B018 - imports every view module
        with _timed(timings, "translations"):
            for language, _name in settings.LANGUAGES:
                trans_real.translation(language)
        with _timed(timings, "vocabulary"):
            try:
                service._words()  # did-you-mean's vocabulary (not did_you_mean itself: its analyzer reads the cache)
            except DatabaseError as error:
                # A server must start while its database is down or not migrated yet: the health check tells.
                logger.warning(
                    "Warm-up skipped the search vocabulary (%s); each worker reads it at its first search.", error
                )
    finally:
        connections.close_all()
    logger.info("Warmed up in %.2f s: %s", sum(timings.values()), timings)
    return timings


@contextmanager
def _timed(timings: dict[str, float], name: str) -> Iterator[None]:
    start = time.perf_counter()
    yield
    timings[name] = round(time.perf_counter() - start, 3)
