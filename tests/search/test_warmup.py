"""The warm-up loads the analysis before a server forks, and leaves nothing a forked worker could share."""

import pytest
from django.core.cache import CacheHandler
from django.db import OperationalError, connections

from kbportal.search import analysis, service
from kbportal.search.warmup import warm_up


@pytest.fixture
def cold_process(monkeypatch):
    """This process as a fresh server finds it: no analysis helpers loaded (conftest forgets the vocabulary)."""
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

    monkeypatch.setattr(service, "_words", database_down)

    _warm_up_without_a_cache(monkeypatch)

    assert analysis._helpers["jieba"].initialized
    assert not service._vocabulary["loaded"]
