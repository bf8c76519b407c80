from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TicketsConfig(AppConfig):
    name = "tickets"
    verbose_name = _("Support")

    def ready(self) -> None:
        from functools import partial

        from kbportal import timezones
        from kbportal.search.registry import register_link

        from .deflection.hooks import help_link
        from .models import HelpVia
        from .selectors import stored_time_zone

        # Before a browser has told the site its zone, a customer reads times in their organisation's.
        timezones.register_home_zone(stored_time_zone)
        # What the contact form suggests links with ?hs=contact-form: an open is counted in the help session.
        register_link(HelpVia.CONTACT_FORM, partial(help_link, via=HelpVia.CONTACT_FORM))
