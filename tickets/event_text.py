"""How a ticket event reads: its kind and values turned into words in the active language.

Events keep codes (status ``open``, tier ``2``, channel ``web``), never sentences, so every channel that shows
a timeline (the customer's and the guest's pages, the agents' workspace, the API, the admin) calls these
functions and reads in the language of whoever looks, whatever the language of whoever caused the change.
No queries: everything comes from the event's own fields.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from django.db import models
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from .models import Channel, EventCause, EventKind, Priority, SlaClock, Status, Tier

Values = Mapping[str, Any]


def event_sentence(kind: str, values: Values) -> str:
    """One sentence saying what happened, e.g. "Status changed: New → Open" or "状态已变更：新建 → 处理中"."""
    if "legacy" in values:
        return _legacy_sentence(kind, values["legacy"])
    sentence = _SENTENCES.get(kind)
    if sentence is None:
        return label(EventKind, kind)
    try:
        return sentence(values)
    except (KeyError, TypeError, ValueError, AttributeError):  # a row edited by hand: say at least what kind
        return label(EventKind, kind)


def event_reason(values: Values) -> str:
    """Why: the system's reason in the active language, or the words of the person who gave one."""
    if values.get("cause"):
        return label(EventCause, values["cause"])
    return str(values.get("reason") or "")


def event_change(kind: str, values: Values) -> tuple[str, str]:
    """(before, after) as display text in the active language; "" where the kind has no such side."""
    if "legacy" in values:
        legacy = values["legacy"] or {}
        return str(legacy.get("from") or ""), str(legacy.get("to") or "")
    if kind == EventKind.CREATED:
        return "", label(Channel, values.get("channel"))
    if kind in _CHOICES:
        choices = _CHOICES[kind]
        return label(choices, values.get("from")), label(choices, values.get("to"))
    if kind == EventKind.ASSIGNEE:
        return str(values.get("from") or ""), str(values.get("to") or "")
    if kind == EventKind.DUE:
        return _due_pair(values.get("from")), _due_pair(values.get("to"))
    if kind in (EventKind.SLA_WARNING, EventKind.SLA_BREACH):
        return "", label(SlaClock, values.get("clock"))
    if kind == EventKind.ARTICLE:
        return "", str(values.get("title") or "")
    return "", ""


def label(choices: type[models.Choices], value: Any) -> str:
    """The translated label of a choice; an unknown value as it is (a choice retired since)."""
    if value is None or value == "":
        return ""
    try:
        return str(choices(value).label)
    except ValueError:
        return str(value)


def moment(value: str | None) -> str:
    """A stored ISO moment in the active time zone and the active language's format; "—" when unset."""
    if not value:
        return "—"
    try:
        parsed = datetime.fromisoformat(value)
    except (TypeError, ValueError):
        return str(value)
    if timezone.is_naive(parsed):
        parsed = timezone.make_aware(parsed, timezone.get_default_timezone())
    return formats.date_format(timezone.localtime(parsed), "DATETIME_FORMAT")


_CHOICES: dict[str, type[models.Choices]] = {
    EventKind.STATUS: Status,
    EventKind.PRIORITY: Priority,
    EventKind.TIER: Tier,
}


def _created(values: Values) -> str:
    return _("Created via %(channel)s") % {"channel": label(Channel, values["channel"])}


def _status(values: Values) -> str:
    return _("Status changed: %(from)s → %(to)s") % {
        "from": label(Status, values["from"]),
        "to": label(Status, values["to"]),
    }


def _priority(values: Values) -> str:
    return _("Priority changed: %(from)s → %(to)s") % {
        "from": label(Priority, values["from"]),
        "to": label(Priority, values["to"]),
    }


def _tier(values: Values) -> str:
    return _("Tier changed: %(from)s → %(to)s") % {"from": label(Tier, values["from"]), "to": label(Tier, values["to"])}


def _assignee(values: Values) -> str:
    if values.get("to"):
        return _("Assigned to %(name)s") % {"name": values["to"]}
    if values.get("from"):
        return _("No longer assigned to %(name)s") % {"name": values["from"]}
    return _("Assignee removed")


def _due(values: Values) -> str:
    due = values.get("to") or {}
    first, resolution = due.get("first_response"), due.get("resolution")  # None: that clock has stopped
    moments = {"first_response": moment(first), "resolution": moment(resolution)}
    if first and resolution:
        return _("Due times changed: first response by %(first_response)s, resolution by %(resolution)s") % moments
    if first:
        return _("Due times changed: first response by %(first_response)s") % moments
    if resolution:
        return _("Due times changed: resolution by %(resolution)s") % moments
    return _("Due times changed: no clock is running")


def _sla_warning(values: Values) -> str:
    return _("SLA warning: the %(clock)s target is due at %(due)s") % {
        "clock": label(SlaClock, values["clock"]),
        "due": moment(values.get("due")),
    }


def _sla_breach(values: Values) -> str:
    return _("SLA breached: the %(clock)s target was due at %(due)s") % {
        "clock": label(SlaClock, values["clock"]),
        "due": moment(values.get("due")),
    }


def _reopened(values: Values) -> str:
    return _("Reopened")


def _article(values: Values) -> str:
    return _("Knowledge article drafted: %(title)s") % {"title": values["title"]}


_SENTENCES: dict[str, Callable[[Values], str]] = {
    EventKind.CREATED: _created,
    EventKind.STATUS: _status,
    EventKind.PRIORITY: _priority,
    EventKind.TIER: _tier,
    EventKind.ASSIGNEE: _assignee,
    EventKind.DUE: _due,
    EventKind.SLA_WARNING: _sla_warning,
    EventKind.SLA_BREACH: _sla_breach,
    EventKind.REOPENED: _reopened,
    EventKind.ARTICLE: _article,
}


def _due_pair(due: Mapping[str, str | None] | None) -> str:
    due = due or {}
    return f"{moment(due.get('first_response'))} / {moment(due.get('resolution'))}"


def _legacy_sentence(kind: str, legacy: Mapping[str, str] | None) -> str:
    """A row from before events held codes, whose words could not be read back: shown as it always was."""
    before, after = str((legacy or {}).get("from") or ""), str((legacy or {}).get("to") or "")
    if not (before or after):
        return label(EventKind, kind)
    details = f"{before} → {after}" if before else after
    return _("%(what)s: %(details)s") % {"what": label(EventKind, kind), "details": details}
