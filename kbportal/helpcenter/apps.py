from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HelpCenterConfig(AppConfig):
    """Search, "Did this solve it?", the contact form, guest access and content gaps: a floor above the desk.

    It stands on the knowledge base, the desk and the community, and none of them imports it: the desk's pages and
    e-mails ask the registries the desk owns (`tickets.panels`, `tickets.notifications.register_guest_url`), the
    readers' pages (articles, videos, forum questions) ask `articles.reader_hooks`; this app fills them.
    """

    name = "kbportal.helpcenter"
    label = "helpcenter"
    verbose_name = _("Help center")

    def ready(self) -> None:
        from functools import partial

        from articles.reader_hooks import ReaderHooks, register_reader_hooks
        from kbportal import buffer
        from kbportal.search.registry import register_link
        from tickets import notifications, panels

        from .guest import guest_url
        from .hooks import help_banner, help_link, help_session_note_rating, help_session_note_suggestions
        from .models import HelpVia
        from .selectors import help_trail
        from .services import SEARCH_RECORD, help_searches_write

        # The search page writes nothing: its searches are written after the response, or from Redis in batches.
        buffer.register(SEARCH_RECORD, help_searches_write)
        # The agent's workspace shows what the customer tried before the ticket (two queries, whatever its length).
        panels.register_workspace_panel(
            "help_trail", panels.WorkspacePanel(template="helpcenter/_help_trail.html", data=help_trail)
        )
        # A requester without an account follows their ticket through its guest link, which the e-mails carry.
        notifications.register_guest_url(guest_url)
        # What the contact form suggests links with ?hs=contact-form: an open is counted in the help session.
        register_link(HelpVia.CONTACT_FORM, partial(help_link, via=HelpVia.CONTACT_FORM))
        # Article, video and question pages opened from self-service ask whether they solved it; their ratings, and
        # what the forum's ask page suggested, join the session.
        register_reader_hooks(
            ReaderHooks(
                banner=help_banner,
                note_rating=help_session_note_rating,
                result_link=help_link,
                note_suggestions=help_session_note_suggestions,
            )
        )
