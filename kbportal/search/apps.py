from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SearchConfig(AppConfig):
    """The cross-app search engine: one index over articles, videos and forum posts."""

    name = "kbportal.search"
    label = "search"
    verbose_name = _("Search")

    def ready(self) -> None:
        from kbportal.outbox.models import Delivery, Kind
        from kbportal.outbox.services import register

        from . import signals  # noqa: F401 - the engine's own receivers (loaded documents, synonyms)
        from .analyzers import vocabulary_changed
        from .indexing import deliver_index_update

        def deliver(delivery: Delivery) -> None:
            deliver_index_update(delivery)
            # The words the index uses may have changed: every process's did-you-mean re-reads them at its next
            # check (service._words), not on a timer of its own.
            vocabulary_changed()

        register(Kind.SEARCH_INDEX, deliver)
