from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kbportal.choices import Language

from .querysets import OrganisationQuerySet, TicketQuerySet

REFERENCE_PREFIX = "HW-"


class Plan(models.TextChoices):
    BASIC = "basic", _("Basic")
    PROFESSIONAL = "professional", _("Professional")
    ENTERPRISE = "enterprise", _("Enterprise")


class Priority(models.IntegerChoices):
    P1 = 1, _("P1 · System down")
    P2 = 2, _("P2 · Major function impaired")
    P3 = 3, _("P3 · Minor problem")
    P4 = 4, _("P4 · Question or suggestion")

    @classmethod
    def help_texts(cls) -> dict[int, str]:
        return {
            cls.P1: _("HelloWorld is down or your core business is blocked."),
            cls.P2: _("A major function does not work, but you can still work."),
            cls.P3: _("A minor problem, and you have a workaround."),
            cls.P4: _("A question, a how-to or a suggestion."),
        }


class Status(models.TextChoices):
    NEW = "new", _("New")
    OPEN = "open", _("Open")
    WAITING = "waiting", _("Waiting on customer")
    RESOLVED = "resolved", _("Resolved")
    CLOSED = "closed", _("Closed")

    @classmethod
    def active(cls) -> list[str]:
        """Statuses whose tickets still need work (the queue's default)."""
        return [cls.NEW, cls.OPEN, cls.WAITING]


class Tier(models.IntegerChoices):
    TIER_1 = 1, _("Tier 1")
    TIER_2 = 2, _("Tier 2")
    TIER_3 = 3, _("Tier 3")


class Channel(models.TextChoices):
    WEB = "web", _("Web form")
    SELF_SERVICE = "self-service", _("Self-service escalation")
    COMMUNITY = "community", _("Community")
    API = "api", _("API")
    EMAIL = "email", _("E-mail")


