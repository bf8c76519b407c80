from django import template

from tickets.expectations import next_expected
from tickets.models import Priority
from tickets.selectors import customer_time_zone

register = template.Library()


@register.filter
def priority_help(value) -> str:
    try:
        return Priority.help_texts()[int(value)]
    except (KeyError, ValueError, TypeError):
        return ""


@register.simple_tag
def expected_moment(ticket) -> str:
    return next_expected(ticket, zone=customer_time_zone(ticket))


@register.filter
def status_class(status: str) -> str:
    return {"new": "badge-info", "open": "badge-info", "waiting": "badge-warning", "resolved": "badge-ok",
            "closed": "badge-muted"}.get(status, "")  # fmt: skip


@register.filter
def customer_status(ticket) -> str:
    """The status as the customer reads it: "waiting on customer" is, for them, waiting for their reply."""
    from django.utils.translation import gettext

    return gettext("Waiting for your reply") if ticket.status == "waiting" else ticket.get_status_display()
