from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ArticlesConfig(AppConfig):
    name = "articles"
    verbose_name = _("Knowledge base")

    def ready(self) -> None:
        from kbportal.security.frames import allow_frame_origins

        from .search import register_sources
        from .video_providers import FRAME_ORIGINS

        register_sources()
        allow_frame_origins(*FRAME_ORIGINS)
