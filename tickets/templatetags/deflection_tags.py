from django import template

from tickets.deflection.hooks import help_link as _help_link
from tickets.models import HelpVia

register = template.Library()


@register.filter
def help_link(url: str, via: str = HelpVia.SEARCH) -> str:
    """A result's address that records the open in the help session and asks "Did this solve it?"."""
    return _help_link(url, via or HelpVia.SEARCH)


@register.filter
def percent(share: float | None) -> str:
    """A share as a whole percentage, or a dash when there was nothing to divide."""
    return "—" if share is None else f"{round(share * 100)}%"
