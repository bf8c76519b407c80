"""Customer organisations and their members."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from ..querysets import OrganisationQuerySet
from .choices import Plan


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
