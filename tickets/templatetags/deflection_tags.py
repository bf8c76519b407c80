"""The deflection report's filter (tickets/templates/tickets/staff/deflection.html); goes with the report.

The help center's own filters are in tickets/helpcenter/templatetags/helpcenter_tags.py.
"""

from django import template

register = template.Library()


@register.filter
def percent(share: float | None) -> str:
    """A share as a whole percentage, or a dash when there was nothing to divide."""
    return "—" if share is None else f"{round(share * 100)}%"
