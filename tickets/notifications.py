"""E-mails about tickets. Each is recorded in the outbox with the change it reports, and leaves after commit.

Internal notes are never passed to any of these functions' templates: the
customer mails take a ticket or a public message, nothing else.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import tzinfo

from django.conf import settings
from django.contrib.auth.models import Group
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.utils import timezone, translation

from kbportal import timezones
from kbportal.accounts.roles import Role
from kbportal.outbox.services import mail_send

from . import clocks
from .models import Message, Status, Ticket


def _absolute(path: str) -> str:
    return f"{settings.SITE_URL}{path}"


# How a requester without an account opens their ticket from an e-mail: the help center owns the guest pages and
# registers the link's builder (a floor above the desk, which does not import it).
_GUEST_URL: dict[str, Callable[[Ticket], str]] = {}


def register_guest_url(build: Callable[[Ticket], str]) -> None:
    _GUEST_URL["build"] = build


def _requester_url(ticket: Ticket) -> str:
    build = _GUEST_URL.get("build")
    if ticket.requester_id is None and build is not None:
        return build(ticket)
    return _absolute(ticket.get_absolute_url())


def _send(*, to: list[str], template: str, context: dict, language: str, zone: tzinfo) -> None:
    """Render for the recipients: in their language and their zone, which every time names (an e-mail is read
    far from the page it is about)."""
    recipients = sorted({address for address in to if address})
    if not recipients:
        return
    with translation.override(language), timezones.override(zone):
        subject = " ".join(render_to_string(f"tickets/email/{template}_subject.txt", context).split())
        body = render_to_string(f"tickets/email/{template}.txt", context)
    mail_send(EmailMessage(subject, body, settings.DEFAULT_FROM_EMAIL, recipients))


def _customer_context(ticket: Ticket, **extra) -> dict:
    from .surveys import survey_url

    return {
        "ticket": ticket,
        # A requester without an account follows the ticket through its secure link instead of signing in.
        "ticket_url": _requester_url(ticket),
        "survey_url": survey_url(ticket) if ticket.status == Status.RESOLVED else "",
        **extra,
    }


def _staff_context(ticket: Ticket, **extra) -> dict:
    from django.urls import reverse

    return {
        "ticket": ticket,
        "staff_url": _absolute(reverse("tickets:staff_detail", kwargs={"reference": ticket.reference})),
        **extra,
    }


def _to_customer(ticket: Ticket, template: str, **extra) -> None:
    _send(
        to=[ticket.requester_email],
        template=template,
        context=_customer_context(ticket, **extra),
        language=ticket.language,
        zone=timezones.home_zone(ticket.requester) or clocks.ticket_zone(ticket),
    )


def _to_staff(ticket: Ticket, recipients: list[str], template: str, **extra) -> None:
    # Staff have no stored zone: the site's.
    _send(
        to=recipients,
        template=template,
        context=_staff_context(ticket, **extra),
        language=settings.LANGUAGE_CODE,
        zone=timezone.get_default_timezone(),
    )


def _managers() -> list[str]:
    group = Group.objects.filter(name=str(Role.SUPPORT_MANAGER)).first()
    return list(group.user_set.filter(is_active=True).values_list("email", flat=True)) if group else []


# --- To the customer ------------------------------------------------------------------------------


def ticket_created(ticket: Ticket) -> None:
    _to_customer(ticket, "created")


def staff_replied(message: Message) -> None:
    if message.is_internal:  # defence in depth: callers never pass notes
        return
    _to_customer(message.ticket, "staff_reply", message=message)


def status_changed(ticket: Ticket, old_status: str) -> None:
    if ticket.status == Status.RESOLVED:
        _to_customer(ticket, "resolved")
    elif ticket.status in (Status.WAITING, Status.CLOSED) or old_status in (Status.RESOLVED, Status.CLOSED):
        _to_customer(ticket, "status", old_status=old_status)


# --- To staff ------------------------------------------------------------------------------------------


def ticket_assigned(ticket: Ticket) -> None:
    if ticket.assignee and ticket.assignee.email:
        _to_staff(ticket, [ticket.assignee.email], "assigned")


def customer_replied(message: Message) -> None:
    ticket = message.ticket
    if ticket.assignee and ticket.assignee.email:
        _to_staff(ticket, [ticket.assignee.email], "customer_reply", message=message)


def sla_warning(ticket: Ticket, *, clock: str, due_at) -> None:
    recipients = [ticket.assignee.email] if ticket.assignee and ticket.assignee.email else _managers()
    _to_staff(ticket, recipients, "sla_warning", clock=clock, due_at=due_at)


def sla_breached(ticket: Ticket, *, clock: str, due_at) -> None:
    recipients = _managers() + ([ticket.assignee.email] if ticket.assignee and ticket.assignee.email else [])
    _to_staff(ticket, recipients, "sla_breach", clock=clock, due_at=due_at)
