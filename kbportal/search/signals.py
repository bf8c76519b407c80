"""Index updates follow saves and deletes of registered models, after the transaction commits.

`registry.register` connects `item_changed` for a source's model and its dependents only (see the
registry's note on which writes go this way and which call the indexing themselves).

A fixture's rows (`loaddata`, `raw=True`) are taken as they are: the index arrives in the same fixture,
postings and counts as they were, so a restored database ranks exactly as the original did. Only the
titles' full-text structure, which lives beside the tables, is written again from each loaded document's title.
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import Model
from django.db.models.signals import post_delete, post_save

from . import indexing, registry
from .analyzers import current_analyzer, synonyms_changed
from .backends import get_backend
from .models import SearchDocument, SynonymGroup


def item_changed(sender: type[Model], instance: Model, raw: bool = False, **kwargs: object) -> None:
    if raw:
        return
    for src in registry.sources():
        if src.model is sender:
            indexing.index_after_commit(src.kind, [instance.pk])
        dependent = src.dependents.get(sender)
        if dependent is not None:
            indexing.index_after_commit(src.kind, dependent(instance))


def follow(model: type[Model]) -> None:
    """Re-index after each save and delete of this model (once, however many sources name it)."""
    post_save.connect(item_changed, sender=model, dispatch_uid="search-index-save")
    post_delete.connect(item_changed, sender=model, dispatch_uid="search-index-delete")


def _on_document_loaded(
    sender: type[SearchDocument], instance: SearchDocument, raw: bool = False, **kwargs: object
) -> None:
    # Indexing writes the structure itself; a fixture has no place for it (an FTS5 table, a tsvector column).
    if raw:
        get_backend().write({instance.pk: current_analyzer().document_tokens(instance.title)})


post_save.connect(_on_document_loaded, sender=SearchDocument, dispatch_uid="search-document-loaded")


def _on_synonyms(sender: type[SynonymGroup], **kwargs: object) -> None:
    # Loaded groups too: the analyzers other processes cached from the old groups must go.
    transaction.on_commit(synonyms_changed)


post_save.connect(_on_synonyms, sender=SynonymGroup, dispatch_uid="search-synonyms-save")
post_delete.connect(_on_synonyms, sender=SynonymGroup, dispatch_uid="search-synonyms-delete")
