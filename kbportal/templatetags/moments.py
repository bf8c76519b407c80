"""Dates and times as the reader reads them: their zone, their language's format, the zone named when needed.

    {{ ticket.created_at|moment }}                        Nov. 26, 2026, 15:32 CET  /  2026年11月26日 15:32
    {{ notice.starts_at|moment:"SHORT_DATETIME_FORMAT" }}

See kbportal/timezones.py for the rule; dates alone (`|date:"DATE_FORMAT"`) need no zone.
"""

from django import template

from kbportal import timezones

register = template.Library()


@register.filter
def moment(value, format_name: str = "DATETIME_FORMAT") -> str:
    if not value:
        return ""
    return timezones.moment_text(value, format_name)
