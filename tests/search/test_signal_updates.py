"""A helpfulness vote changes a document's ranking signal, and nothing else of the index."""

import pytest

from articles import services
from kbportal.outbox.models import Delivery, Kind
from kbportal.search import service
from kbportal.search.analysis import Analyzer
from kbportal.search.models import SearchDocument, SearchPosting
from tests.articles.factories import ArticleFactory, VideoFactory

pytestmark = pytest.mark.django_db


def _index_state(document: SearchDocument):
    row = SearchDocument.objects.filter(pk=document.pk).values().get()
    rows = SearchPosting.objects.filter(document_id=document.pk)
    postings = sorted(rows.values_list("term", "title_count", "body_count", "impact"))
    return {key: value for key, value in row.items() if key != "boost"}, postings


@pytest.mark.parametrize(
    ("factory", "text"), [(ArticleFactory, "body"), (VideoFactory, "description")], ids=["article", "video"]
)
def test_a_vote_moves_the_ranking_signal_without_analysing_or_rewriting_the_document(
    factory, text, indexed, settings, monkeypatch, django_capture_on_commit_callbacks
):
    settings.KBPORTAL_HELPFULNESS_MIN_VOTES = 1
    for title in ("Reset a password", "Export invoices", "Proxy errors"):
        indexed(ArticleFactory, title=title)
    item = indexed(factory, title="Install HelloWorld on Windows", **{text: "Run the installer."})
    kind = "article" if factory is ArticleFactory else "video"
    document = SearchDocument.objects.get(kind=kind, object_id=item.pk)
    before = _index_state(document)
    score_before = service.search("install").hits[0].score
    deliveries = Delivery.objects.filter(kind=Kind.SEARCH_INDEX).count()

    def analysed(self, text):
        raise AssertionError("a vote analysed the document again")

    with monkeypatch.context() as patch:
        patch.setattr(Analyzer, "document_tokens", analysed)
        with django_capture_on_commit_callbacks(execute=True):
            services.feedback_submit(item=item, voter=services.Voter(session_key="a"), helpful=True)

    document.refresh_from_db()
    assert document.boost == 1.0
    assert _index_state(document) == before  # text, tokens, postings: untouched
    assert Delivery.objects.filter(kind=Kind.SEARCH_INDEX).count() == deliveries  # no index update sent
    assert service.search("install").hits[0].score > score_before  # the ranking reads the new signal

    with django_capture_on_commit_callbacks(execute=True):
        services.feedback_submit(item=item, voter=services.Voter(session_key="b"), helpful=False)
        services.feedback_submit(item=item, voter=services.Voter(session_key="c"), helpful=False)

    document.refresh_from_db()
    assert document.boost == pytest.approx(-1 / 3)
    assert service.search("install").hits[0].score < score_before


def test_a_changed_vote_moves_the_signal_both_ways(indexed, settings):
    settings.KBPORTAL_HELPFULNESS_MIN_VOTES = 1
    article = indexed(ArticleFactory, title="Reset a password")
    voter = services.Voter(session_key="same")

    services.feedback_submit(item=article, voter=voter, helpful=True)
    assert SearchDocument.objects.get(object_id=article.pk).boost == 1.0
    services.feedback_submit(item=article, voter=voter, helpful=False)
    assert SearchDocument.objects.get(object_id=article.pk).boost == -1.0


def test_a_vote_on_an_item_outside_the_index_writes_no_document(settings):
    settings.KBPORTAL_HELPFULNESS_MIN_VOTES = 1
    draft = ArticleFactory(status="draft")

    services.feedback_submit(item=draft, voter=services.Voter(session_key="a"), helpful=True)

    assert not SearchDocument.objects.filter(object_id=draft.pk).exists()
