"""The next expected moment of a ticket, in plain words for the customer ("first response due by 14:30 today")."""

from __future__ import annotations

from datetime import datetime, timedelta, tzinfo

from django.conf import settings
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from kbportal import timezones

from .models import Status, Ticket


def in_words(moment: datetime, *, now: datetime | None = None, zone: tzinfo | None = None,
             named: bool | None = None) -> str:  # fmt: skip
    """A moment as people say it: "15:32 today", "09:00 CET tomorrow", "18:00 on Nov. 28, 2026".

    In `zone` (the reader's, by default the current one), with the zone named when `named` (by default when
    the page names zones: the reader's is not the page's reference zone).
    """
    now, zone = now or timezone.now(), zone or timezone.get_current_timezone()
    local, today = moment.astimezone(zone), now.astimezone(zone).date()
    clock = formats.time_format(local.time(), "TIME_FORMAT")
    if timezones.names_zone(zone=zone) if named is None else named:
        clock = f"{clock} {timezones.zone_abbreviation(local)}"
    if local.date() == today:
        return _("%(time)s today") % {"time": clock}
    if local.date() == today + timedelta(days=1):
        return _("%(time)s tomorrow") % {"time": clock}
    if local.date() == today - timedelta(days=1):
        return _("%(time)s yesterday") % {"time": clock}
    return _("%(time)s on %(date)s") % {"time": clock, "date": formats.date_format(local.date(), "DATE_FORMAT")}


def next_expected(ticket: Ticket, *, now: datetime | None = None, zone: tzinfo | None = None,
                  named: bool | None = None) -> str:  # fmt: skip
    """The next thing the customer can expect, with its time in `zone` (see `in_words`)."""
    now = now or timezone.now()

    def _when(moment: datetime) -> str:
        return in_words(moment, now=now, zone=zone, named=named)

    if ticket.status == Status.WAITING:
        return _("Waiting for your reply. The service-level clock is paused until you answer.")
    if ticket.status == Status.CLOSED:
        return _("Closed. Reply to open a follow-up request.")
    if ticket.status == Status.RESOLVED:
        until = (ticket.resolved_at or now) + timedelta(days=settings.KBPORTAL_REOPEN_DAYS)
        return _("Resolved. Reply by %(when)s to reopen it.") % {"when": _when(until)}
    if ticket.first_response_at is None and ticket.first_response_due_at:
        due = ticket.first_response_due_at
        if due < now:
            return _("First response was due by %(when)s; it is overdue and we are on it.") % {"when": _when(due)}
        return _("First response due by %(when)s.") % {"when": _when(due)}
    if ticket.resolution_due_at:
        due = ticket.resolution_due_at
        if due < now:
            return _("Resolution was due by %(when)s; it is overdue and has our attention.") % {"when": _when(due)}
        return _("Resolution expected by %(when)s.") % {"when": _when(due)}
    return _("We are working on it.")
