from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AnalyticsConfig(AppConfig):
    name = "kbportal.analytics"
    label = "analytics"
    verbose_name = _("Service analytics")

    def ready(self) -> None:
        # Importing the metric modules registers their metrics, breakdowns and lists.
        from . import metrics  # noqa: F401
