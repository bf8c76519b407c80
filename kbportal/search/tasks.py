from celery import shared_task

from . import indexing


@shared_task(name="search.index_items", acks_late=True)
def index_items_task(kind: str, object_ids: list[int]) -> int:
    """Bring these items' index entries in line. Index updates now travel through the outbox
    (`outbox.deliver`); this task stays so that updates queued by the previous release are still done."""
    indexing.index_items(kind, object_ids)
    return len(object_ids)
