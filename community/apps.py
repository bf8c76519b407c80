from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CommunityConfig(AppConfig):
    name = "community"
    verbose_name = _("Community")

    def ready(self) -> None:
        from kbportal.pagecache import touch_on_save

        from .search import register_sources

        register_sources()
        # Public pages of the forum show its questions, answers, votes and moderation (kbportal/pagecache.py).
        touch_on_save(self.get_models(), lambda row: ["forum"])
