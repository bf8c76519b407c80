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
        allow_frame_origins(*FRAME_ORIGINS)
