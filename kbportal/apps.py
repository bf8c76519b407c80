from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class KbportalConfig(AppConfig):
    """The project itself: base templates, shared commands, translations."""

    name = "kbportal"
    verbose_name = _("Support center")

    def ready(self) -> None:
        # Registers the OpenAPI description of the token authentication.
        from kbportal.api import schema  # noqa: F401
