from django import template

from ..hooks import help_link as _help_link
from ..hooks import search_result_link as _search_result_link
from ..models import HelpVia

register = template.Library()


@register.filter
def help_link(url: str, via: str = HelpVia.SEARCH) -> str:
    """A result's address that records the open in the help session and asks "Did this solve it?"."""
    return _help_link(url, via or HelpVia.SEARCH)


@register.filter
def search_result_link(url: str, ref: str = "") -> str:
    """A search result's address: `help_link`, naming the search it comes from (`ref`, signed) when counted."""
    return _search_result_link(url, ref)
