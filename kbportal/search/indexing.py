"""Keeping the index in step with the content: upserts, removals, term statistics, full rebuilds."""

from __future__ import annotations

import re
import uuid
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any, TypeVar

from django.db import transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import F

from kbportal.outbox import services as outbox
from kbportal.outbox.models import Delivery, Kind

from . import postings
from .analyzers import current_analyzer
from .backends import get_backend
from .models import SearchDocument, SearchStats, SearchTerm, SearchWord
from .registry import IndexedItem, source, sources

BATCH = 500
_deferred: ContextVar[dict[str, set[int]] | None] = ContextVar("search_deferred", default=None)


def _stats() -> SearchStats:
    stats = SearchStats.objects.filter(pk=1).first()
    return stats or SearchStats.objects.get_or_create(pk=1)[0]


def _document(kind: str, item: IndexedItem) -> SearchDocument:
    analyzer = current_analyzer()
    title_tokens = analyzer.document_tokens(item.title)
    body_tokens = analyzer.document_tokens(item.body)
    return SearchDocument(
        kind=kind,
        object_id=item.object_id,
        language=item.language,
        title=item.title[:300],
        body=item.body,
        url=item.url[:300],
        external_id=item.external_id[:200],
        category_id=item.category_id,
        product_versions=f" {' '.join(item.product_versions)} " if item.product_versions else "",
        title_tokens=" ".join(title_tokens),
        body_tokens=" ".join(body_tokens),
        length=len(title_tokens) + len(body_tokens),
        boost=item.boost,
        visible_from=item.visible_from,
        updated_at=item.updated_at,
    )


def _terms(document: SearchDocument) -> set[str]:
    return set(document.title_tokens.split()) | set(document.body_tokens.split())


_LATIN_WORD = re.compile(r"[a-z]{3,40}")


def _surface_words(document: SearchDocument) -> set[str]:
    """Words as written (normalised, not stemmed): every title word, and the Latin words of the text.

    "Did you mean" treats a query word missing from this vocabulary as a typo.
    """
    title = {word for word in current_analyzer().surface_terms(document.title) if len(word) <= 100}
    return title | set(_LATIN_WORD.findall(document.body.casefold()))


_Tally = TypeVar("_Tally", SearchTerm, SearchWord)


def _apply_counts(model: type[_Tally], key: str, deltas: Counter[str]) -> None:
    """Move document counts by the deltas: one INSERT for new keys, one UPDATE per distinct delta."""
    deltas = Counter({k[:100]: v for k, v in deltas.items() if v})
    if not deltas:
        return
    model.objects.bulk_create([model(**{key: k}) for k in deltas], ignore_conflicts=True, batch_size=1000)
    by_delta: dict[int, list[str]] = {}
    for k, delta in deltas.items():
        by_delta.setdefault(delta, []).append(k)
    for delta, keys in by_delta.items():
        for start in range(0, len(keys), 500):
            model.objects.filter(**{f"{key}__in": keys[start : start + 500]}).update(
                document_count=F("document_count") + delta
            )


