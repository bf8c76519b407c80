"""The help center's models: help sessions, their events, and the content gaps' daily rollup.

The tables were the support desk's (tickets_helpsession, …) and keep their names: the models moved here without
moving a row (helpcenter/migrations/0001). A help session points at the ticket it ended in; the desk's models
know nothing of help sessions.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kbportal.choices import Language
from tickets.models import Ticket


class HelpOutcome(models.TextChoices):
    OPEN = "open", _("No verdict yet")
    DEFLECTED = "deflected", _("Solved by self-service")
    ESCALATED = "escalated", _("Escalated to a ticket")
    WITHDRAWN = "withdrawn", _("Solved after submitting (request withdrawn)")


class HelpSession(models.Model):
    """One visitor's attempt to help themselves: searches, opened results, answers, and how it ended.

    A browser has at most one open session at a time; it ends with a verdict (solved, or a
    ticket) or after a stretch of inactivity, and the next search starts a new one.
    """

    session_key = models.CharField(_("browser session"), max_length=40, blank=True)
    # The search visit that began it: a random token the search page carries in its form and result links, so
    # a visitor's searches join one session without a cookie (the page writes nothing; see services.py).
    visit_token = models.CharField(_("search visit"), max_length=32, blank=True, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("customer"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="help_sessions",
    )
    language = models.CharField(_("language"), max_length=10, choices=Language.choices, default=Language.EN)
    started_at = models.DateTimeField(_("started"), default=timezone.now)
    last_activity_at = models.DateTimeField(_("last activity"), default=timezone.now)
    outcome = models.CharField(_("outcome"), max_length=12, choices=HelpOutcome.choices, default=HelpOutcome.OPEN)
    ticket = models.ForeignKey(
        Ticket,
        verbose_name=_("ticket"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="help_sessions",
    )
    verdict_at = models.DateTimeField(_("verdict"), null=True, blank=True)
    # Tallies kept with F() updates, so the report counts sessions without reading their events.
    search_count = models.PositiveIntegerField(_("searches"), default=0)
    open_count = models.PositiveIntegerField(_("results opened"), default=0)

    class Meta:
        db_table = "tickets_helpsession"
        verbose_name = _("help session")
        verbose_name_plural = _("help sessions")
        ordering = ["-started_at", "-pk"]
        permissions = [("view_deflection_report", _("Can see the self-service deflection report"))]
        indexes = [
            # The deflection report and the service dashboard: sessions started in a period, counted by day,
            # outcome, searches and opens, and by language — all from the index, without reading the rows.
            models.Index(
                fields=["started_at", "outcome", "search_count", "open_count", "language"],
                name="helpsession_period_tallies",
            ),
            # A buffered search, or a result opened from one, finds the session its visit began.
            models.Index(fields=["visit_token", "-id"], name="helpsession_visit", condition=~models.Q(visit_token="")),
        ]

    def __str__(self) -> str:
        return f"{self.pk} {self.get_outcome_display()}"


class HelpEventKind(models.TextChoices):
    SEARCH = "search", _("Searched")
    OPEN = "open", _("Opened a result")
    RATING = "rating", _("Rated")
    SUGGESTIONS = "suggestion-shown", _("Was shown suggestions")
    CONTACT_FORM = "contact-form", _("Opened the contact form")
    FOLLOWED_NOTICE = "followed-notice", _("Followed a known issue instead of opening a ticket")


class HelpVia(models.TextChoices):
    """Where an opened result or a list of suggestions was shown."""

    SEARCH = "search", _("search results")
    CONTACT_FORM = "contact-form", _("suggestions beside the contact form")
    AFTER_SUBMIT = "after-submit", _("suggestions after sending the request")
    COMMUNITY_ASK = "community-ask", _("similar questions while asking the community")


class HelpSessionEvent(models.Model):
    """One step of a help session, as the agent reads it later: what was searched, shown, opened and rated."""

    session = models.ForeignKey(
        HelpSession, verbose_name=_("help session"), on_delete=models.CASCADE, related_name="events"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=HelpEventKind.choices)
    query = models.CharField(_("query"), max_length=500, blank=True)
    normalised_query = models.CharField(_("normalised query"), max_length=200, blank=True)
    result_count = models.PositiveIntegerField(_("results"), null=True, blank=True)
    results = models.JSONField(
        _("results shown"), default=list, blank=True, help_text=_("The first ten: kind, id, title and address.")
    )
    item_kind = models.CharField(_("item kind"), max_length=20, blank=True)
    item_id = models.BigIntegerField(_("item id"), null=True, blank=True)
    item_title = models.CharField(_("item title"), max_length=300, blank=True)
    item_url = models.CharField(_("item address"), max_length=300, blank=True)
    via = models.CharField(_("shown in"), max_length=16, choices=HelpVia.choices, blank=True)
    helpful = models.BooleanField(_("helpful"), null=True, blank=True)
    created_at = models.DateTimeField(_("when"), default=timezone.now)

    class Meta:
        db_table = "tickets_helpsessionevent"
        verbose_name = _("help session event")
        verbose_name_plural = _("help session events")
        ordering = ["created_at", "pk"]
        indexes = [
            # A session's trail in order: the agent's "what the customer tried" panel, the last search.
            models.Index(fields=["session", "created_at"], name="helpevent_session_trail"),
            # The deflection report and the dashboard: the searches of a period, with or without results.
            models.Index(fields=["kind", "created_at", "result_count"], name="helpevent_kind_recent_results"),
        ]

    def __str__(self) -> str:
        return f"{self.session_id} {self.kind} {self.query or self.item_title}"


class ContentGapDay(models.Model):
    """One day's content gaps (a UTC day) for one normalised query and language: the daily rollup of the searches.

    Computed from the day's searches all at once, and again whenever the day may have changed (an escalation
    or a withdrawal of a session that searched then, a search written late), by `content_gap_rollup`: the same
    aggregate as over raw searches, so the dashboard reads closed days here and only today (and the edges of a
    period in another time zone) from the searches. Counts belong to their day, so a report covers its period.
    """

    day = models.DateField(_("day"))
    normalised_query = models.CharField(_("normalised query"), max_length=200)
    language = models.CharField(_("language"), max_length=10, choices=Language.choices, default=Language.EN)
    example_query = models.CharField(_("example query"), max_length=500)
    zero_result_count = models.PositiveIntegerField(_("searches without results"), default=0)
    escalated_count = models.PositiveIntegerField(_("sessions that ended in a ticket"), default=0)
    last_seen_at = models.DateTimeField(_("last seen"))

    class Meta:
        verbose_name = _("content gaps of a day")
        verbose_name_plural = _("content gaps by day")
        ordering = ["-day", "normalised_query", "language"]
        constraints = [
            models.UniqueConstraint(fields=["day", "normalised_query", "language"], name="contentgapday_unique"),
        ]
        indexes = [
            # The dashboard's content gaps: a period's days, by language, summed per query.
            models.Index(fields=["day", "language", "normalised_query"], name="contentgapday_period"),
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.example_query}"


class ContentGapRolledDay(models.Model):
    """A day whose content gaps are in ContentGapDay (a day without gaps has no rows, but is rolled up)."""

    day = models.DateField(_("day"), primary_key=True)
    rolled_at = models.DateTimeField(_("rolled up"), default=timezone.now)

    class Meta:
        verbose_name = _("rolled-up day")
        verbose_name_plural = _("rolled-up days")

    def __str__(self) -> str:
        return str(self.day)
