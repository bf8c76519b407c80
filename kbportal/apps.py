from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class KbportalConfig(AppConfig):
    """The project itself: base templates, shared commands, translations."""

    name = "kbportal"
    verbose_name = _("Support center")

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        # Registers the OpenAPI description of the token authentication.
        from kbportal.api import schema  # noqa: F401
        from kbportal.timezones import remember_home_zone

        user_logged_in.connect(remember_home_zone, dispatch_uid="kbportal-remember-home-zone")
