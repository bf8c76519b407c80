"""What each app puts in the index. The engine knows no app's models: apps register sources.

An app calls `register(SearchSource(...))` in its AppConfig.ready(); the engine then
indexes the source's visible items, follows their saves and deletes, and shows its
hits with the source's label.

How the index keeps in step: one mechanism for each kind of write.

- `save()` and `delete()` (a queryset's `delete()` too: Django signals each row) of a source's
  model or of a model in its `dependents`: the receivers `register` connects for exactly those
  models (`signals.follow`). No other model has a receiver of the engine.
- `QuerySet.update()`, `bulk_create()` and `bulk_update()`, which send no signals: the service
  that writes calls `indexing.index_after_commit(kind, ids)` beside the write (a vote's score, a
  post's state, a helpfulness tally, an import's batch), and only there; a service that saves
  never calls it as well. Views, the admin and commands write through services, never around them.
- Many-to-many links (tags, product versions) are set with the item's own save, which re-indexes it.
- A fixture (`loaddata`, raw saves) is taken as it is: the index arrives in the same fixture.

Either way the update leaves after the commit through the outbox, one per kind and transaction.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.db import models

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


@dataclass(frozen=True)
class IndexedItem:
    """What a source says about one item; the engine analyses and stores it."""

    object_id: int
    language: str
    title: str
    body: str
    url: str
    updated_at: datetime
    external_id: str = ""
    category_id: int | None = None
    product_versions: tuple[str, ...] = ()
    boost: float = 0.0
    visible_from: datetime | None = None


@dataclass(frozen=True)
class SearchSource:
    kind: str
    label: Callable[[], StrOrPromise]  # a lazy translation, read in the reader's language
    model: type[models.Model]
    # The items customers may find (scheduled ones included: `visible_from` hides them until due).
    findable: Callable[[], models.QuerySet[Any]]
    describe: Callable[[models.Model], IndexedItem]
    # Models whose saves change this source's items (e.g. answers change their question).
    dependents: dict[type[models.Model], Callable[[models.Model], Iterable[int]]] = field(default_factory=dict)


_SOURCES: dict[str, SearchSource] = {}


def register(source: SearchSource) -> None:
    """Add a source, and follow the saves and deletes of its model and of its dependents."""
    from . import signals  # the receivers reach the indexing, which imports this module

    _SOURCES[source.kind] = source
    for model in followed_models(source):
        signals.follow(model)


def followed_models(*of: SearchSource) -> set[type[models.Model]]:
    """The models whose saves and deletes change the index: of these sources, or of every source."""
    return {model for src in (of or _SOURCES.values()) for model in (src.model, *src.dependents)}


def sources() -> list[SearchSource]:
    return list(_SOURCES.values())


def source(kind: str) -> SearchSource:
    return _SOURCES[kind]


# Where a result is shown may decide where its link leads: the help center counts the opens of what its pages
# suggested (`?hs=contact-form`). An app registers a maker per place; the suggest API's `via` names one.
_LINKS: dict[str, Callable[[str], str]] = {}


def register_link(via: str, make: Callable[[str], str]) -> None:
    _LINKS[via] = make


def link_places() -> list[str]:
    return list(_LINKS)


def result_link(url: str, via: str = "") -> str:
    """A result's address as the place `via` links it; the address itself elsewhere."""
    return _LINKS[via](url) if via in _LINKS else url
