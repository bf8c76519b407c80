"""Tickets and what happens to them: pauses of the clocks, messages, attachments, events; agents' availability."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from kbportal.choices import Language

from ..querysets import TicketQuerySet
from .choices import Channel, Plan, Priority, Status, Tier
from .organisations import Organisation

REFERENCE_PREFIX = "HW-"


class Ticket(models.Model):
    subject = models.CharField(_("subject"), max_length=200)
    description = models.TextField(_("description (Markdown)"))
    description_html = models.TextField(_("rendered description"), editable=False, blank=True)
    requester = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requester"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="tickets",
    )
    requester_email = models.EmailField(
        _("requester e-mail"), help_text=_("Where notifications go; kept for requesters without an account.")
    )
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="tickets",
    )
    product_version = models.ForeignKey(
        "articles.ProductVersion",
        verbose_name=_("product version"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="tickets",
    )
    category = models.ForeignKey(
        "articles.Category",
        verbose_name=_("category"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="tickets",
    )
    plan = models.CharField(
        _("plan"),
        max_length=20,
        choices=Plan.choices,
        default=Plan.BASIC,
        help_text=_("The service plan whose targets apply, from the organisation at creation or its last change."),
    )
    priority = models.PositiveSmallIntegerField(_("priority"), choices=Priority.choices, default=Priority.P3)
    proposed_priority = models.PositiveSmallIntegerField(
        _("priority proposed by the customer"), choices=Priority.choices, default=Priority.P3
    )
    tier = models.PositiveSmallIntegerField(_("tier"), choices=Tier.choices, default=Tier.TIER_1)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.NEW)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assignee"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="assigned_tickets",
    )
    channel = models.CharField(_("channel"), max_length=16, choices=Channel.choices, default=Channel.WEB)
    language = models.CharField(
        _("language"),
        max_length=10,
        choices=Language.choices,
        default=Language.EN,
        help_text=_("The requester's language, for the e-mails they receive."),
    )
    idempotency_key = models.CharField(_("idempotency key"), max_length=64, null=True, blank=True, editable=False)
    previous_ticket = models.ForeignKey(
        "self",
        verbose_name=_("follows up on"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="follow_up_tickets",
        help_text=_("The earlier ticket this one continues, when it was resolved too long ago to reopen."),
    )
    knowledge_article = models.ForeignKey(
        "articles.Article",
        verbose_name=_("knowledge article"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="source_tickets",
        help_text=_("The article written from this ticket's resolution."),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    first_response_at = models.DateTimeField(_("first response"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("resolved"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    first_response_due_at = models.DateTimeField(_("first response due"), null=True, blank=True)
    resolution_due_at = models.DateTimeField(_("resolution due"), null=True, blank=True)
    first_response_warned_at = models.DateTimeField(_("first-response warning sent"), null=True, blank=True)
    resolution_warned_at = models.DateTimeField(_("resolution warning sent"), null=True, blank=True)
    first_response_breached_at = models.DateTimeField(_("first response breached"), null=True, blank=True)
    resolution_breached_at = models.DateTimeField(_("resolution breached"), null=True, blank=True)
    # Facts for the service dashboard (tickets/analytics_facts.py), stored so medians and percentiles are
    # index walks. Derived from the fields above, the pauses and the events; never edited by hand.
    first_response_seconds = models.PositiveIntegerField(
        _("first response time (s)"),
        null=True,
        blank=True,
        editable=False,
        help_text=_(
            "Seconds the first-response clock counted from creation to the first public staff reply: business "
            "time on the plan's calendar in the organisation's time zone, less time waiting on the customer. "
            "Empty until that reply."
        ),
    )
    first_response_met = models.BooleanField(
        _("first-response target met"),
        null=True,
        blank=True,
        editable=False,
        help_text=_(
            "Whether the first-response clock stopped within the target of the ticket's current plan and "
            "priority; empty until the first reply. Exact, unlike the breach time, which the periodic check "
            "records only for clocks still running when it passes."
        ),
    )
    resolution_seconds = models.PositiveIntegerField(
        _("resolution time (s)"),
        null=True,
        blank=True,
        editable=False,
        help_text=_(
            "Seconds the resolution clock counted from creation to the latest resolution, counted like the "
            "first-response time. Kept while a reopened ticket is worked again and replaced when it is resolved "
            "again, like the resolution time stamp."
        ),
    )
    resolution_met = models.BooleanField(
        _("resolution target met"),
        null=True,
        blank=True,
        editable=False,
        help_text=_(
            "Whether the resolution clock stopped within the target of the ticket's current plan and priority "
            "at the latest resolution; empty until the ticket is resolved."
        ),
    )
    escalation_count = models.PositiveSmallIntegerField(
        _("escalations"),
        default=0,
        editable=False,
        help_text=_("Moves to a higher tier; a hand-back to a lower tier does not count."),
    )
    reopen_count = models.PositiveSmallIntegerField(
        _("reopenings"),
        default=0,
        editable=False,
        help_text=_("Moves from resolved or closed back to work: by the customer's reopen or reply, or by staff."),
    )

    objects = TicketQuerySet.as_manager()

    class Meta:
        verbose_name = _("ticket")
        verbose_name_plural = _("tickets")
        ordering = ["-created_at"]
        permissions = [
            ("work_ticket", _("Can work tickets: reply, note, assign, escalate")),
            ("view_all_tiers", _("Can see the queues of every tier")),
        ]
        indexes = [
            # The work queue: active tickets of some tiers, most urgent first.
            models.Index(fields=["tier", "status", "resolution_due_at"], name="ticket_queue"),
            # An agent's own tickets.
            models.Index(fields=["assignee", "status"], name="ticket_assignee_status"),
            # "My tickets" and an organisation's tickets, newest first.
            models.Index(fields=["requester", "-created_at"], name="ticket_requester_recent"),
            models.Index(fields=["organisation", "-created_at"], name="ticket_org_recent"),
            # The breach job: active tickets whose next due time has come.
            models.Index(fields=["status", "first_response_due_at"], name="ticket_first_response_due"),
            models.Index(fields=["status", "resolution_due_at"], name="ticket_resolution_due"),
            # The service dashboard. Counts and rates (escalation, reopening, first-contact resolution, target
            # met per priority and tier) over the tickets created, or resolved, in a date range. A filter on
            # organisation narrows through ticket_org_recent; priority, tier, plan, version and language are
            # checked on the rows the range finds, which is cheaper than an index per filter.
            models.Index(fields=["created_at"], name="ticket_created"),
            models.Index(fields=["resolved_at"], name="ticket_resolved"),
            # Medians and percentiles: ORDER BY the duration OFFSET k LIMIT 1 walks the index in order and
            # tests the creation range inside it (an index-only scan on PostgreSQL). For a narrow range the
            # planner rather reads ticket_created and sorts the few rows; on 100k tickets both take milliseconds.
            models.Index(fields=["first_response_seconds", "created_at"], name="ticket_first_response_walk"),
            models.Index(fields=["resolution_seconds", "created_at"], name="ticket_resolution_walk"),
        ]
        constraints = [
            # A retried create (double submit, API retry) finds the first ticket instead of making a second.
            models.UniqueConstraint(
                fields=["requester_email", "idempotency_key"],
                condition=Q(idempotency_key__isnull=False),
                name="ticket_unique_idempotency_key",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.subject}"

    def get_absolute_url(self) -> str:
        return reverse("tickets:detail", kwargs={"reference": self.reference})

    @property
    def reference(self) -> str:
        return f"{REFERENCE_PREFIX}{self.pk:06d}" if self.pk else ""

    @property
    def is_active(self) -> bool:
        return self.status in Status.active()


def reference_to_pk(reference: str) -> int | None:
    """The primary key in a reference such as "HW-000123" (or "123"); None if it is not one."""
    text = reference.strip().upper().removeprefix(REFERENCE_PREFIX)
    return int(text) if text.isdigit() and len(text) <= 12 else None


class SlaPause(models.Model):
    """A stretch of time while the ticket waited on the customer: the clocks did not run."""

    ticket = models.ForeignKey(Ticket, verbose_name=_("ticket"), on_delete=models.CASCADE, related_name="pauses")
    started_at = models.DateTimeField(_("paused at"))
    ended_at = models.DateTimeField(_("resumed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("SLA pause")
        verbose_name_plural = _("SLA pauses")
        ordering = ["started_at"]
        constraints = [
            # At most one open pause per ticket.
            models.UniqueConstraint(fields=["ticket"], condition=Q(ended_at__isnull=True), name="sla_one_open_pause"),
        ]

    def __str__(self) -> str:
        return f"{self.ticket_id}: {self.started_at} – {self.ended_at or '…'}"


class Message(models.Model):
    """A public reply or an internal note; internal notes never reach customers."""

    ticket = models.ForeignKey(Ticket, verbose_name=_("ticket"), on_delete=models.CASCADE, related_name="messages")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="ticket_messages",
    )
    body = models.TextField(_("message (Markdown)"))
    body_html = models.TextField(_("rendered message"), editable=False, blank=True)
    is_internal = models.BooleanField(_("internal note"), default=False)
    from_staff = models.BooleanField(_("from staff"), default=False)
    created_at = models.DateTimeField(_("sent"), auto_now_add=True)

    class Meta:
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        ordering = ["created_at", "pk"]
        indexes = [
            # A ticket's conversation in order, with or without internal notes.
            models.Index(fields=["ticket", "is_internal", "created_at"], name="message_ticket_timeline"),
        ]

    def __str__(self) -> str:
        return f"{self.ticket_id}: {self.body[:40]}"


class Attachment(models.Model):
    """A file a customer or agent attached; served only as a download with a type chosen by the server."""

    ticket = models.ForeignKey(Ticket, verbose_name=_("ticket"), on_delete=models.CASCADE, related_name="attachments")
    message = models.ForeignKey(
        Message,
        verbose_name=_("message"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="attachments",
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    file = models.FileField(_("file"), upload_to="tickets/%Y/%m/")
    original_name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(_("type"), max_length=80)
    size = models.PositiveIntegerField(_("size (bytes)"))
    created_at = models.DateTimeField(_("uploaded"), auto_now_add=True)

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return self.original_name


class EventKind(models.TextChoices):
    CREATED = "created", _("Created")
    STATUS = "status", _("Status changed")
    PRIORITY = "priority", _("Priority changed")
    TIER = "tier", _("Tier changed")
    ASSIGNEE = "assignee", _("Assignee changed")
    DUE = "due", _("Due times changed")
    SLA_WARNING = "sla-warning", _("SLA warning")
    SLA_BREACH = "sla-breach", _("SLA breached")
    REOPENED = "reopened", _("Reopened")
    ARTICLE = "article", _("Knowledge article drafted")


class EventCause(models.TextChoices):
    """Why the system changed a ticket. Kept as a code, so each reader gets the reason in their language;
    a reason a person typed is kept as they wrote it."""

    CUSTOMER_REPLIED = "customer-replied", _("The customer replied.")
    CUSTOMER_REOPENED = "customer-reopened", _("Reopened by the customer.")
    WITHDRAWN = "withdrawn", _("Withdrawn by the customer: solved by an article")
    AUTO_ASSIGNED = "auto-assigned", _("Automatic assignment")
    PLAN_CHANGED = "plan-changed", _("Plan changed")
    ORGANISATION_PLAN = "organisation-plan", _("The organisation moved to another plan.")
    SERVICE_LEVELS = "service-levels", _("Service levels changed")
    RESOLUTION_MISSED = "resolution-missed", _("Resolution target missed (SLA policy).")
    REOPEN_WINDOW = "reopen-window", _("Closed after the reopen window.")


class SlaClock(models.TextChoices):
    """The two service-level clocks of a ticket, as its SLA events name them."""

    FIRST_RESPONSE = "first-response", _("first response")
    RESOLUTION = "resolution", _("resolution")


# The events a customer sees on their timeline; the rest (due times, SLA alarms) are for staff.
PUBLIC_EVENT_KINDS = {EventKind.CREATED, EventKind.STATUS, EventKind.PRIORITY, EventKind.TIER, EventKind.REOPENED}


class Event(models.Model):
    """One change to a ticket: who, when, what and why.

    What changed is kept as codes in ``values``, never as words, so the timeline reads in the language of
    whoever looks at it (``tickets.event_text`` turns them into words):

    ``created``      ``{"channel": "web"}``
    ``status``       ``{"from": "new", "to": "open"}``
    ``priority``     ``{"from": 3, "to": 1}``
    ``tier``         ``{"from": 1, "to": 2}``
    ``assignee``     ``{"from": "Ann Agent" | null, "to": "Bo Agent" | null}`` (names as they were then)
    ``due``          ``{"from": {"first_response": iso | null, "resolution": iso | null}, "to": {…}}``
    ``sla-*``        ``{"clock": "first-response" | "resolution", "due": iso}``
    ``article``      ``{"article": 12, "title": "…"}``

    Any kind may add ``"reason"`` (what a person typed, kept as written) or ``"cause"`` (an ``EventCause``).
    Rows written before events held codes whose words could not be read back keep them in ``"legacy"``
    (``{"from": "…", "to": "…"}``), shown as they are.
    """

    ticket = models.ForeignKey(Ticket, verbose_name=_("ticket"), on_delete=models.CASCADE, related_name="events")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    kind = models.CharField(_("kind"), max_length=16, choices=EventKind.choices)
    values = models.JSONField(
        _("details"), default=dict, blank=True, help_text=_("What changed, as codes; shown in the reader's language.")
    )
    created_at = models.DateTimeField(_("when"), auto_now_add=True)

    class Meta:
        verbose_name = _("ticket event")
        verbose_name_plural = _("ticket events")
        ordering = ["created_at", "pk"]
        indexes = [
            # The timeline of one ticket.
            models.Index(fields=["ticket", "created_at"], name="event_ticket_timeline"),
        ]

    def __str__(self) -> str:
        return f"{self.ticket_id} {self.kind} {self.values}"

    @property
    def is_public(self) -> bool:
        return self.kind in PUBLIC_EVENT_KINDS

    @property
    def sentence(self) -> str:
        """What happened, in the active language."""
        from ..event_text import event_sentence

        return event_sentence(self.kind, self.values)

    @property
    def reason(self) -> str:
        """Why, in the active language when the system gave the reason; as written when a person did."""
        from ..event_text import event_reason

        return event_reason(self.values)


class AgentAvailability(models.Model):
    """Whether an agent takes new tickets: away agents are skipped by automatic assignment."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, verbose_name=_("agent"), on_delete=models.CASCADE, related_name="availability"
    )
    is_away = models.BooleanField(_("away"), default=False)
    changed_at = models.DateTimeField(_("changed"), auto_now=True)

    class Meta:
        verbose_name = _("agent availability")
        verbose_name_plural = _("agent availability")

    def __str__(self) -> str:
        return f"{self.user} ({'away' if self.is_away else 'available'})"
