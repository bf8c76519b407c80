"""BM25's statistics as rows to add up: indexing inserts, never updates a shared row; compaction folds them."""

import threading

import pytest
from django.db import connection, connections, transaction
from django.test.utils import CaptureQueriesContext

from kbportal.search import indexing, service, statistics
from kbportal.search.models import SearchTermCount, SearchTotals, SearchWordCount
from tests.articles.factories import ArticleFactory

pytestmark = pytest.mark.django_db

STATISTICS_TABLES = ("search_searchtermcount", "search_searchwordcount", "search_searchtotals")


def _article(title: str, body: str = "Proxy settings and the firewall."):
    return ArticleFactory(title=title, body=body)


def test_indexing_inserts_statistics_and_updates_no_shared_row():
    article = _article("Configure the proxy")

    with CaptureQueriesContext(connection) as captured:
        indexing.index_items("article", [article.pk])  # in the index already: a replacement, -1 and +1

    writes = [q["sql"] for q in captured if any(table in q["sql"] for table in STATISTICS_TABLES)]
    assert writes
    assert not any(sql.lstrip().upper().startswith(("UPDATE", "DELETE")) for sql in writes)


def test_the_counts_are_the_sums_of_their_rows():
    articles = [_article(f"Configure the proxy {n}") for n in range(3)]
    for article in articles:
        indexing.index_items("article", [article.pk])  # each a replacement of what the save indexed
    live = statistics.state().live

    assert statistics.document_frequencies(live, ["proxi"]) == {"proxi": 3}
    assert statistics.state().documents == 3
    assert SearchTermCount.objects.filter(term="proxi").count() > 1


def test_compaction_folds_each_key_into_one_row_and_changes_no_count():
    articles = [_article(f"Configure the proxy {n}") for n in range(3)]
    for article in articles:
        indexing.index_items("article", [article.pk])
    indexing.remove_items("article", [articles[0].pk])
    live = statistics.state().live
    before = (
        statistics.state(),
        statistics.document_frequencies(live, ["proxi", "configur"]),
        statistics.word_counts(live),
    )

    removed = statistics.compact()

    after = (
        statistics.state(),
        statistics.document_frequencies(live, ["proxi", "configur"]),
        statistics.word_counts(live),
    )
    assert removed > 0
    assert after == before
    for model, key in ((SearchTermCount, "term"), (SearchWordCount, "word")):
        keys = list(model.objects.values_list(key, flat=True))
        assert len(keys) == len(set(keys))
        assert not model.objects.filter(documents=0).exists()
    assert SearchTotals.objects.count() == 1


def test_a_key_whose_rows_add_up_to_nothing_leaves_with_compaction():
    article = _article("A unique xylophone guide")
    indexing.remove_items("article", [article.pk])

    statistics.compact()

    assert not SearchTermCount.objects.filter(term="xylophon").exists()
    assert "xylophone" not in statistics.word_counts(statistics.state().live)


def test_ranking_is_the_same_before_and_after_compaction():
    for n in range(4):
        _article(f"Configure the proxy {n}", body="Proxy " * (n + 1))
    before = [(hit.title, round(hit.score, 6)) for hit in service.search("proxy").hits]

    statistics.compact()

    assert [(hit.title, round(hit.score, 6)) for hit in service.search("proxy").hits] == before


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_indexing_transactions_do_not_wait_for_each_other_on_common_terms():
    """Before, each batch updated the shared term rows: a second batch waited for the first to commit."""
    if connection.vendor != "postgresql":
        pytest.skip("SQLite has one writer at a time by design")
    first, second = _article("Configure the proxy"), _article("Configure the proxy again")
    first_wrote, second_done = threading.Event(), threading.Event()
    errors = []

    def index_first_and_hold():
        try:
            with transaction.atomic():
                indexing._index_into([statistics.state().live], "article", [first.pk])
                first_wrote.set()
                second_done.wait(timeout=20)
        except Exception as error:
            errors.append(error)
        finally:
            connections.close_all()

    holder = threading.Thread(target=index_first_and_hold)
    holder.start()
    try:
        assert first_wrote.wait(timeout=20)
        with connection.cursor() as cursor:
            cursor.execute("SET lock_timeout = '3s'")
        indexing._index_into([statistics.state().live], "article", [second.pk])  # raises if it had to wait
        second_done.set()
    finally:
        second_done.set()
        holder.join(timeout=30)
    assert not errors
    assert statistics.document_frequencies(statistics.state().live, ["proxi"]) == {"proxi": 2}


def test_a_process_folds_the_rows_every_hundred_batches_without_beat(monkeypatch, django_capture_on_commit_callbacks):
    monkeypatch.setattr(statistics, "COMPACT_EVERY", 3)
    monkeypatch.setattr(statistics, "_batches_since_compaction", 0)
    articles = [_article(f"Configure the proxy {n}") for n in range(3)]

    with django_capture_on_commit_callbacks(execute=True):
        for article in articles[:2]:
            indexing.index_items("article", [article.pk])
    assert SearchTermCount.objects.filter(term="proxi").count() == 2  # one row per batch so far
    with django_capture_on_commit_callbacks(execute=True):
        indexing.index_items("article", [articles[2].pk])  # the third batch: folded

    assert SearchTermCount.objects.filter(term="proxi").count() == 1
    assert statistics.document_frequencies(statistics.state().live, ["proxi"]) == {"proxi": 3}
