"""Service levels: the calendars the clocks run on, holidays, and each plan's policy and targets."""

from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from .choices import Plan, Priority


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
