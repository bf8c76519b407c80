"""The warm-up loads the analysis before a server forks, and leaves nothing a forked worker could share."""

import pytest
from django.core.cache import CacheHandler
from django.db import OperationalError, connections

from kbportal.search import analysis, analyzers, service, warmup
from kbportal.search.models import SynonymGroup
from kbportal.search.warmup import warm_up
from tests.concurrency import run_concurrently


@pytest.fixture
def cold_process(monkeypatch):
    """This process as a fresh server finds it: nothing warmed up, no analysis helpers, no analyzer (conftest
    forgets the vocabulary)."""
    monkeypatch.setattr(warmup, "_done", False)
    monkeypatch.setattr(analyzers, "_current", None)
    monkeypatch.setattr(analysis, "_helpers", {})
    monkeypatch.setattr(analysis, "_stemmers", {})
    analysis._stem.cache_clear()  # stems other tests cached would never reach the stemmer


def _warm_up_without_a_cache(monkeypatch) -> None:
    def no_cache(self, alias):
        raise AssertionError(f"the warm-up opened the {alias!r} cache: forked workers would share its connections")

    with monkeypatch.context() as patch:
        patch.setattr(CacheHandler, "__getitem__", no_cache)
        warm_up()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.usefixtures("cold_process")
def test_after_the_warm_up_the_analysis_is_loaded_and_no_connection_is_left_open(monkeypatch):
    _warm_up_without_a_cache(monkeypatch)

    assert analysis._helpers["jieba"].initialized
    assert analysis._helpers["opencc"].convert("軟件") == "软件"
    assert "english" in analysis._stemmers
    assert service._vocabulary["loaded"]
    assert all(connection.connection is None for connection in connections.all())


@pytest.mark.usefixtures("cold_process")
def test_a_database_that_is_down_only_skips_the_vocabulary(monkeypatch):
    def database_down():
        raise OperationalError("connection refused")

    monkeypatch.setattr(analyzers, "_load", database_down)
    monkeypatch.setattr(service, "_load_vocabulary", database_down)

    _warm_up_without_a_cache(monkeypatch)

    assert analysis._helpers["jieba"].initialized
    assert analyzers._current is None
    assert not service._vocabulary["loaded"]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.usefixtures("cold_process")
def test_the_warm_up_builds_the_analyzer_with_the_staff_synonyms_that_every_thread_then_shares(monkeypatch):
    SynonymGroup.objects.create(phrases="receipt\ninvoice")
    _warm_up_without_a_cache(monkeypatch)
    built = analyzers._current[1]

    assert "invoic" in built.query_tokens("receipt")
    # The cache holds a synonyms version (the save above sent one), unknown to the master: built once more.
    shared = analyzers.current_analyzer()

    def same(n: int) -> None:
        assert analyzers.current_analyzer() is shared

    assert run_concurrently(4, same) == []


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.usefixtures("cold_process")
def test_the_warm_up_runs_once_per_process(monkeypatch):
    _warm_up_without_a_cache(monkeypatch)
    loaded = service._vocabulary["loaded"]

    assert warm_up() == {}  # wsgi.py and a server hook may both ask: the second finds it done
    assert service._vocabulary["loaded"] == loaded
