from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class KbportalConfig(AppConfig):
    """The project itself: base templates, shared commands, translations."""

    name = "kbportal"
    verbose_name = _("Support center")
