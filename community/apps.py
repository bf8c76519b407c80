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
        # Follows and notifications are a member's own, shown on no public page: they touch nothing.
        from .models import Follow, Notification

        shown = [model for model in self.get_models() if model not in (Follow, Notification)]
        touch_on_save(shown, lambda row: ["forum"])
