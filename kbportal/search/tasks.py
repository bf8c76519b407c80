from celery import shared_task

from . import indexing


@shared_task(name="search.index_items", acks_late=True)
def index_items_task(kind: str, object_ids: list[int]) -> int:
    """Bring these items' index entries in line; queued after commit by `indexing.index_after_commit`."""
    indexing.index_items(kind, object_ids)
    return len(object_ids)
