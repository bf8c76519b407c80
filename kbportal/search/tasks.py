from celery import shared_task

from . import indexing, statistics


@shared_task(name="search.index_items", acks_late=True)
def index_items_task(kind: str, object_ids: list[int]) -> int:
    """Bring these items' index entries in line. Index updates now travel through the outbox
    (`outbox.deliver`); this task stays so that updates queued by the previous release are still done."""
    indexing.index_items(kind, object_ids)
    return len(object_ids)


@shared_task(name="search.compact_statistics")
def compact_statistics_task() -> int:
    """Fold the statistics rows indexing batches inserted (beat, every ten minutes); the rows removed."""
    return statistics.compact()
