from django import template

from kbportal import timezones
from tickets.expectations import in_words, next_expected
from tickets.models import Priority, Status

register = template.Library()


@register.filter
def priority_help(value) -> str:
    try:
        return Priority.help_texts()[int(value)]
    except (KeyError, ValueError, TypeError):
        return ""


@register.simple_tag
def expected_moment(ticket) -> str:
    """The next thing the customer can expect, in the reader's zone (named unless it is the ticket's)."""
    return next_expected(ticket)


@register.filter
def due_in_words(moment, ticket_zone=None) -> str:
    """A due time as "15:32 today" in the reader's zone, named unless it is `ticket_zone` (ServiceZones)."""
    if not moment:
        return ""
    return in_words(moment, named=timezones.names_zone(reference=ticket_zone) if ticket_zone else None)


@register.simple_tag
def ticket_statuses() -> type[Status]:
    """`{% ticket_statuses as Status %}`: templates compare with `Status.RESOLVED`, never with a bare "resolved"."""
    return Status


STATUS_CLASSES = {
    Status.NEW: "badge-info",
    Status.OPEN: "badge-info",
    Status.WAITING: "badge-warning",
    Status.RESOLVED: "badge-ok",
    Status.CLOSED: "badge-muted",
}


@register.filter
def status_class(status: str) -> str:
    return STATUS_CLASSES.get(status, "")


@register.filter
def customer_status(ticket) -> str:
    """The status as the customer reads it: "waiting on customer" is, for them, waiting for their reply."""
    from django.utils.translation import gettext

    return gettext("Waiting for your reply") if ticket.status == Status.WAITING else ticket.get_status_display()
