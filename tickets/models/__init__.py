"""The support desk's models, one module per domain; every public name is importable from here.

`choices` holds the desk's shared words; `organisations`, `service_levels`, `tickets` and `surveys` the rest.
Help sessions and content gaps are the help center's (`kbportal.helpcenter.models`).
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
