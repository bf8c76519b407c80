"""Query counts that depend neither on the clock nor on the tests that ran before on the same worker.

A page reads state that expires: the banner's list of notices lives 60 seconds in the Django cache, the
search engine keeps its vocabulary and synonyms per process for minutes, and django-ratelimit names its
counters after the current window of the clock. A refill or a new window costs queries, so a count taken
when one of them runs out is one or two higher than the count beside it (a forum page once counted 17
instead of 16). `page_queries` empties those caches, lets one request fill them and counts the next: always
the cost of a warm page, however long the test has run. Every test starts with the caches empty and stays
in one rate-limit window (`_fresh_caches` and `_one_rate_window` in tests/conftest.py).
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from types import SimpleNamespace
from unittest import mock

import pytest
from django.core.cache import caches
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django_ratelimit import core as ratelimit_core

from kbportal.announcements.selectors import CACHE_SECONDS as BANNER_SECONDS
from kbportal.search import service as search_service
from kbportal.search.analyzers import synonyms_changed

# The shortest time to live a page reads (the vocabulary lives 300 s, the analyzer 600 s): a warm-up and
# its count that take longer than this could see something expire between them.
SHORTEST_TIME_TO_LIVE = BANNER_SECONDS


def forget_caches() -> None:
    """Empty what a page caches between requests, as a freshly started process finds it."""
    cache = caches["default"]
    if hasattr(cache, "delete_pattern"):
        # Redis: this process's keys only (its KEY_PREFIX). clear() is FLUSHDB, which would also empty the
        # keys of the other test processes sharing the database, mid-count.
        cache.delete_pattern("*")
    else:
        cache.clear()
    search_service.forget_vocabulary()
    synonyms_changed()  # every thread rebuilds its analyzer on its next search


@contextmanager
def one_rate_window() -> Iterator[None]:
    """Keep django-ratelimit in the window it is in. A new window restarts every count (a test of "10 an hour"
    would see 12 pass when an hour's edge falls inside it), and its first counter costs an insert, not an update."""
    frozen = time.time()
    with mock.patch.object(ratelimit_core, "time", SimpleNamespace(time=lambda: frozen)):
        yield


def page_queries(client, url: str, data=None, *, warm: bool = True, status: int = 200) -> int:
    """The queries a GET of `url` costs, with every cache filled by the request before it (`warm`), or
    with every cache just emptied (`warm=False`: a first visit, e.g. one that starts a help session).

    The page itself is rendered each time: a public page's stored copy (kbportal/pagecache.py) costs no query
    at all, which would hide what rendering it costs (tests/kbportal/test_public_pages.py counts the copy)."""
    started = time.monotonic()
    forget_caches()
    with override_settings(KBPORTAL_PAGE_CACHE_SECONDS=0):
        if warm:
            client.get(url, data)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url, data)
    took = time.monotonic() - started
    if took >= SHORTEST_TIME_TO_LIVE:
        pytest.fail(f"counting {url} took {took:.0f} s, longer than the banner's list lives: not comparable")
    assert response.status_code == status, url
    return len(queries)
