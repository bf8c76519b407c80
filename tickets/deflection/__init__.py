"""The deflection report (report.py, chart.py), until the service dashboard takes it over.

Help sessions, escalation, withdrawal and content gaps are the help center's (tickets.helpcenter); their names
stay importable from here until the branches started before the move are merged. The functions that took the
request are gone: see tickets.helpcenter.session.
"""

from ..helpcenter.selectors import ContactPrefill, HelpTrail, contact_prefill, guess_topic, help_trail, last_search
from ..helpcenter.services import (
    Escalation,
    content_gap_record,
    help_session_escalate,
    help_session_follow_notice,
    help_session_record_after_submit,
    help_session_record_contact_form,
    help_session_record_open,
    help_session_record_rating,
    help_session_record_search,
    help_session_record_suggestions,
    help_session_resolve,
    normalise_query,
    ticket_withdraw,
)
from .report import DeflectionReport, deflection_report

__all__ = [
    "ContactPrefill",
    "DeflectionReport",
    "Escalation",
    "HelpTrail",
    "contact_prefill",
    "content_gap_record",
    "deflection_report",
    "guess_topic",
    "help_session_escalate",
    "help_session_follow_notice",
    "help_session_record_after_submit",
    "help_session_record_contact_form",
    "help_session_record_open",
    "help_session_record_rating",
    "help_session_record_search",
    "help_session_record_suggestions",
    "help_session_resolve",
    "help_trail",
    "last_search",
    "normalise_query",
    "ticket_withdraw",
]
