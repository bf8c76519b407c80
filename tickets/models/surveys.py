"""Satisfaction: survey responses, the service index's weights, and the follow-up of low scores."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from .tickets import Ticket


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
