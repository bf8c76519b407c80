"""Ranking signals that change without the content: a vote moves a document's boost and nothing else.

A helpfulness vote (or a forum score) changes no word of the item, so it does not go through the indexing
(`indexing.index_after_commit`: the outbox, a task, the item described and analysed again, its postings
rewritten): the one column BM25's nudge reads (`SearchDocument.boost`, see `service._signal`) is set in the
vote's own transaction, after the tallies moved, so it commits or rolls back with them. Items that are not
in the index (drafts, archived) have no document and nothing is written.
"""

from __future__ import annotations

from .models import SearchDocument


def set_boost(kind: str, object_id: int, boost: float) -> int:
    """Set one item's ranking signal (-1 … +1) in the index; the number of documents changed (0, 1, or 2 while a
    rebuild runs: the item's document in the live generation and in the one being built)."""
    return SearchDocument.objects.filter(kind=kind, object_id=object_id).update(boost=boost)
