"""One way to keep the index in step: receivers for the registered models only, connected by the registry."""

import pytest
from django.apps import apps
from django.db.models.signals import post_delete, post_save

from articles.models import Article, ArticleRevision, Category, Video, VideoChapter
from community.models import Answer, Question
from kbportal.search import indexing, registry, signals
from tests.articles.factories import ArticleFactory, CategoryFactory
from tests.community.factories import QuestionFactory

pytestmark = pytest.mark.django_db


def _follows(signal, model) -> bool:
    sync_receivers, async_receivers = signal._live_receivers(model)
    return signals.item_changed in [*sync_receivers, *async_receivers]


def test_the_registry_follows_exactly_the_models_of_its_sources():
    followed = registry.followed_models()

    assert followed == {Article, ArticleRevision, Video, VideoChapter, Question, Answer}
    for model in apps.get_models(include_auto_created=True):
        assert _follows(post_save, model) == (model in followed), model
        assert _follows(post_delete, model) == (model in followed), model


def test_a_model_no_source_registers_triggers_no_indexing(monkeypatch):
    calls = []
    monkeypatch.setattr(indexing, "index_after_commit", lambda kind, ids: calls.append((kind, list(ids))))

    category = CategoryFactory()
    category.name = "Renamed"
    category.save()
    Category.objects.filter(pk=category.pk).delete()
    assert calls == []

    article = ArticleFactory()
    question = QuestionFactory()
    assert ("article", [article.pk]) in calls
    assert ("question", [question.pk]) in calls


def test_registering_a_source_follows_its_model_and_dependents(monkeypatch):
    monkeypatch.setattr(registry, "_SOURCES", dict(registry._SOURCES))
    assert not _follows(post_save, Category)

    source = registry.SearchSource(
        kind="category-test", label=lambda: "Category", model=Category, findable=Category.objects.all,
        describe=lambda category: None, dependents={},
    )  # fmt: skip
    try:
        registry.register(source)
        assert _follows(post_save, Category)
        assert _follows(post_delete, Category)
    finally:
        post_save.disconnect(signals.item_changed, sender=Category, dispatch_uid="search-index-save")
        post_delete.disconnect(signals.item_changed, sender=Category, dispatch_uid="search-index-delete")
    assert not _follows(post_save, Category)
