from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ArticlesConfig(AppConfig):
    name = "articles"
    verbose_name = _("Knowledge base")

    def ready(self) -> None:
        from kbportal import buffer
        from kbportal.security.frames import allow_frame_origins

        from .search import register_sources
        from .services import VIEW_RECORD, content_views_write
        from .video_providers import FRAME_ORIGINS

        register_sources()
        # Article and video pages write nothing: their views are added in batches after the response.
        buffer.register(VIEW_RECORD, content_views_write)
        _touch_pages_on_change(self)
        allow_frame_origins(*FRAME_ORIGINS)


def _touch_pages_on_change(app: AppConfig) -> None:
    """Public pages show the knowledge base: any change of it makes them new (kbportal/pagecache.py). A
    "Was this helpful?" answer changes only its own item's page (its tally); the lists catch up within their
    time to live."""
    from kbportal.pagecache import touch_on_save

    from .models import Feedback

    def scopes_of(row):
        if isinstance(row, Feedback):
            return [f"article:{row.article_id}"] if row.article_id else [f"video:{row.video_id}"]
        return ["kb"]

    touch_on_save(app.get_models(), scopes_of)
