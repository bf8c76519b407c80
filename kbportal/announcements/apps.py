from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AnnouncementsConfig(AppConfig):
    """Service notices (incidents, maintenance, releases): the banner, the status page, known issues, followers."""

    name = "kbportal.announcements"
    label = "announcements"
    verbose_name = _("Announcements")

    def ready(self) -> None:
        from kbportal.helpcenter.known_issues import register_known_issues

        from . import signals  # noqa: F401 - forgets the cached banner list when a notice changes
        from .selectors import known_issues

        # The contact form names the running incidents of the chosen product version ("follow it instead").
        register_known_issues(known_issues)
        # Every public page shows the banner of running notices (kbportal/pagecache.py).
        from kbportal.pagecache import touch_on_save

        # A follow is the follower's own: during an incident hundreds of them must not renew every page.
        from .models import NoticeFollow

        touch_on_save([model for model in self.get_models() if model is not NoticeFollow], lambda row: ["notices"])
