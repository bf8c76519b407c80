"""Index updates follow saves and deletes of registered models, after the transaction commits.

A fixture's rows (`loaddata`, `raw=True`) are taken as they are: the index arrives in the same fixture,
postings and counts as they were, so a restored database ranks exactly as the original did. Only the
titles' full-text structure, which lives beside the tables, is written again from each loaded document.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import models, transaction
from django.db.models.signals import post_delete, post_save

from . import indexing, registry
from .analyzers import synonyms_changed
from .backends import get_backend
from .models import SearchDocument, SynonymGroup


def _schedule(kind: str, object_ids: Iterable[int]) -> None:
    indexing.index_after_commit(kind, object_ids)


def _on_change(sender: type[models.Model], instance: models.Model, raw: bool = False, **kwargs: object) -> None:
    if raw:
        return
    for src in registry.sources():
        if src.model is sender:
            _schedule(src.kind, [instance.pk])
        dependent = src.dependents.get(sender)
        if dependent is not None:
            _schedule(src.kind, dependent(instance))


post_save.connect(_on_change, dispatch_uid="search-index-save")
post_delete.connect(_on_change, dispatch_uid="search-index-delete")


def _on_document_loaded(
    sender: type[SearchDocument], instance: SearchDocument, raw: bool = False, **kwargs: object
) -> None:
    # Indexing writes the structure itself; a fixture has no place for it (an FTS5 table, a tsvector column).
    if raw:
        get_backend().write([instance.pk])


post_save.connect(_on_document_loaded, sender=SearchDocument, dispatch_uid="search-document-loaded")


def _on_synonyms(sender: type[SynonymGroup], **kwargs: object) -> None:
    # Loaded groups too: the analyzers other processes cached from the old groups must go.
    transaction.on_commit(synonyms_changed)


post_save.connect(_on_synonyms, sender=SynonymGroup, dispatch_uid="search-synonyms-save")
post_delete.connect(_on_synonyms, sender=SynonymGroup, dispatch_uid="search-synonyms-delete")
