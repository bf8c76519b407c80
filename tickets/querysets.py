from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from django.db import models
from django.db.models import Case, F, Q, Value, When
from django.db.models.functions import Coalesce
from django.utils import timezone

# A clock whose target has passed, as the SLA job marks it (tickets.jobs): the queue's and the API's "breached".
_BREACHED = Q(first_response_breached_at__isnull=False) | Q(resolution_breached_at__isnull=False)

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from kbportal.accounts.models import User

    from .models import Organisation, Ticket  # noqa: F401 - named in the querysets' type arguments


def sees_every_ticket(user: "User | AnonymousUser") -> bool:
    """Support managers and superusers: the one caller for whom ticket and customer data is not narrowed."""
    from kbportal.accounts.roles import Role
    from kbportal.accounts.selectors import user_has_role

    return user.is_authenticated and user.is_active and user_has_role(user, Role.SUPPORT_MANAGER)


class TicketQuerySet(models.QuerySet["Ticket"]):
    def visible_to(self, user: "User | AnonymousUser") -> "TicketQuerySet":
        """Every ticket query that returns customer data starts here: the pages, the API and the admin.

        Customers: their own tickets, and their organisation's when they are its admin.
        Agents: the tickets of their tiers. Support managers: all. Anyone else: none.
        """
        from kbportal.accounts.selectors import user_agent_tiers

        if not user.is_authenticated or not user.is_active:
            return self.none()
        if sees_every_ticket(user):
            return self
        if user.is_staff:
            tiers = user_agent_tiers(user)
            return self.filter(tier__in=tiers) if tiers else self.none()
        return self.filter(self._customer_q(user))

    @staticmethod
    def _customer_q(user: "User") -> Q:
        from .selectors import membership_of

        own = Q(requester=user)
        membership = membership_of(user)
        if membership is not None and membership.is_admin:
            return own | Q(organisation_id=membership.organisation_id)
        return own

    def active(self) -> "TicketQuerySet":
        from .models import Status

        return self.filter(status__in=Status.active())

    def breached(self) -> "TicketQuerySet":
        """Tickets with a service-level target missed (first response or resolution)."""
        return self.filter(_BREACHED)

    def unbreached(self) -> "TicketQuerySet":
        return self.exclude(_BREACHED)

    def due_within(self, delta: timedelta, *, now: datetime | None = None) -> "TicketQuerySet":
        """Tickets with a running clock due in the next `delta`: the first response until it is given, or the
        resolution."""
        now = now or timezone.now()
        window = (now, now + delta)
        return self.filter(
            Q(first_response_at__isnull=True, first_response_due_at__range=window) | Q(resolution_due_at__range=window)
        )

    def paused(self) -> "TicketQuerySet":
        """Tickets whose clocks are paused: waiting on the customer."""
        from .models import Status

        return self.filter(status=Status.WAITING)

    def by_urgency(self) -> "TicketQuerySet":
        """Most urgent first: the nearest due time (first response until given, then resolution).

        Paused tickets (no due time) come after those with a clock running, then by priority and age.
        """
        return self.annotate(
            next_due_at=Case(
                When(first_response_at__isnull=True, then=Coalesce("first_response_due_at", "resolution_due_at")),
                default=F("resolution_due_at"),
            ),
            clock_running=Case(When(Q(resolution_due_at__isnull=False), then=Value(0)), default=Value(1)),
        ).order_by("clock_running", F("next_due_at").asc(nulls_last=True), "priority", "created_at", "pk")


class OrganisationQuerySet(models.QuerySet["Organisation"]):
    def visible_to(self, user: "User | AnonymousUser") -> "OrganisationQuerySet":
        """The organisations of the tickets the user sees: an organisation's name is customer data too."""
        from .models import Ticket

        if sees_every_ticket(user):
            return self
        return self.filter(pk__in=Ticket.objects.visible_to(user).values("organisation"))
