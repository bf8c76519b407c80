"""Reads for the ticket pages and API; every list starts from Ticket.objects.visible_to(user)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from django.core.exceptions import ObjectDoesNotExist
from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404

from kbportal.accounts.models import User

from .models import (
    PUBLIC_EVENT_KINDS,
    Attachment,
    Event,
    Message,
    Organisation,
    OrganisationMembership,
    Ticket,
    reference_to_pk,
)

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser


def membership_of(user: User | AnonymousUser) -> OrganisationMembership | None:
    """The customer's organisation membership (cached on the user for the request)."""
    if not user.is_authenticated:
        return None
    try:
        return user.membership
    except ObjectDoesNotExist:
        return None


def organisation_of(user: User | AnonymousUser) -> Organisation | None:
    membership = membership_of(user)
    return membership.organisation if membership else None


def customer_tickets(*, user: User, scope: str = "mine") -> QuerySet[Ticket]:
    """The customer's list: "mine", or "organisation" for an organisation admin."""
    tickets = Ticket.objects.visible_to(user)
    if scope == "organisation":
        membership = membership_of(user)
        tickets = tickets.filter(organisation_id=membership.organisation_id) if membership else tickets.none()
    else:
        tickets = tickets.filter(requester=user)
    # The handler's name and the organisation per row.
    return tickets.select_related("assignee", "organisation", "requester").order_by("-updated_at", "-pk")


def work_queue(*, user: User | AnonymousUser) -> QuerySet[Ticket]:
    """The tickets an agent may work, most urgent first, with what each row shows."""
    return (
        Ticket.objects.visible_to(user)
        .select_related("assignee", "organisation", "requester")  # the assignee, organisation, requester columns
        .by_urgency()
    )


def ticket_for(*, user: User | AnonymousUser, reference: str) -> Ticket:
    """One ticket by its reference, or 404 when it does not exist or the caller may not see it."""
    pk = reference_to_pk(reference)
    ticket = (
        Ticket.objects.visible_to(user)
        .select_related(
            "requester",
            "assignee",
            "organisation",
            "product_version",
            "category",
            "knowledge_article",
            "source_question",
        )
        .filter(pk=pk)
        .first()
        if pk
        else None
    )
    if ticket is None:
        raise Http404
    return ticket


@dataclass(frozen=True)
class TimelineEntry:
    at: datetime
    message: Message | None = None
    event: Event | None = None


def timeline(*, ticket: Ticket, include_internal: bool) -> list[TimelineEntry]:
    """Messages (with their files) and events in time order; customers get public ones only.

    Internal notes are filtered out in the query itself, never in the template.
    """
    messages = ticket.messages.select_related("author").prefetch_related(
        Prefetch("attachments", queryset=Attachment.objects.order_by("pk"))
    )
    events = ticket.events.select_related("actor")
    if not include_internal:
        messages = messages.filter(is_internal=False)
        events = events.filter(kind__in=[str(kind) for kind in PUBLIC_EVENT_KINDS])
    entries = [TimelineEntry(at=m.created_at, message=m) for m in messages]
    entries += [TimelineEntry(at=e.created_at, event=e) for e in events]
    return sorted(entries, key=lambda entry: (entry.at, entry.event is not None))


def ticket_attachment(*, user: User | AnonymousUser, reference: str, attachment_id: int) -> Attachment:
    """An attachment the caller may download: its ticket visible, and not on an internal note for customers."""
    ticket = ticket_for(user=user, reference=reference)
    if not staff_sees_internal(user):
        return public_attachment(ticket=ticket, attachment_id=attachment_id)
    return get_object_or_404(Attachment, ticket=ticket, pk=attachment_id)


def staff_sees_internal(user: User | AnonymousUser) -> bool:
    """Agents and managers read internal notes; nobody else ever does."""
    return bool(user.is_authenticated and user.is_staff and user.has_perm("tickets.work_ticket"))


def users_visible_to(user: User | AnonymousUser) -> QuerySet[User]:
    """The accounts a user may look up: their own, the requesters of the tickets they see and, for staff, their
    colleagues. Support managers: every account. A customer's account is customer data, scoped like tickets."""
    from .querysets import sees_every_ticket

    if sees_every_ticket(user):
        return User.objects.all()
    if not user.is_authenticated or not user.is_active:
        return User.objects.none()
    shown = Q(pk=user.pk) | Q(pk__in=Ticket.objects.visible_to(user).values("requester"))
    return User.objects.filter((shown | Q(is_staff=True)) if user.is_staff else shown)


def agents_of_tier(*, tier: int) -> QuerySet[User]:
    from kbportal.accounts.roles import AGENT_ROLES

    return User.objects.filter(groups__name=str(AGENT_ROLES[tier]), is_active=True, is_staff=True).order_by(
        "display_name", "username"
    )


def stored_time_zone(user: User) -> str | None:
    """A signed-in customer's stored zone: their organisation's; None without one."""
    return Organisation.objects.filter(memberships__user=user).values_list("time_zone", flat=True).first()


def public_attachment(*, ticket: Ticket, attachment_id: int) -> Attachment:
    """A file of the ticket that its requester may download: on the ticket itself or on a public message."""
    attachment = (
        Attachment.objects.filter(ticket=ticket, pk=attachment_id)
        .filter(Q(message__isnull=True) | Q(message__is_internal=False))
        .first()
    )
    if attachment is None:
        raise Http404
    return attachment
