from __future__ import annotations

import uuid
from datetime import datetime

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Kind(models.TextChoices):
    MAIL = "mail", _("E-mail")
    SEARCH_INDEX = "search_index", _("Search index update")


class State(models.TextChoices):
    PENDING = "pending", _("Pending")  # waiting for its first attempt or a retry; may be mid-attempt (leased)
    DELIVERED = "delivered", _("Delivered")
    FAILED = "failed", _("Failed")  # every attempt failed; waits for a person to retry it


class DeliveryQuerySet(models.QuerySet["Delivery"]):
    def pending(self) -> DeliveryQuerySet:
        return self.filter(state=State.PENDING)

    def due(self, now: datetime) -> DeliveryQuerySet:
        """Pending, due, and not held by an attempt in progress (a lease that ran out counts as free)."""
        return (
            self.pending()
            .filter(due_at__lte=now)
            .filter(models.Q(leased_until__isnull=True) | models.Q(leased_until__lt=now))
        )


class Delivery(models.Model):
    """One side effect to carry out once, after the transaction that recorded it committed."""

    uid = models.UUIDField(_("delivery id"), default=uuid.uuid4, unique=True, editable=False)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    # Set for a delivery that must exist once whoever records it how often (e.g. one digest a week each).
    key = models.CharField(_("idempotency key"), max_length=200, null=True, blank=True, unique=True)
    payload = models.JSONField(_("payload"))
    summary = models.CharField(_("summary"), max_length=300, blank=True)
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.PENDING)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    due_at = models.DateTimeField(_("next attempt"), default=timezone.now)
    leased_until = models.DateTimeField(_("attempt in progress until"), null=True, blank=True)
    handed_over_at = models.DateTimeField(_("handed to a worker"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    created_at = models.DateTimeField(_("recorded"), default=timezone.now)
    delivered_at = models.DateTimeField(_("delivered"), null=True, blank=True)

    objects = DeliveryQuerySet.as_manager()

    class Meta:
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        ordering = ["-created_at", "-pk"]
        indexes = [
            # The sweep and the backlog count: pending rows by due time.
            models.Index(fields=["state", "due_at"], name="outbox_state_due_idx"),
            # The admin list, newest first, and the purge of old delivered rows.
            models.Index(fields=["created_at"], name="outbox_created_idx"),
        ]
        permissions = [("retry_delivery", _("Can retry a delivery"))]

    def __str__(self) -> str:
        return self.summary or f"{self.get_kind_display()} {self.uid}"
