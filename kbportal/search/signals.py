"""Index updates follow saves and deletes of registered models, after the transaction commits."""

from __future__ import annotations

from django.db import transaction
from django.db.models.signals import post_delete, post_save

from . import indexing, registry
from .analyzers import synonyms_changed
from .models import SynonymGroup


def _schedule(kind: str, object_ids) -> None:
    indexing.index_after_commit(kind, object_ids)


def _on_change(sender, instance, **kwargs) -> None:
    for src in registry.sources():
        if src.model is sender:
            _schedule(src.kind, [instance.pk])
        dependent = src.dependents.get(sender)
        if dependent is not None:
            _schedule(src.kind, dependent(instance))


post_save.connect(_on_change, dispatch_uid="search-index-save")
post_delete.connect(_on_change, dispatch_uid="search-index-delete")


def _on_synonyms(sender, **kwargs) -> None:
    transaction.on_commit(synonyms_changed)


post_save.connect(_on_synonyms, sender=SynonymGroup, dispatch_uid="search-synonyms-save")
post_delete.connect(_on_synonyms, sender=SynonymGroup, dispatch_uid="search-synonyms-delete")
