"""The index's generations and the statistics BM25 needs, kept as rows to add up.

Generations: a rebuild fills a new generation beside the live one and then swaps (`indexing.rebuild`);
searches read the live one only. `state()` tells a search which generation is live, whether one is
being built, and the live one's totals, in one query.

Statistics: document counts of terms and words and the totals (documents, tokens) change by rows an
indexing batch *inserts* (`record`); nothing updates a shared row, so batches from several workers
never wait for each other on the common terms. Readers sum the rows of a key; `compact` folds each
key's rows into one (after a rebuild, every 100 batches a process records, and from beat), so that sum
stays a single row.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.db import IntegrityError, connection, transaction
from django.db.backends.utils import CursorWrapper
from django.db.models import Sum
from django.utils import timezone

from .backends.base import Averages
from .models import SearchGeneration, SearchTermCount, SearchTotals, SearchWordCount

FIRST_GENERATION = 1
MAX_KEY_LENGTH = 100


@dataclass(frozen=True)
class IndexState:
    """What a search needs to know before it reads the postings."""

    live: int
    building: int | None
    documents: int
    tokens: int
    title_tokens: int = 0
    recorded: bool = True  # False: no generation row yet, the first one is taken as live

    @property
    def generations(self) -> list[int]:
        """The live generation, and the one being built if any: what an update writes to and compaction folds."""
        return [self.live] if self.building is None else [self.live, self.building]

    @property
    def averages(self) -> Averages:
        """BM25F's average field lengths."""
        if not self.documents:
            return Averages(title=1.0, body=1.0)
        return Averages(
            title=self.title_tokens / self.documents, body=(self.tokens - self.title_tokens) / self.documents
        )


# Always one row at least: with no generation row yet (a new or flushed database) the first one is live.
_STATE_SQL = """
SELECT COALESCE(g.number, %s), COALESCE(g.state, 'live'), COALESCE(SUM(t.documents), 0), COALESCE(SUM(t.tokens), 0),
       COALESCE(SUM(t.title_tokens), 0), g.number IS NOT NULL
FROM (SELECT 1 AS one) AS anchor
LEFT JOIN search_searchgeneration g ON g.state IN ('live', 'building')
LEFT JOIN search_searchtotals t ON t.generation = COALESCE(g.number, %s)
GROUP BY g.number, g.state
"""


def state() -> IndexState:
    with connection.cursor() as cursor:
        cursor.execute(_STATE_SQL, [FIRST_GENERATION, FIRST_GENERATION])
        rows = cursor.fetchall()
    by_state = {row[1]: row for row in rows}
    live = by_state.get("live") or (FIRST_GENERATION, "live", 0, 0, 0, False)
    building = by_state.get("building")
    return IndexState(
        live=live[0],
        building=building[0] if building else None,
        documents=int(live[2]),
        tokens=int(live[3]),
        title_tokens=int(live[4]),
        recorded=bool(live[5]),
    )


def writable_generations() -> list[int]:
    """The generations an index update writes to: the live one, and the one being built if any."""
    current = state()
    if not current.recorded:
        ensure_live(current.live)
    return current.generations


def ensure_live(number: int) -> None:
    """The generation row for a database that has none yet (new, or flushed by a test)."""
    if not SearchGeneration.objects.filter(number=number).exists():
        try:
            with transaction.atomic():
                SearchGeneration.objects.create(
                    number=number, state=SearchGeneration.State.LIVE, started_at=timezone.now()
                )
        except IntegrityError:  # another process made it first
            pass


def totals(generation: int) -> tuple[int, int, int]:
    """(documents, tokens, title tokens) of a generation."""
    sums = SearchTotals.objects.filter(generation=generation).aggregate(
        d=Sum("documents"), t=Sum("tokens"), title=Sum("title_tokens")
    )
    return int(sums["d"] or 0), int(sums["t"] or 0), int(sums["title"] or 0)


def document_frequencies(generation: int, terms: Sequence[str]) -> dict[str, int]:
    rows = (
        SearchTermCount.objects.filter(generation=generation, term__in=list(terms))
        .values_list("term")
        .annotate(total=Sum("documents"))
    )
    return dict(rows)


def word_counts(generation: int) -> dict[str, int]:
    """Every word of the vocabulary still used by a document, with how many use it."""
    rows = (
        SearchWordCount.objects.filter(generation=generation)
        .values_list("word")
        .annotate(total=Sum("documents"))
        .filter(total__gt=0)
    )
    return dict(rows)


def record(
    generation: int,
    *,
    terms: Counter[str],
    words: Counter[str],
    documents: int,
    tokens: int,
    title_tokens: int,
) -> None:
    """Insert one batch's changes: +n / -n documents per term and word, and the totals' change.

    Plain executemany: the ORM's bulk_create spent more time building the statements than SQLite writing them.
    """
    with connection.cursor() as cursor:
        for table, key in (("search_searchtermcount", "term"), ("search_searchwordcount", "word")):
            rows = [(generation, value, n) for value, n in _changes(terms if key == "term" else words)]
            if rows:
                cursor.executemany(
                    f"INSERT INTO {table} (generation, {key}, documents) VALUES (%s, %s, %s)",  # noqa: S608
                    rows,
                )
        compact_now_and_then()
        if documents or tokens:
            cursor.execute(
                "INSERT INTO search_searchtotals (generation, documents, tokens, title_tokens) VALUES (%s, %s, %s, %s)",
                [generation, documents, tokens, title_tokens],
            )