@transaction.atomic
def _upsert(kind: str, items: Sequence[IndexedItem]) -> None:
    if not items:
        return
    existing = {
        doc.object_id: doc
        for doc in SearchDocument.objects.select_for_update().filter(
            kind=kind, object_id__in=[item.object_id for item in items]
        )
    }
    term_deltas: Counter[str] = Counter()
    word_deltas: Counter[str] = Counter()
    created: list[SearchDocument] = []
    updated: list[SearchDocument] = []
    token_delta = 0
    for item in items:
        fresh = _document(kind, item)
        old = existing.get(item.object_id)
        term_deltas.update(_terms(fresh))
        word_deltas.update(_surface_words(fresh))
        token_delta += fresh.length
        if old is None:
            created.append(fresh)
            continue
        term_deltas.subtract(_terms(old))
        word_deltas.subtract(_surface_words(old))
        token_delta -= old.length
        fresh.pk = old.pk
        updated.append(fresh)
    SearchDocument.objects.bulk_create(created, batch_size=BATCH)
    fields = [f.name for f in SearchDocument._meta.concrete_fields if f.name not in ("id", "kind", "object_id")]
    for document in updated:
        document.save(update_fields=fields)
    fresh_by_object = {document.object_id: document for document in [*created, *updated]}
    ids = dict(
        SearchDocument.objects.filter(kind=kind, object_id__in=list(fresh_by_object)).values_list("pk", "object_id")
    )
    _write_postings(ids, fresh_by_object, updated_ids=[document.pk for document in updated])
    get_backend().write(list(ids))
    _apply_counts(SearchTerm, "term", term_deltas)
    _apply_counts(SearchWord, "word", word_deltas)
    _stats()
    SearchStats.objects.filter(pk=1).update(
        document_count=F("document_count") + len(created), token_count=F("token_count") + token_delta
    )


def _write_postings(ids: dict[int, int], documents: dict[int, SearchDocument], updated_ids: list[int]) -> None:
    """Replace the postings of these documents; impacts use the average length indexed so far."""
    stats = _stats()
    if stats.document_count:
        avgdl = stats.token_count / stats.document_count
    else:
        avgdl = sum(document.length for document in documents.values()) / max(len(documents), 1)
    postings.delete(updated_ids)
    rows = []
    for pk, object_id in ids.items():
        document = documents[object_id]
        rows += postings.posting_rows(pk, document.title_tokens, document.body_tokens, document.length, avgdl)
    get_backend().insert_postings(rows)


@transaction.atomic
def remove_items(kind: str, object_ids: Iterable[int]) -> int:
    documents = list(SearchDocument.objects.select_for_update().filter(kind=kind, object_id__in=list(object_ids)))
    if not documents:
        return 0
    term_deltas: Counter[str] = Counter()
    word_deltas: Counter[str] = Counter()
    for document in documents:
        term_deltas.subtract(_terms(document))
        word_deltas.subtract(_surface_words(document))
    ids = [document.pk for document in documents]
    get_backend().delete(ids)
    postings.delete(ids)
    SearchDocument.objects.filter(pk__in=ids).delete()
    _apply_counts(SearchTerm, "term", term_deltas)
    _apply_counts(SearchWord, "word", word_deltas)
    _stats()
    SearchStats.objects.filter(pk=1).update(
        document_count=F("document_count") - len(documents),
        token_count=F("token_count") - sum(document.length for document in documents),
    )
    return len(documents)


def index_items(kind: str, object_ids: Iterable[int]) -> None:
    """Bring the index in line with these items: findable ones are (re)indexed, the rest removed."""
    ids = list(dict.fromkeys(object_ids))
    if not ids:
        return
    deferred = _deferred.get()
    if deferred is not None:
        deferred.setdefault(kind, set()).update(ids)
        return
    src = source(kind)
    for start in range(0, len(ids), BATCH):
        chunk = ids[start : start + BATCH]
        found = [src.describe(obj) for obj in src.findable().filter(pk__in=chunk)]
        _upsert(kind, found)
        missing = set(chunk) - {item.object_id for item in found}
        if missing:
            remove_items(kind, missing)


