from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SearchConfig(AppConfig):
    """The cross-app search engine: one index over articles, videos and forum posts."""

    name = "kbportal.search"
    label = "search"
    verbose_name = _("Search")

    def ready(self) -> None:
        from kbportal.outbox.models import Kind
        from kbportal.outbox.services import register

        from . import signals  # noqa: F401 - the engine's own receivers (loaded documents, synonyms)
        from .indexing import deliver_index_update

        register(Kind.SEARCH_INDEX, deliver_index_update)