class Organisation(models.Model):
    """A customer company with a service plan; its members share tickets and service levels."""

    name = models.CharField(_("name"), max_length=160, unique=True)
    plan = models.CharField(_("service plan"), max_length=20, choices=Plan.choices, default=Plan.BASIC)
    time_zone = models.CharField(
        _("time zone"),
        max_length=64,
        default="UTC",
        help_text=_("Business-hours service levels are measured in this time zone, e.g. Asia/Shanghai."),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = OrganisationQuerySet.as_manager()

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        try:
            ZoneInfo(self.time_zone)
        except (ZoneInfoNotFoundError, ValueError) as error:
            raise ValidationError({"time_zone": _("Give an IANA time zone such as Asia/Shanghai.")}) from error


class OrganisationMembership(models.Model):
    """A customer's place in an organisation: at most one organisation per customer."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("customer"),
        on_delete=models.CASCADE,
        related_name="membership",
    )
    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), on_delete=models.CASCADE, related_name="memberships"
    )
    is_admin = models.BooleanField(
        _("organisation admin"), default=False, help_text=_("Sees and manages all of the organisation's tickets.")
    )
    joined_at = models.DateTimeField(_("joined"), auto_now_add=True)

    class Meta:
        verbose_name = _("organisation membership")
        verbose_name_plural = _("organisation memberships")
        indexes = [
            # The member list of one organisation.
            models.Index(fields=["organisation", "user"], name="membership_org_user"),
        ]

    def __str__(self) -> str:
        return f"{self.user} @ {self.organisation}"


# --- Service levels ------------------------------------------------------------------------


class ServiceCalendar(models.Model):
    """When the service-level clock runs: around the clock, or business hours with holidays."""

    name = models.CharField(_("name"), max_length=80, unique=True)
    always_open = models.BooleanField(_("24×7"), default=False, help_text=_("Every minute counts, day and night."))
    open_days = models.CharField(
        _("open days"),
        max_length=20,
        default="0,1,2,3,4",
        help_text=_("Weekday numbers separated by commas, Monday = 0 … Sunday = 6."),
    )
    opens_at = models.TimeField(_("opens at"), default="09:00")
    closes_at = models.TimeField(_("closes at"), default="18:00")
    default_time_zone = models.CharField(
        _("default time zone"),
        max_length=64,
        default="UTC",
        help_text=_("Used for customers without an organisation; organisations use their own time zone."),
    )

    class Meta:
        verbose_name = _("service calendar")
        verbose_name_plural = _("service calendars")

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        days = [day.strip() for day in self.open_days.split(",") if day.strip()]
        if not self.always_open and (not days or any(not d.isdigit() or int(d) > 6 for d in days)):
            raise ValidationError({"open_days": _("List weekday numbers from 0 (Monday) to 6, e.g. 0,1,2,3,4.")})
        if not self.always_open and self.opens_at >= self.closes_at:
            raise ValidationError({"closes_at": _("Closing time must come after opening time.")})
        try:
            ZoneInfo(self.default_time_zone)
        except (ZoneInfoNotFoundError, ValueError) as error:
            raise ValidationError({"default_time_zone": _("Give an IANA time zone such as Asia/Shanghai.")}) from error


class Holiday(models.Model):
    calendar = models.ForeignKey(
        ServiceCalendar, verbose_name=_("calendar"), on_delete=models.CASCADE, related_name="holidays"
    )
    date = models.DateField(_("date"))
    name = models.CharField(_("name"), max_length=80)

    class Meta:
        verbose_name = _("holiday")
        verbose_name_plural = _("holidays")
        ordering = ["date"]
        constraints = [models.UniqueConstraint(fields=["calendar", "date"], name="holiday_unique_date")]

    def __str__(self) -> str:
        return f"{self.date} {self.name}"


class SlaPolicy(models.Model):
    """The service levels of one plan: a calendar, targets per priority, and what a breach does."""

    plan = models.CharField(_("plan"), max_length=20, choices=Plan.choices, unique=True)
    calendar = models.ForeignKey(
        ServiceCalendar, verbose_name=_("calendar"), on_delete=models.PROTECT, related_name="policies"
    )
    warn_before_minutes = models.PositiveIntegerField(
        _("warn before (minutes)"),
        default=30,
        help_text=_("The assignee is warned this long before a target is missed."),
    )
    raise_priority_on_breach = models.BooleanField(
        _("raise priority on breach"),
        default=False,
        help_text=_("A ticket that misses its resolution target moves up one priority (P4 → P3 …), never above P2."),
    )

    class Meta:
        verbose_name = _("SLA policy")
        verbose_name_plural = _("SLA policies")
        ordering = ["plan"]

    def __str__(self) -> str:
        return self.get_plan_display()


class SlaTarget(models.Model):
    policy = models.ForeignKey(SlaPolicy, verbose_name=_("policy"), on_delete=models.CASCADE, related_name="targets")
    priority = models.PositiveSmallIntegerField(_("priority"), choices=Priority.choices)
    first_response_minutes = models.PositiveIntegerField(
        _("first response (minutes)"), help_text=_("Counted on the policy's calendar.")
    )
    resolution_minutes = models.PositiveIntegerField(
        _("resolution (minutes)"), help_text=_("Counted on the policy's calendar.")
    )

    class Meta:
        verbose_name = _("SLA target")
        verbose_name_plural = _("SLA targets")
        ordering = ["policy", "priority"]
        constraints = [models.UniqueConstraint(fields=["policy", "priority"], name="sla_target_unique_priority")]

    def __str__(self) -> str:
        return f"{self.policy} {self.get_priority_display()}"

    @property
    def first_response(self) -> timedelta:
        return timedelta(minutes=self.first_response_minutes)

    @property
    def resolution(self) -> timedelta:
        return timedelta(minutes=self.resolution_minutes)


# --- Tickets ---------------------------------------------------------------------------------


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
        from .event_text import event_sentence

        return event_sentence(self.kind, self.values)

    @property
    def reason(self) -> str:
        """Why, in the active language when the system gave the reason; as written when a person did."""
        from .event_text import event_reason

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


# --- Satisfaction ------------------------------------------------------------------------------


def _score(low: int, high: int, label: str, **kwargs) -> models.PositiveSmallIntegerField:
    return models.PositiveSmallIntegerField(
        label, validators=[MinValueValidator(low), MaxValueValidator(high)], **kwargs
    )


class ServiceIndexWeights(models.Model):
    """The weights of the five service ratings in the service index (one row; percentages summing to 100)."""

    response_speed = models.PositiveSmallIntegerField(_("response speed"), default=25)
    resolution = models.PositiveSmallIntegerField(_("resolution"), default=30)
    expertise = models.PositiveSmallIntegerField(_("expertise"), default=20)
    attitude = models.PositiveSmallIntegerField(_("attitude"), default=15)
    follow_up = models.PositiveSmallIntegerField(_("follow-up"), default=10)

    class Meta:
        verbose_name = _("service index weights")
        verbose_name_plural = _("service index weights")

    def __str__(self) -> str:
        return str(_("Service index weights"))

    def clean(self) -> None:
        if sum(self.as_dict().values()) != 100:
            raise ValidationError(_("The five weights are percentages: make them add up to 100."))

    def as_dict(self) -> dict[str, int]:
        return {name: getattr(self, name) for name in SERVICE_DIMENSIONS}


SERVICE_DIMENSIONS = ("response_speed", "resolution", "expertise", "attitude", "follow_up")


class SurveyResponse(models.Model):
    """The requester's verdict on a resolved ticket: one per ticket, editable for a while."""

    ticket = models.OneToOneField(
        Ticket, verbose_name=_("ticket"), on_delete=models.CASCADE, related_name="survey_response"
    )
    respondent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("respondent"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    csat = _score(1, 5, _("satisfaction (CSAT, 1–5)"))
    response_speed = _score(1, 5, _("response speed"))
    resolution = _score(1, 5, _("resolution"))
    expertise = _score(1, 5, _("expertise"))
    attitude = _score(1, 5, _("attitude"))
    follow_up = _score(1, 5, _("follow-up"))
    service_index = models.DecimalField(_("service index (0–100)"), max_digits=5, decimal_places=1)
    ces = _score(1, 5, _("effort (CES, 1 = very easy, 5 = very hard)"))
    nps = _score(0, 10, _("recommendation (NPS, 0–10)"), null=True, blank=True)
    comment = models.TextField(_("comment"), blank=True)
    address_hash = models.CharField(_("address fingerprint"), max_length=64, blank=True, editable=False)
    flagged = models.BooleanField(
        _("flagged"), default=False, help_text=_("Part of a burst of answers from one address; check before counting.")
    )
    created_at = models.DateTimeField(_("answered"), auto_now_add=True)
    updated_at = models.DateTimeField(_("changed"), auto_now=True)

    class Meta:
        verbose_name = _("survey response")
        verbose_name_plural = _("survey responses")
        ordering = ["-created_at"]
        indexes = [
            # Burst detection: recent answers from one address.
            models.Index(fields=["address_hash", "created_at"], name="survey_address_recent"),
            # Analytics by period.
            models.Index(fields=["created_at"], name="survey_created"),
        ]

    def __str__(self) -> str:
        return f"{self.ticket_id}: CSAT {self.csat}"


class FollowUpStatus(models.TextChoices):
    OPEN = "open", _("Open")
    CLOSED = "closed", _("Closed")


class FollowUpCase(models.Model):
    """The closed loop on a low score: remedy, review and improvement, owned by the support managers."""

    ticket = models.OneToOneField(
        Ticket, verbose_name=_("ticket"), on_delete=models.CASCADE, related_name="follow_up_case"
    )
    trigger = models.CharField(_("trigger"), max_length=200)
    status = models.CharField(_("status"), max_length=8, choices=FollowUpStatus.choices, default=FollowUpStatus.OPEN)
    opened_at = models.DateTimeField(_("opened"), auto_now_add=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)

    class Meta:
        verbose_name = _("follow-up case")
        verbose_name_plural = _("follow-up cases")
        ordering = ["-opened_at"]
        indexes = [models.Index(fields=["status", "-opened_at"], name="followup_status_recent")]

    def __str__(self) -> str:
        return f"{self.ticket} · {self.get_status_display()}"


class FollowUpStageKind(models.TextChoices):
    REMEDY = "remedy", _("Immediate remedy: contact the customer")
    REVIEW = "review", _("Process review")
    IMPROVEMENT = "improvement", _("Improvement action")


class FollowUpStage(models.Model):
    case = models.ForeignKey(FollowUpCase, verbose_name=_("case"), on_delete=models.CASCADE, related_name="stages")
    kind = models.CharField(_("stage"), max_length=12, choices=FollowUpStageKind.choices)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="follow_up_stages",
    )
    note = models.TextField(_("note"), blank=True)
    due_date = models.DateField(_("due"))
    done_at = models.DateTimeField(_("done"), null=True, blank=True)

    class Meta:
        verbose_name = _("follow-up stage")
        verbose_name_plural = _("follow-up stages")
        ordering = ["case", "due_date"]
        constraints = [models.UniqueConstraint(fields=["case", "kind"], name="followup_one_stage_per_kind")]

    def __str__(self) -> str:
        return self.get_kind_display()


# --- Self-service: help sessions and content gaps ------------------------------------------------------


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


class ContentGap(models.Model):
    """A question the help center does not answer well: searched without results, or ending in a ticket.

    One row per normalised query and language; the counts only grow, with F() updates.
    """

    normalised_query = models.CharField(_("normalised query"), max_length=200)
    language = models.CharField(_("language"), max_length=10, choices=Language.choices, default=Language.EN)
    example_query = models.CharField(_("example query"), max_length=500)
    zero_result_count = models.PositiveIntegerField(_("searches without results"), default=0)
    escalated_count = models.PositiveIntegerField(_("sessions that ended in a ticket"), default=0)
    first_seen_at = models.DateTimeField(_("first seen"), default=timezone.now)
    last_seen_at = models.DateTimeField(_("last seen"), default=timezone.now)

    class Meta:
        verbose_name = _("content gap")
        verbose_name_plural = _("content gaps")
        ordering = ["-last_seen_at"]
        constraints = [
            # Concurrent recorders of the same query meet here: one inserts, the other updates.
            models.UniqueConstraint(fields=["normalised_query", "language"], name="contentgap_unique_query"),
        ]
        indexes = [
            # The report's "searches without results", most frequent first.
            models.Index(fields=["-zero_result_count", "last_seen_at"], name="contentgap_zero_results"),
            # The report's "searches that ended in a ticket", most frequent first.
            models.Index(fields=["-escalated_count", "last_seen_at"], name="contentgap_escalated"),
        ]

    def __str__(self) -> str:
        return self.example_query
