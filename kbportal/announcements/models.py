"""Service notices staff publish (incidents, maintenance, releases), their updates, and who follows them."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kbportal.choices import Language
from tickets.models import Plan

from .querysets import ServiceNoticeQuerySet


class NoticeKind(models.TextChoices):
    INCIDENT = "incident", _("Incident")
    MAINTENANCE = "maintenance", _("Maintenance")
    RELEASE = "release", _("Release")


class Severity(models.TextChoices):
    INFO = "info", _("Information")
    MINOR = "minor", _("Minor")
    MAJOR = "major", _("Major")
    CRITICAL = "critical", _("Critical")


class Audience(models.TextChoices):
    EVERYONE = "everyone", _("Everyone")
    PLAN = "plan", _("Customers on one plan")
    ORGANISATION = "organisation", _("One organisation")


class UpdateStatus(models.TextChoices):
    """Where the work stands, as status pages usually say it."""

    INVESTIGATING = "investigating", _("Investigating")
    IDENTIFIED = "identified", _("Identified")
    MONITORING = "monitoring", _("Monitoring")
    SCHEDULED = "scheduled", _("Scheduled")
    IN_PROGRESS = "in-progress", _("In progress")
    COMPLETED = "completed", _("Completed")
    RESOLVED = "resolved", _("Resolved")
    INFORMATION = "information", _("Information")


class BilingualBody:
    """For models with rendered `body_html`/`body_zh_hans_html`: the text in a language.

    The Chinese text when asked for Chinese and it is filled in, the English otherwise
    (like `kbportal.choices.BilingualNames` for categories).
    """

    def body_html_in(self, language: str) -> str:
        if language == Language.ZH_HANS and self.body_zh_hans_html:
            return self.body_zh_hans_html
        return self.body_html


class ServiceNotice(BilingualBody, models.Model):
    """An announcement shown as a banner while it runs: an incident, a maintenance window or a release.

    Written only through `services`: the Markdown is rendered and sanitised there, and followers are told.
    """

    kind = models.CharField(_("kind"), max_length=12, choices=NoticeKind.choices, default=NoticeKind.INCIDENT)
    severity = models.CharField(_("severity"), max_length=8, choices=Severity.choices, default=Severity.MINOR)
    title = models.CharField(_("title"), max_length=200)
    title_zh_hans = models.CharField(_("title (Chinese)"), max_length=200, blank=True)
    body = models.TextField(_("details (Markdown)"), blank=True)
    body_zh_hans = models.TextField(_("details in Chinese (Markdown)"), blank=True)
    body_html = models.TextField(_("rendered details"), editable=False, blank=True)
    body_zh_hans_html = models.TextField(_("rendered details (Chinese)"), editable=False, blank=True)
    audience = models.CharField(
        _("audience"),
        max_length=12,
        choices=Audience.choices,
        default=Audience.EVERYONE,
        help_text=_("Everyone, the customers of one plan, or the members of one organisation."),
    )
    plan = models.CharField(
        _("plan"), max_length=20, choices=Plan.choices, blank=True, help_text=_("Only for the audience “one plan”.")
    )
    organisation = models.ForeignKey(
        "tickets.Organisation",
        verbose_name=_("organisation"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="service_notices",
        help_text=_("Only for the audience “one organisation”."),
    )
    product_version = models.ForeignKey(
        "articles.ProductVersion",
        verbose_name=_("product version"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="service_notices",
        help_text=_("An incident tied to a version is shown as a known issue on the contact form."),
    )
    starts_at = models.DateTimeField(_("starts"), default=timezone.now)
    ends_at = models.DateTimeField(
        _("ends"), null=True, blank=True, help_text=_("Leave empty while the end is not known.")
    )
    resolved_at = models.DateTimeField(_("resolved"), null=True, blank=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("published by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("changed"), auto_now=True)

    objects = ServiceNoticeQuerySet.as_manager()

    class Meta:
        verbose_name = _("service notice")
        verbose_name_plural = _("service notices")
        ordering = ["-starts_at", "-pk"]
        constraints = [
            # The audience names exactly what it needs: a plan, an organisation, or neither.
            models.CheckConstraint(
                condition=(
                    Q(audience=Audience.EVERYONE, plan="", organisation__isnull=True)
                    | (Q(audience=Audience.PLAN, organisation__isnull=True) & ~Q(plan=""))
                    | Q(audience=Audience.ORGANISATION, plan="", organisation__isnull=False)
                ),
                name="servicenotice_audience_target",
            ),
            models.CheckConstraint(
                condition=Q(ends_at__isnull=True) | Q(ends_at__gte=models.F("starts_at")),
                name="servicenotice_ends_after_start",
            ),
        ]
        indexes = [
            # The banner's "running now": unresolved notices whose window has begun (and not ended).
            models.Index(
                fields=["starts_at", "ends_at"], condition=Q(resolved_at__isnull=True), name="servicenotice_running"
            ),
            # The status page's "recently ended" and the banner's lingering "resolved" incidents.
            models.Index(fields=["ends_at"], name="servicenotice_ended"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("announcements:notice", kwargs={"pk": self.pk})

    def clean(self) -> None:
        """An audience keeps only the target it needs, and names it; a window ends after it starts."""
        if self.audience != Audience.PLAN:
            self.plan = ""
        if self.audience != Audience.ORGANISATION:
            self.organisation = None
        errors = {}
        if self.audience == Audience.PLAN and not self.plan:
            errors["plan"] = _("Choose the plan whose customers see this notice.")
        if self.audience == Audience.ORGANISATION and self.organisation_id is None:
            errors["organisation"] = _("Choose the organisation whose members see this notice.")
        if self.ends_at and self.starts_at and self.ends_at < self.starts_at:
            errors["ends_at"] = _("The end must come after the start. Leave it empty while the end is not known.")
        if errors:
            raise ValidationError(errors)

    def title_in(self, language: str) -> str:
        return self.title_zh_hans if language == Language.ZH_HANS and self.title_zh_hans else self.title

    @property
    def is_resolved(self) -> bool:
        return self.resolved_at is not None


class NoticeUpdate(BilingualBody, models.Model):
    """One step on a notice's timeline ("Identified: a faulty node in Frankfurt"); followers hear of each."""

    notice = models.ForeignKey(
        ServiceNotice, verbose_name=_("notice"), on_delete=models.CASCADE, related_name="updates"
    )
    status = models.CharField(
        _("status"), max_length=14, choices=UpdateStatus.choices, default=UpdateStatus.INVESTIGATING
    )
    body = models.TextField(_("update (Markdown)"))
    body_zh_hans = models.TextField(_("update in Chinese (Markdown)"), blank=True)
    body_html = models.TextField(_("rendered update"), editable=False, blank=True)
    body_zh_hans_html = models.TextField(_("rendered update (Chinese)"), editable=False, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("posted by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    created_at = models.DateTimeField(_("posted"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("notice update")
        verbose_name_plural = _("notice updates")
        ordering = ["-created_at", "-pk"]
        indexes = [
            # A notice's timeline, newest first.
            models.Index(fields=["notice", "-created_at"], name="noticeupdate_timeline"),
        ]

    def __str__(self) -> str:
        return f"{self.get_status_display()}: {self.body[:60]}"


class NoticeFollow(models.Model):
    """A customer who asked to hear of a notice's updates and resolution, in the language they followed it in."""

    notice = models.ForeignKey(
        ServiceNotice, verbose_name=_("notice"), on_delete=models.CASCADE, related_name="follows"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("follower"), on_delete=models.CASCADE, related_name="notice_follows"
    )
    language = models.CharField(_("language"), max_length=10, choices=Language.choices, default=Language.EN)
    created_at = models.DateTimeField(_("followed"), auto_now_add=True)

    class Meta:
        verbose_name = _("notice follower")
        verbose_name_plural = _("notice followers")
        constraints = [
            # Following twice (a double click, two tabs) leaves one row.
            models.UniqueConstraint(fields=["notice", "user"], name="noticefollow_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.user} → {self.notice}"
