from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AnnouncementsConfig(AppConfig):
    """Service notices (incidents, maintenance, releases): the banner, the status page, known issues, followers."""

    name = "kbportal.announcements"
    label = "announcements"
    verbose_name = _("Announcements")

    def ready(self) -> None:
        from . import signals  # noqa: F401 - forgets the cached banner list when a notice changes
