"""Self-service deflection: help sessions, escalation to tier 1, withdrawal after submit, content gaps."""

from .report import DeflectionReport, deflection_report
from .selectors import ContactPrefill, HelpTrail, contact_prefill, guess_topic, help_trail, last_search
from .services import (
    Escalation,
    content_gap_record,
    help_session_current,
    help_session_escalate,
    help_session_for,
    help_session_latest,
    help_session_record_after_submit,
    help_session_record_contact_form,
    help_session_record_open,
    help_session_record_rating,
    help_session_record_search,
    help_session_record_suggestions,
    help_session_remember,
    help_session_resolve,
    normalise_query,
    ticket_withdraw,
)

__all__ = [
    "ContactPrefill",
    "DeflectionReport",
    "Escalation",
    "HelpTrail",
    "contact_prefill",
    "content_gap_record",
    "deflection_report",
    "guess_topic",
    "help_session_current",
    "help_session_escalate",
    "help_session_for",
    "help_session_latest",
    "help_session_record_after_submit",
    "help_session_record_contact_form",
    "help_session_record_open",
    "help_session_record_rating",
    "help_session_record_search",
    "help_session_record_suggestions",
    "help_session_remember",
    "help_session_resolve",
    "help_trail",
    "last_search",
    "normalise_query",
    "ticket_withdraw",
]
