"""Did-you-mean's vocabulary: read once per process, again only when the index's words changed."""

from types import SimpleNamespace

import pytest

from kbportal.search import analyzers, service
from kbportal.search.models import SearchWordCount
from tests.articles.factories import ArticleFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def clock(monkeypatch):
    """The service's monotonic clock, moved by hand."""
    now = SimpleNamespace(value=1000.0)
    monkeypatch.setattr(service, "time", SimpleNamespace(monotonic=lambda: now.value))
    return now


def _words() -> set[str]:
    return service._words()[0]


def test_an_unchanged_index_is_never_read_twice(clock, django_assert_num_queries):
    SearchWordCount.objects.create(generation=1, word="install", documents=3)
    analyzers.vocabulary_changed()
    assert "install" in _words()

    clock.value += service._VOCABULARY_TTL * 5
    with django_assert_num_queries(0):
        assert "install" in _words()


def test_changed_words_are_read_at_the_next_check_and_at_most_once_per_period(clock, django_assert_num_queries):
    SearchWordCount.objects.create(generation=1, word="install", documents=3)
    assert "install" in _words()

    SearchWordCount.objects.create(generation=1, word="activate", documents=2)
    analyzers.vocabulary_changed()
    clock.value += service._VOCABULARY_TTL / 2
    with django_assert_num_queries(0):
        assert "activate" not in _words()  # not yet: a busy index is read at most once a period

    clock.value += service._VOCABULARY_TTL
    assert "activate" in _words()


def test_a_change_whose_signal_was_lost_arrives_with_the_periodic_reread(clock, monkeypatch):
    SearchWordCount.objects.create(generation=1, word="install", documents=3)
    assert "install" in _words()
    SearchWordCount.objects.create(
        generation=1, word="activate", documents=2
    )  # no vocabulary_changed(): Redis was down

    clock.value += service._VOCABULARY_TTL * 2
    assert "activate" not in _words()
    clock.value += service._VOCABULARY_MAX_AGE
    assert "activate" in _words()


def test_an_index_update_tells_every_process_the_vocabulary_changed(django_capture_on_commit_callbacks):
    before = analyzers.vocabulary_version()

    with django_capture_on_commit_callbacks(execute=True):
        ArticleFactory(title="Configure the proxy")

    assert analyzers.vocabulary_version() not in (None, before)
