"""Ranked retrieval from the postings: each term's best documents first, exact BM25F over the best few."""

import pytest

from articles import services as article_services
from kbportal.search import postings, service
from kbportal.search.models import SearchDocument, SearchPosting
from tests.articles.factories import ArticleFactory, CategoryFactory, VideoFactory

pytestmark = pytest.mark.django_db


def _terms_of(article) -> set[str]:
    document = SearchDocument.objects.get(kind="article", object_id=article.pk)
    return set(SearchPosting.objects.filter(document_id=document.pk).values_list("term", flat=True))


def test_a_document_has_one_posting_per_distinct_term_with_its_count_in_each_field(indexed):
    article = indexed(ArticleFactory, title="Proxy settings", body="Proxy proxy proxy.", summary="")
    document = SearchDocument.objects.get(kind="article", object_id=article.pk)

    rows = SearchPosting.objects.filter(document_id=document.pk).values_list("term", "title_count", "body_count")

    assert sorted(rows) == [("proxi", 1, 3), ("set", 1, 0)]
    assert (document.title_length, document.length) == (2, 5)


def test_postings_follow_edits_and_deletes(indexed, django_capture_on_commit_callbacks, editor):
    article = indexed(ArticleFactory, title="Proxy settings", body="Configure the proxy.", summary="")
    assert "proxi" in _terms_of(article)

    with django_capture_on_commit_callbacks(execute=True):
        article_services.article_update(article=article, by=editor, title="Firewall rules", body="Open port 443.")
    assert _terms_of(article) == {"firewal", "rule", "open", "port", "443"}

    with django_capture_on_commit_callbacks(execute=True):
        article.delete()
    assert not SearchPosting.objects.exists()


@pytest.fixture
def crowded(indexed):
    """Twelve pages that all say "sync" often, and one that says it once beside a rare word."""
    category = CategoryFactory()
    for number in range(12):
        indexed(ArticleFactory, title=f"Sync guide {number}", body="Sync sync sync.", summary="", category=category)
    return indexed(ArticleFactory, title="Calendar", body="Sync the calendar with Outlook.", summary="")


def test_a_common_term_reads_only_its_best_postings_and_a_rare_term_still_finds_its_page(crowded, monkeypatch):
    monkeypatch.setattr(postings, "POSTINGS_PER_TERM", 3)

    hits = service.search("sync outlook").hits

    assert hits[0].title == "Calendar"
    assert len(hits) == 1 + 3  # "sync" contributed its three best pages, not all thirteen


def test_with_every_posting_read_the_ranking_is_plain_bm25(crowded):
    titles = [hit.title for hit in service.search("sync outlook").hits]

    assert titles[0] == "Calendar"
    assert len(titles) == 13


def test_a_filter_leaving_too_few_candidates_walks_the_postings_of_matching_documents(crowded, indexed, monkeypatch):
    filler = " ".join(f"step{number}" for number in range(60))
    indexed(VideoFactory, title="Sync on the phone", description="", transcript=f"Tap sync once. {filler}")
    monkeypatch.setattr(postings, "POSTINGS_PER_TERM", 3)
    monkeypatch.setattr(postings, "CANDIDATES", 3)

    hits = service.search("sync", kinds=["video"]).hits

    assert [hit.title for hit in hits] == ["Sync on the phone"]


def test_scheduled_documents_among_the_best_postings_are_skipped_without_losing_results(crowded, monkeypatch):
    monkeypatch.setattr(postings, "POSTINGS_PER_TERM", 3)
    monkeypatch.setattr(postings, "CANDIDATES", 3)
    best = [hit.object_id for hit in service.search("sync", limit=3).hits]
    SearchDocument.objects.filter(object_id__in=best).update(visible_from="2999-01-01T00:00:00Z")

    hits = service.search("sync", limit=3).hits

    assert len(hits) == 3
    assert not {hit.object_id for hit in hits} & set(best)
