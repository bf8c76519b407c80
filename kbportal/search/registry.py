"""What each app puts in the index. The engine knows no app's models: apps register sources.

An app calls `register(SearchSource(...))` in its AppConfig.ready(); the engine then
indexes the source's visible items, follows their saves and deletes, and shows its
hits with the source's label.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime

from django.db import models


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
    label: Callable[[], str]
    model: type[models.Model]
    # The items customers may find (scheduled ones included: `visible_from` hides them until due).
    findable: Callable[[], models.QuerySet]
    describe: Callable[[models.Model], IndexedItem]
    # Models whose saves change this source's items (e.g. answers change their question).
    dependents: dict[type[models.Model], Callable[[models.Model], Iterable[int]]] = field(default_factory=dict)


_SOURCES: dict[str, SearchSource] = {}


def register(source: SearchSource) -> None:
    _SOURCES[source.kind] = source


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