def index_after_commit(kind: str, object_ids: Iterable[int]) -> None:
    """Re-index these items once the current transaction commits, through the outbox.

    The update is recorded as a delivery in the same transaction as the change, so a broker that is down
    delays it and loses nothing. Everything one transaction asks for is merged into one delivery per kind:
    an article and its revision, or a video and its ten chapters, make one update, not one per save.
    Inside `deferred_indexing()` the items join the batch instead.
    """
    ids = set(object_ids)
    if not ids:
        return
    deferred = _deferred.get()
    if deferred is not None:
        deferred.setdefault(kind, set()).update(ids)
        return
    connection = transaction.get_connection()
    pending = connection.__dict__.setdefault(_PENDING, {})
    entry = pending.get(kind)
    if entry is None or not entry.open_in(connection):
        delivery = outbox.record(
            kind=Kind.SEARCH_INDEX,
            payload=_update_payload(kind, ids),
            summary=_update_summary(kind, ids),
            hand_over=False,
        )
        entry = pending[kind] = _PendingUpdate(pk=delivery.pk, uid=delivery.uid, kind=kind, ids=ids, pending=pending)
    else:
        # Written even when the ids are known: a savepoint rolled back since may have taken them out of the
        # row (the ids in memory never shrink, so the row always ends with every id still wanted, or more).
        # The row is not attempted yet (it is not committed); gone if recorded in a part since rolled back.
        if not outbox.amend_pending(entry.uid, _update_payload(kind, entry.ids | ids)):
            del pending[kind]
            index_after_commit(kind, ids)
            return
        entry.ids |= ids
    # Each call asks for the hand-over; at the commit the first callback does it and the others find it done.
    transaction.on_commit(entry)


@dataclass(eq=False)
class _PendingUpdate:
    """The index delivery one transaction recorded for one kind, and the ids it carries so far."""

    pk: int
    uid: uuid.UUID
    kind: str
    ids: set[int]
    pending: dict[str, _PendingUpdate]
    handed_over: bool = False

    def open_in(self, connection: BaseDatabaseWrapper) -> bool:
        # Its transaction is still open: a callback of it waits for that commit. A rollback (of the
        # transaction, or of the savepoint that recorded it) drops the callbacks, and the entry goes stale.
        # An entry is (savepoint ids, callback, robust); the stubs know only the first two, so no unpacking.
        return not self.handed_over and any(entry[1] is self for entry in connection.run_on_commit)

    def __call__(self) -> None:
        if self.pending.get(self.kind) is self:
            del self.pending[self.kind]
        if not self.handed_over:
            self.handed_over = True
            outbox.dispatch(self.pk, Kind.SEARCH_INDEX)


_PENDING = "_kbportal_pending_index_updates"


def _update_payload(kind: str, ids: set[int]) -> dict[str, Any]:
    return {"kind": kind, "ids": sorted(ids)}


def _update_summary(kind: str, ids: set[int]) -> str:
    shown = ", ".join(str(pk) for pk in sorted(ids)[:20])
    return f"{kind} {shown}{' …' if len(ids) > 20 else ''}"


def deliver_index_update(delivery: Delivery) -> None:
    """The outbox's handler for search-index updates (see SearchConfig.ready)."""
    index_items(delivery.payload["kind"], delivery.payload["ids"])


@contextmanager
def deferred_indexing() -> Iterator[None]:
    """Collect index updates (e.g. during a bulk import) and apply them once, in batches, at the end."""
    if _deferred.get() is not None:
        yield
        return
    pending: dict[str, set[int]] = {}
    token = _deferred.set(pending)
    try:
        yield
    finally:
        _deferred.reset(token)
    for kind, ids in pending.items():
        index_items(kind, sorted(ids))


def rebuild(progress: Callable[[str, int, int], None] | None = None) -> dict[str, int]:
    """Empty the index and index every findable item of every source; returns counts per kind."""
    with transaction.atomic():
        get_backend().clear()
        postings.clear()
        SearchDocument.objects.all().delete()
        SearchTerm.objects.all().delete()
        SearchWord.objects.all().delete()
        SearchStats.objects.update_or_create(pk=1, defaults={"document_count": 0, "token_count": 0})
    counts: dict[str, int] = {}
    for src in sources():
        ids = list(src.findable().order_by("pk").values_list("pk", flat=True))
        for start in range(0, len(ids), BATCH):
            index_items(src.kind, ids[start : start + BATCH])
            if progress:
                progress(src.kind, min(start + BATCH, len(ids)), len(ids))
        counts[src.kind] = len(ids)
    return counts
