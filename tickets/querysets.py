from typing import TYPE_CHECKING

from django.db import models
from django.db.models import Case, F, Q, Value, When
from django.db.models.functions import Coalesce

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
        return self.filter(status__in=["new", "open", "waiting"])

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
