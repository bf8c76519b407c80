"""The secure link that lets a requester without an account follow their ticket.

The token is signed (salted, so no other signed value of the site can stand in for it) and
carries the ticket and a keyed fingerprint of the requester's e-mail address: if the address
on the ticket changes, old links stop working. It never carries the address itself.
"""

from __future__ import annotations

from datetime import timedelta
from enum import Enum

from django.conf import settings
from django.core import signing
from django.urls import reverse
from django.utils.crypto import constant_time_compare, salted_hmac

from tickets.models import Ticket

# Links mailed before the help center had a room of its own carry this salt: it stays.
_TOKEN_SALT = "tickets.guest-access"  # noqa: S105 - a signing namespace, not a secret


class GuestLink(Enum):
    VALID = "valid"
    INVALID = "invalid"  # tampered, for another purpose, or for another address: as if it did not exist
    EXPIRED = "expired"


def _fingerprint(email: str) -> str:
    return salted_hmac(_TOKEN_SALT, email.strip().lower()).hexdigest()[:20]


def guest_token(ticket: Ticket) -> str:
    return signing.dumps({"t": ticket.pk, "e": _fingerprint(ticket.requester_email)}, salt=_TOKEN_SALT)


def guest_path(ticket: Ticket) -> str:
    return reverse("helpcenter:guest_ticket", kwargs={"token": guest_token(ticket)})


def guest_url(ticket: Ticket) -> str:
    return f"{settings.SITE_URL}{guest_path(ticket)}"


def ticket_from_guest_token(token: str) -> tuple[GuestLink, Ticket | None]:
    """The ticket a guest link opens, or why it opens nothing."""
    max_age = timedelta(days=settings.KBPORTAL_GUEST_LINK_DAYS)
    try:
        data = signing.loads(token, salt=_TOKEN_SALT, max_age=max_age)
    except signing.SignatureExpired:
        return GuestLink.EXPIRED, None
    except signing.BadSignature:
        return GuestLink.INVALID, None
    if not isinstance(data, dict) or not isinstance(data.get("t"), int) or not isinstance(data.get("e"), str):
        return GuestLink.INVALID, None
    ticket = (
        Ticket.objects.select_related("product_version", "category", "assignee", "organisation")
        .filter(pk=data["t"])
        .first()
    )
    if ticket is None or not constant_time_compare(data["e"], _fingerprint(ticket.requester_email)):
        return GuestLink.INVALID, None
    return GuestLink.VALID, ticket
