"""The next expected moment of a ticket, in plain words for the customer ("first response due by 14:30 today")."""

from __future__ import annotations

from datetime import datetime, timedelta, tzinfo

from django.conf import settings
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from .models import Status, Ticket


def _when(moment: datetime, *, now: datetime, zone: tzinfo) -> str:
    local, today = moment.astimezone(zone), now.astimezone(zone).date()
    clock = formats.time_format(local.time(), "H:i")
    if local.date() == today:
        return _("%(time)s today") % {"time": clock}
    if local.date() == today + timedelta(days=1):
        return _("%(time)s tomorrow") % {"time": clock}
    return _("%(time)s on %(date)s") % {"time": clock, "date": formats.date_format(local.date(), "DATE_FORMAT")}


def next_expected(ticket: Ticket, *, now: datetime | None = None, zone: tzinfo) -> str:
    now = now or timezone.now()
    if ticket.status == Status.WAITING:
        return _("Waiting for your reply. The service-level clock is paused until you answer.")
    if ticket.status == Status.CLOSED:
        return _("Closed. Reply to open a follow-up request.")
    if ticket.status == Status.RESOLVED:
        until = (ticket.resolved_at or now) + timedelta(days=settings.KBPORTAL_REOPEN_DAYS)
        return _("Resolved. Reply by %(when)s to reopen it.") % {"when": _when(until, now=now, zone=zone)}
    if ticket.first_response_at is None and ticket.first_response_due_at:
        due = ticket.first_response_due_at
        if due < now:
            return _("First response was due by %(when)s; it is overdue and we are on it.") % {
                "when": _when(due, now=now, zone=zone)
            }
        return _("First response due by %(when)s.") % {"when": _when(due, now=now, zone=zone)}
    if ticket.resolution_due_at:
        due = ticket.resolution_due_at
        if due < now:
            return _("Resolution was due by %(when)s; it is overdue and has our attention.") % {
                "when": _when(due, now=now, zone=zone)
            }
        return _("Resolution expected by %(when)s.") % {"when": _when(due, now=now, zone=zone)}
    return _("We are working on it.")
