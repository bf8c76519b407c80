"""Chainable reads of service notices: what runs at a moment, what is coming, what ended lately, who may see it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from django.db import models
from django.db.models import Q

if TYPE_CHECKING:
    from .models import ServiceNotice  # noqa: F401 - named in the queryset's type argument


@dataclass(frozen=True)
class Viewer:
    """Whose notices a visitor sees: staff see all; a customer those of everyone, their plan and organisation."""

    sees_all: bool = False
    organisation_id: int | None = None
    plan: str = ""


ANONYMOUS = Viewer()


class ServiceNoticeQuerySet(models.QuerySet["ServiceNotice"]):
    def running(self, now: datetime, until: datetime | None = None) -> ServiceNoticeQuerySet:
        """Unresolved notices whose window holds `now`, or with `until`, meets [now, until]

        (served by the index "servicenotice_running")."""
        return self.filter(resolved_at__isnull=True, starts_at__lte=until or now).filter(
            Q(ends_at__isnull=True) | Q(ends_at__gt=now)
        )

    def upcoming(self, now: datetime) -> ServiceNoticeQuerySet:
        return self.filter(resolved_at__isnull=True, starts_at__gt=now)

    def ended_since(self, since: datetime, now: datetime) -> ServiceNoticeQuerySet:
        """Resolved, or past their end, since `since` (resolving sets the end, so one range covers both)."""
        return self.filter(ends_at__gte=since, ends_at__lte=now)

    def visible_to_viewer(self, viewer: Viewer) -> ServiceNoticeQuerySet:
        from .models import Audience

        if viewer.sees_all:
            return self
        audience = Q(audience=Audience.EVERYONE)
        if viewer.plan:
            audience |= Q(audience=Audience.PLAN, plan=viewer.plan)
        if viewer.organisation_id is not None:
            audience |= Q(audience=Audience.ORGANISATION, organisation_id=viewer.organisation_id)
        return self.filter(audience)
