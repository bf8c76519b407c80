"""Keeping the index in step with the content: updates, removals, statistics, rebuilds beside the live index."""

from __future__ import annotations

import re
import uuid
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.utils import timezone

from kbportal.outbox import services as outbox
from kbportal.outbox.models import Delivery, Kind

from . import generations, postings, statistics
from .analyzers import current_analyzer, vocabulary_changed
from .backends import get_backend
from .backends.base import Averages
from .models import SearchDocument
from .registry import IndexedItem, source, sources

BATCH = 500
# A rebuild replays the index updates recorded since it began, and since this long before: a change whose
# transaction was open when the rebuild started may have been read by it before it committed.
REPLAY_MARGIN = timedelta(minutes=10)
_deferred: ContextVar[dict[str, set[int]] | None] = ContextVar("search_deferred", default=None)


@dataclass(frozen=True)
class _Analysed:
    """An item as the index stores it, analysed once whatever number of generations it is written to."""

    kind: str
    item: IndexedItem
    title_tokens: list[str]
    body_tokens: list[str]

    @property
    def length(self) -> int:
        return len(self.title_tokens) + len(self.body_tokens)

    def terms(self) -> set[str]:
        return {token[: postings.MAX_TERM_LENGTH] for token in (*self.title_tokens, *self.body_tokens)}

    def document(self, generation: int) -> SearchDocument:
        item = self.item
        return SearchDocument(
            generation=generation,
            kind=self.kind,
            object_id=item.object_id,
            language=item.language,
            title=item.title[:300],
            body=item.body,
            url=item.url[:300],
            external_id=item.external_id[:200],
            category_id=item.category_id,
            product_versions=f" {' '.join(item.product_versions)} " if item.product_versions else "",
            length=self.length,
            title_length=len(self.title_tokens),
            boost=item.boost,
            visible_from=item.visible_from,
            updated_at=item.updated_at,
        )


def _analyse(kind: str, item: IndexedItem) -> _Analysed:
    analyzer = current_analyzer()
    return _Analysed(kind, item, analyzer.document_tokens(item.title), analyzer.document_tokens(item.body))


_LATIN_WORD = re.compile(r"[a-z]{3,40}")


def _surface_words(title: str, body: str) -> set[str]:
    """Words as written (normalised, not stemmed): every title word, and the Latin words of the text.

    "Did you mean" treats a query word missing from this vocabulary as a typo.
    """
    words = {word for word in current_analyzer().surface_terms(title) if len(word) <= 100}
    return words | set(_LATIN_WORD.findall(body.casefold()))


@dataclass
class _Changes:
    """What one batch does to a generation's statistics, recorded in one go (`statistics.record`)."""

    terms: Counter[str] = field(default_factory=Counter)
    words: Counter[str] = field(default_factory=Counter)
    documents: int = 0
    tokens: int = 0
    title_tokens: int = 0

    def record(self, generation: int) -> None:
        statistics.record(
            generation,
            terms=self.terms,
            words=self.words,
            documents=self.documents,
            tokens=self.tokens,
            title_tokens=self.title_tokens,
        )

    def record_totals(self, generation: int) -> None:
        statistics.record(
            generation,
            terms=Counter(),
            words=Counter(),
            documents=self.documents,
            tokens=self.tokens,
            title_tokens=self.title_tokens,
        )


def _write(generation: int, analysed: Sequence[_Analysed], *, replace: bool = True) -> _Changes:
    """Put these items in this generation: in place of their documents there, or (`replace=False`, a
    rebuild's batch) only where there is none, since an update written meanwhile is newer than the batch.

    A rebuild's batch records only its totals and hands back its term and word counts, which the rebuild adds
    up in memory and records once: 3.4 million rows fewer to insert and fold at 113,000 documents.
    """
    if not analysed:
        return _Changes()
    kind = analysed[0].kind
    existing = list(
        SearchDocument.objects.select_for_update()
        .filter(generation=generation, kind=kind, object_id__in=[a.item.object_id for a in analysed])
        .only("pk", "object_id", "title", "body", "length", "title_length")
    )
    changes = _Changes()
    if replace:
        _remove(existing, changes)
    else:
        present = {document.object_id for document in existing}
        analysed = [a for a in analysed if a.item.object_id not in present]
    documents = [a.document(generation) for a in analysed]
    SearchDocument.objects.bulk_create(documents, batch_size=BATCH)
    averages = _averages(generation, analysed, changes)
    rows: list[postings.Row] = []
    titles: dict[int, list[str]] = {}
    for document, item in zip(documents, analysed, strict=True):
        rows += postings.posting_rows(document.pk, document.language, item.title_tokens, item.body_tokens, averages)
        titles[document.pk] = item.title_tokens
        changes.terms.update(item.terms())
        changes.words.update(_surface_words(document.title, document.body))
        changes.documents += 1
        changes.tokens += item.length
        changes.title_tokens += len(item.title_tokens)
    backend = get_backend()
    backend.insert_postings(rows)
    backend.write(titles)
    if replace:
        changes.record(generation)
    else:
        changes.record_totals(generation)
    return changes


def _averages(generation: int, analysed: Sequence[_Analysed], changes: _Changes) -> Averages:
    """The average field lengths postings' impacts use: the generation's so far, or this batch's."""
    documents, tokens, title_tokens = statistics.totals(generation)
    # Less what this write removed.
    documents, tokens, title_tokens = (
        documents + changes.documents, tokens + changes.tokens, title_tokens + changes.title_tokens
    )  # fmt: skip
    if documents <= 0:
        documents = max(len(analysed), 1)
        title_tokens = sum(len(a.title_tokens) for a in analysed)
        tokens = title_tokens + sum(len(a.body_tokens) for a in analysed)
    return Averages(title=title_tokens / documents, body=(tokens - title_tokens) / documents)


