"""A rebuild fills a new generation beside the live one and swaps: search stays complete while it runs."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from articles.models import Article
from kbportal.outbox import services as outbox
from kbportal.outbox.models import Kind
from kbportal.search import indexing, service, statistics
from kbportal.search.models import (
    SearchDocument,
    SearchGeneration,
    SearchPosting,
    SearchTermCount,
    SearchTotals,
    SearchWordCount,
)
from tests.articles.factories import ArticleFactory

pytestmark = pytest.mark.django_db

TITLES = [f"Configure the proxy for office {n}" for n in range(12)]


@pytest.fixture
def articles(indexed):
    return [indexed(ArticleFactory, title=title, body="Proxy settings and the firewall.") for title in TITLES]


def _found(query: str) -> list[str]:
    return [hit.title for hit in service.search(query, limit=50).hits]


def _rebuild_with(monkeypatch, during):
    """Rebuild in batches of 5, calling `during(done)` after each batch while the old generation is live."""
    monkeypatch.setattr(indexing, "BATCH", 5)
    return indexing.rebuild(progress=lambda kind, done, total: during(done) if kind == "article" else None)


def test_search_finds_everything_at_every_step_of_a_rebuild(articles, monkeypatch):
    seen = []

    _rebuild_with(monkeypatch, lambda done: seen.append((statistics.state().building, len(_found("proxy")))))

    assert [count for _building, count in seen] == [len(TITLES)] * len(seen)
    assert all(building is not None for building, _count in seen)  # they ran while the new one was building
    assert sorted(_found("proxy")) == sorted(TITLES)


def test_the_swap_leaves_one_generation_and_removes_the_old_one_entirely(articles):
    before = statistics.state().live

    indexing.rebuild()

    after = statistics.state()
    assert after.live == before + 1
    assert after.building is None
    assert set(SearchDocument.objects.values_list("generation", flat=True)) == {after.live}
    ids = set(SearchDocument.objects.values_list("pk", flat=True))
    assert set(SearchPosting.objects.values_list("document_id", flat=True)) == ids
    for model in (SearchTermCount, SearchWordCount, SearchTotals):
        assert set(model.objects.values_list("generation", flat=True)) == {after.live}
    assert SearchGeneration.objects.get(number=before).state == SearchGeneration.State.RETIRED
    assert after.documents == len(TITLES)


def test_the_statistics_of_a_rebuilt_index_equal_those_of_the_index_kept_up_to_date(articles):
    live = statistics.state().live
    terms = ["proxi", "configur", "firewal", "offic"]
    kept = statistics.state()
    kept_terms, kept_words = statistics.document_frequencies(live, terms), statistics.word_counts(live)

    indexing.rebuild()

    rebuilt = statistics.state()
    assert (rebuilt.documents, rebuilt.tokens) == (kept.documents, kept.tokens)
    assert statistics.document_frequencies(rebuilt.live, terms) == kept_terms
    assert statistics.word_counts(rebuilt.live) == kept_words


def test_an_edit_during_the_rebuild_reaches_the_new_generation(articles, monkeypatch, indexed):
    first = articles[0]

    def edit(done):
        if done == 5:  # the first article is in the new generation already
            Article.objects.filter(pk=first.pk).update(title="Renamed: the VPN client")
            indexing.index_items("article", [first.pk])

    _rebuild_with(monkeypatch, edit)

    assert _found("vpn") == ["Renamed: the VPN client"]
    assert SearchDocument.objects.filter(object_id=first.pk).count() == 1


def test_an_update_recorded_during_the_rebuild_is_replayed_before_the_swap(articles, monkeypatch):
    """The change committed while its batch was being read: only the outbox knows, and the rebuild asks it."""
    first = articles[0]

    def edit_behind_the_rebuild(done):
        if done == 5:
            Article.objects.filter(pk=first.pk).update(title="Renamed: the VPN client")
            outbox.record(kind=Kind.SEARCH_INDEX, payload={"kind": "article", "ids": [first.pk]}, hand_over=False)

    _rebuild_with(monkeypatch, edit_behind_the_rebuild)

    assert _found("vpn") == ["Renamed: the VPN client"]


def test_a_removal_during_the_rebuild_leaves_no_trace_in_the_new_generation(articles, monkeypatch):
    last = articles[-1]

    def archive(done):
        if done == 5:
            Article.objects.filter(pk=last.pk).update(status="archived")
            indexing.index_items("article", [last.pk])

    _rebuild_with(monkeypatch, archive)

    assert last.title not in _found("proxy")
    assert not SearchDocument.objects.filter(object_id=last.pk).exists()


def test_a_rebuild_that_fails_leaves_the_live_index_as_it_was(articles, monkeypatch):
    live = statistics.state().live

    def fail(done):
        raise RuntimeError("the worker was stopped")

    with pytest.raises(RuntimeError):
        _rebuild_with(monkeypatch, fail)

    assert statistics.state().live == live
    assert statistics.state().building is None
    assert set(SearchDocument.objects.values_list("generation", flat=True)) == {live}
    assert sorted(_found("proxy")) == sorted(TITLES)


def test_a_half_built_generation_a_dead_rebuild_left_is_discarded_by_the_next(articles):
    from kbportal.search import generations

    orphan = generations.begin()  # as if the process died after its first batches
    indexing._build_batch(orphan, "article", [articles[0].pk])

    indexing.rebuild()

    assert not SearchDocument.objects.filter(generation=orphan).exists()
    assert SearchGeneration.objects.get(number=orphan).state == SearchGeneration.State.RETIRED
    assert sorted(_found("proxy")) == sorted(TITLES)


def test_suggestions_show_each_title_once_while_a_rebuild_runs(articles, monkeypatch):
    suggested = []

    _rebuild_with(monkeypatch, lambda done: suggested.append([hit.title for hit in service.suggest("configure pro")]))

    assert all(len(titles) == len(set(titles)) for titles in suggested)


def _queries_of_a_search() -> int:
    with CaptureQueriesContext(connection) as captured:
        service.search("proxy firewall")
    return len(captured)


def test_a_search_costs_the_same_queries_during_a_rebuild(articles, monkeypatch):
    service.search("proxy")  # the vocabulary, read once per process
    during = []

    _rebuild_with(monkeypatch, lambda done: during.append(_queries_of_a_search()))

    assert set(during) == {_queries_of_a_search()}


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_command_outside_a_transaction_also_repacks_the_postings(django_capture_on_commit_callbacks):
    """On PostgreSQL the command ends with REINDEX CONCURRENTLY, which PostgreSQL allows only outside a transaction."""
    from django.core.management import call_command

    with django_capture_on_commit_callbacks(execute=True):
        for title in TITLES[:3]:
            ArticleFactory(title=title, body="Proxy settings and the firewall.")

    call_command("rebuild_search_index", verbosity=0)

    assert sorted(_found("proxy")) == sorted(TITLES[:3])
