"""Load, once, what the first search in a process would otherwise load while a visitor waits.

jieba's dictionary, OpenCC's converter and the Snowball stemmer are built lazily per process
(``analysis.py``), which made the first search in each fresh server worker take seconds. ``warm_up()`` runs
once per process where a server loads the application: ``kbportal/wsgi.py`` and ``kbportal/asgi.py``, which
only servers import (gunicorn's master with ``preload_app``, see ``deploy/gunicorn.conf.py``; each worker
without it; runserver, uvicorn, daphne), and Celery's ``worker_init`` (``kbportal/celery.py``). In a parent
that forks, every worker starts with it all in memory, shared copy-on-write. Not in ``AppConfig.ready()``:
that also runs for every management command, migration and test, which need none of it.

Nothing opened here may be shared by the forked workers: the database connections the vocabulary and the
synonym groups' reads opened are closed before returning, and the cache (Redis) is never touched — the
analyzer is built without its version, so a worker whose cache says the synonyms changed rebuilds it once.
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
from .analyzers import preload_analyzer

logger = logging.getLogger(__name__)

# Words of every kind the analyzer treats differently: English stems and stop words, a version, Traditional
# Chinese (OpenCC), Chinese words (jieba) and a synonym of the built-in groups.
_SAMPLE = "Installing the license for version 4.2 fails after signing in: 軟件許可證過期，无法登录"


_done = False


def warm_up() -> dict[str, float]:
    """Load the search analysis helpers, the URLs and the translations, build the analyzer with the staff's
    synonyms and read the vocabulary; once per process (later calls, and forked children, find it done).

    Returns the seconds each part took, for the log ({} when already done). Leaves no database connection
    open and opens no cache connection, so it is safe to call in a process that forks workers afterwards. An
    unreachable or unmigrated database only skips the synonyms and the vocabulary.
    """
    global _done
    if _done:
        return {}
    _done = True
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
                preload_analyzer()  # the staff's synonym groups (current_analyzer would read the cache)
                # Did-you-mean's vocabulary, its version unknown (the cache is not read here): a worker whose cache
                # holds one reads the words again at its first check (service._words).
                service._load_vocabulary(None)
            except DatabaseError as error:
                # A server must start while its database is down or not migrated yet: the health check tells.
                logger.warning(
                    "Warm-up skipped the synonyms and the search vocabulary (%s); each worker reads them at its "
                    "first search.",
                    error,
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