def _remove(documents: Sequence[SearchDocument], changes: _Changes) -> None:
    """Delete these documents with their postings and title entries; their counts leave `changes`."""
    if not documents:
        return
    ids = [document.pk for document in documents]
    for term in postings.terms_of(ids):
        changes.terms[term] -= 1
    for document in documents:
        changes.words.subtract(_surface_words(document.title, document.body))
        changes.documents -= 1
        changes.tokens -= document.length
        changes.title_tokens -= document.title_length
    get_backend().delete(ids)
    postings.delete(ids)
    SearchDocument.objects.filter(pk__in=ids).delete()


def _describe(kind: str, object_ids: Sequence[int]) -> tuple[list[_Analysed], set[int]]:
    """The findable ones of these items, analysed, and the ids of those that are not findable (any more)."""
    src = source(kind)
    found = [_analyse(kind, src.describe(obj)) for obj in src.findable().filter(pk__in=list(object_ids))]
    return found, set(object_ids) - {a.item.object_id for a in found}


def _index_into(numbers: Sequence[int], kind: str, object_ids: Sequence[int]) -> None:
    for start in range(0, len(object_ids), BATCH):
        chunk = object_ids[start : start + BATCH]
        found, missing = _describe(kind, chunk)
        with transaction.atomic():
            for generation in numbers:
                _write(generation, found)
                _remove_from(generation, kind, missing)


def _remove_from(generation: int, kind: str, object_ids: Iterable[int]) -> int:
    ids = list(object_ids)
    if not ids:
        return 0
    documents = list(
        SearchDocument.objects.select_for_update()
        .filter(generation=generation, kind=kind, object_id__in=ids)
        .only("pk", "object_id", "title", "body", "length", "title_length")
    )
    changes = _Changes()
    _remove(documents, changes)
    changes.record(generation)
    return len(documents)


@transaction.atomic
def remove_items(kind: str, object_ids: Iterable[int]) -> int:
    """Take these items out of the index (every generation written to); the number of documents removed."""
    ids = list(object_ids)
    return max((_remove_from(generation, kind, ids) for generation in statistics.writable_generations()), default=0)


def index_items(kind: str, object_ids: Iterable[int]) -> None:
    """Bring the index in line with these items: findable ones are (re)indexed, the rest removed.

    While a rebuild runs, both the live generation and the one being built get the update.
    """
    ids = list(dict.fromkeys(object_ids))
    if not ids:
        return
    deferred = _deferred.get()
    if deferred is not None:
        deferred.setdefault(kind, set()).update(ids)
        return
    _index_into(statistics.writable_generations(), kind, ids)


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
    """Index every findable item of every source in a new generation beside the live one, then swap.

    Searches read the live generation until the swap, so they stay complete throughout; updates made
    meanwhile go to both (`index_items`), and those recorded since the rebuild began are replayed into
    the new generation before the swap. Then the old generation is removed. Returns counts per kind.
    """
    started = timezone.now()
    building = generations.begin()
    try:
        counts: dict[str, int] = {}
        tallies = _Changes()
        for src in sources():
            ids = list(src.findable().order_by("pk").values_list("pk", flat=True))
            for start in range(0, len(ids), BATCH):
                batch = _build_batch(building, src.kind, ids[start : start + BATCH])
                tallies.terms.update(batch.terms)
                tallies.words.update(batch.words)
                if progress:
                    progress(src.kind, min(start + BATCH, len(ids)), len(ids))
            counts[src.kind] = len(ids)
        statistics.record(building, terms=tallies.terms, words=tallies.words, documents=0, tokens=0, title_tokens=0)
        _replay_updates(building, since=started - REPLAY_MARGIN)
        statistics.compact([building])
        retired = generations.swap(building)
    except BaseException:
        discard(building)
        raise
    if retired is not None:
        discard(retired)
    get_backend().compact_postings()
    vocabulary_changed()
    return counts


def _build_batch(generation: int, kind: str, object_ids: Sequence[int]) -> _Changes:
    """Write one batch of a rebuild; its term and word counts, once committed."""
    found, _missing = _describe(kind, object_ids)
    for _retry in range(2):
        try:
            with transaction.atomic():
                return _write(generation, found, replace=False)
        except IntegrityError:  # an update inserted one of these documents meanwhile: it is newer, keep it
            continue
    with transaction.atomic():  # a third time, or the error
        return _write(generation, found, replace=False)


def _replay_updates(generation: int, since: datetime) -> None:
    """Apply to the new generation again the index updates recorded since `since` (see REPLAY_MARGIN)."""
    wanted: dict[str, set[int]] = {}
    updates = Delivery.objects.filter(kind=Kind.SEARCH_INDEX, created_at__gte=since).values_list("payload", flat=True)
    for payload in updates.iterator():
        wanted.setdefault(payload["kind"], set()).update(payload["ids"])
    for kind, ids in wanted.items():
        if kind in {src.kind for src in sources()}:
            _index_into([generation], kind, sorted(ids))


def discard(generation: int) -> None:
    """Remove a generation's documents, postings, title entries and statistics, a batch at a time."""
    backend = get_backend()
    while True:
        ids = list(SearchDocument.objects.filter(generation=generation).values_list("pk", flat=True)[:BATCH])
        if not ids:
            break
        with transaction.atomic():
            backend.delete(ids)
            postings.delete(ids)
            SearchDocument.objects.filter(pk__in=ids).delete()
    statistics.forget(generation)
    generations.retire(generation)
