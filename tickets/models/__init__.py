"""The support desk's models, one module per domain; every public name is importable from here.

`choices` holds the desk's shared words; `organisations`, `service_levels`, `tickets` and `surveys` the rest.
Help sessions and content gaps are the help center's (`tickets.helpcenter.models`).
"""

from .choices import Channel, Plan, Priority, Status, Tier
from .organisations import Organisation, OrganisationMembership
from .service_levels import Holiday, ServiceCalendar, SlaPolicy, SlaTarget
from .surveys import (
    SERVICE_DIMENSIONS,
    FollowUpCase,
    FollowUpStage,
    FollowUpStageKind,
    FollowUpStatus,
    ServiceIndexWeights,
    SurveyResponse,
)
from .tickets import (
    PUBLIC_EVENT_KINDS,
    REFERENCE_PREFIX,
    AgentAvailability,
    Attachment,
    Event,
    EventCause,
    EventKind,
    Message,
    SlaClock,
    SlaPause,
    Ticket,
    reference_to_pk,
)

__all__ = [
    "PUBLIC_EVENT_KINDS",
    "REFERENCE_PREFIX",
    "SERVICE_DIMENSIONS",
    "AgentAvailability",
    "Attachment",
    "Channel",
    "Event",
    "EventCause",
    "EventKind",
    "FollowUpCase",
    "FollowUpStage",
    "FollowUpStageKind",
    "FollowUpStatus",
    "Holiday",
    "Message",
    "Organisation",
    "OrganisationMembership",
    "Plan",
    "Priority",
    "ServiceCalendar",
    "ServiceIndexWeights",
    "SlaClock",
    "SlaPause",
    "SlaPolicy",
    "SlaTarget",
    "Status",
    "SurveyResponse",
    "Ticket",
    "Tier",
    "reference_to_pk",
]


# Until the branches of issue 14 that were started before the help center moved are merged, their
# `from tickets.models import HelpSession` keeps working. An upward import: delete this after those merges.
_MOVED_TO_HELP_CENTER = {"ContentGap", "HelpEventKind", "HelpOutcome", "HelpSession", "HelpSessionEvent", "HelpVia"}


def __getattr__(name: str) -> object:
    if name in _MOVED_TO_HELP_CENTER:
        from tickets.helpcenter import models as help_center_models

        return getattr(help_center_models, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
