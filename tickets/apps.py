from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TicketsConfig(AppConfig):
    name = "tickets"
    verbose_name = _("Support")

    def ready(self) -> None:
        from kbportal import timezones

        from .selectors import stored_time_zone

        # Before a browser has told the site its zone, a customer reads times in their organisation's.
        timezones.register_home_zone(stored_time_zone)