def compact_now_and_then() -> None:
    """Compact after every `COMPACT_EVERY` batches this process recorded: the embedded set-up has no beat, and
    at scale it spreads the folding between the beat runs. Not after every batch: each compaction rewrites the
    rows of every key touched since the last one (an import's batch touches most of the vocabulary)."""
    global _batches_since_compaction
    _batches_since_compaction += 1
    if _batches_since_compaction >= COMPACT_EVERY:
        _batches_since_compaction = 0
        transaction.on_commit(compact)


COMPACT_EVERY = 100
_batches_since_compaction = 0


def _changes(deltas: Counter[str]) -> Iterable[tuple[str, int]]:
    merged: Counter[str] = Counter()
    for key, n in deltas.items():
        if n:
            merged[key[:MAX_KEY_LENGTH]] += n
    return ((key, n) for key, n in merged.items() if n)


# --- Compaction ------------------------------------------------------------------------------------

_TABLES = (
    ("search_searchtermcount", "term", "documents"),
    ("search_searchwordcount", "word", "documents"),
)


def compact(generations: Iterable[int] | None = None) -> int:
    """Fold each key's rows into one per generation; rows whose sum is 0 go. Returns the rows removed.

    Safe beside indexing: on PostgreSQL one statement deletes the rows and inserts their sums from what
    it deleted, so a row committed meanwhile is neither summed nor lost; SQLite has one writer at a time,
    and the compaction takes the write lock before it reads.
    """
    numbers = list(generations) if generations is not None else state().generations
    removed = 0
    for number in numbers:
        for table, key, value in _TABLES:
            removed += _compact_table(table, key, value, number)
        removed += _compact_totals(number)
    return removed


def _compact_table(table: str, key: str, value: str, generation: int) -> int:
    crowded = f"SELECT {key} FROM {table} WHERE generation = %s{{limit}} GROUP BY {key} HAVING COUNT(*) > 1"  # noqa: S608
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            _no_nested_loops(cursor)
            cursor.execute(
                f"WITH gone AS (DELETE FROM {table} WHERE generation = %s AND {key} IN "  # noqa: S608
                f"({crowded.format(limit='')}) RETURNING {key}, {value}), "
                f"added AS (INSERT INTO {table} (generation, {key}, {value}) SELECT %s, {key}, SUM({value}) "
                f"FROM gone GROUP BY {key} HAVING SUM({value}) <> 0 RETURNING 1) "
                "SELECT (SELECT COUNT(*) FROM gone) - (SELECT COUNT(*) FROM added)",
                [generation, generation, generation],
            )
            return int(cursor.fetchone()[0])
        _take_sqlite_write_lock(cursor, table)
        cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {table}")  # noqa: S608
        last = cursor.fetchone()[0]
        crowded_before = crowded.format(limit=" AND id <= %s")
        cursor.execute(
            f"INSERT INTO {table} (generation, {key}, {value}) SELECT generation, {key}, SUM({value}) "  # noqa: S608
            f"FROM {table} WHERE generation = %s AND id <= %s AND {key} IN ({crowded_before}) "
            f"GROUP BY generation, {key} HAVING SUM({value}) <> 0",
            [generation, last, generation, last],
        )
        added = int(cursor.rowcount)
        cursor.execute(
            f"DELETE FROM {table} WHERE generation = %s AND id <= %s AND {key} IN ({crowded_before})",  # noqa: S608
            [generation, last, generation, last],
        )
        return int(cursor.rowcount) - added


def _compact_totals(generation: int) -> int:
    table = "search_searchtotals"
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                f"WITH gone AS (DELETE FROM {table} WHERE generation = %s RETURNING documents, tokens, title_tokens), "  # noqa: S608
                f"added AS (INSERT INTO {table} (generation, documents, tokens, title_tokens) SELECT %s, "
                "SUM(documents), SUM(tokens), SUM(title_tokens) FROM gone HAVING COUNT(*) > 0 RETURNING 1) "
                "SELECT (SELECT COUNT(*) FROM gone) - (SELECT COUNT(*) FROM added)",
                [generation, generation],
            )
            return int(cursor.fetchone()[0])
        _take_sqlite_write_lock(cursor, table)
        cursor.execute(f"SELECT COALESCE(MAX(id), 0), COUNT(*) FROM {table} WHERE generation = %s", [generation])  # noqa: S608
        last, rows = cursor.fetchone()
        if rows <= 1:
            return 0
        cursor.execute(
            f"INSERT INTO {table} (generation, documents, tokens, title_tokens) SELECT generation, "  # noqa: S608
            f"SUM(documents), SUM(tokens), SUM(title_tokens) FROM {table} WHERE generation = %s AND id <= %s "
            "GROUP BY generation",
            [generation, last],
        )
        cursor.execute(f"DELETE FROM {table} WHERE generation = %s AND id <= %s", [generation, last])  # noqa: S608
        return int(cursor.rowcount) - 1


def _no_nested_loops(cursor: CursorWrapper) -> None:
    """Rows inserted since the last ANALYZE are invisible to the planner, which then expects one row and loops
    over the crowded keys once per row: 12 minutes, not seconds, for the 3.4 million rows of a large import.
    Hash joins do not depend on that guess."""
    cursor.execute("SET LOCAL enable_nestloop = off")


def _take_sqlite_write_lock(cursor: CursorWrapper, table: str) -> None:
    """A write that changes nothing takes SQLite's write lock: no other writer until this transaction ends."""
    cursor.execute(f"DELETE FROM {table} WHERE 0")  # noqa: S608


def forget(generation: int) -> None:
    """Remove a generation's statistics (a retired or abandoned one), in plain DELETEs."""
    with connection.cursor() as cursor:
        for table in ("search_searchtermcount", "search_searchwordcount", "search_searchtotals"):
            cursor.execute(f"DELETE FROM {table} WHERE generation = %s", [generation])  # noqa: S608
