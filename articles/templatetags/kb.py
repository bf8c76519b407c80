from django import template

from articles.models import Status
from kbportal.choices import Language, content_language

register = template.Library()


@register.simple_tag
def content_statuses() -> type[Status]:
    """`{% content_statuses as Status %}`: templates compare with `Status.PUBLISHED`, never with "published"."""
    return Status


@register.filter
def name_in(category, language_code: str) -> str:
    """A category's name in the interface language, falling back to English."""
    return category.name_in(content_language(language_code)) if category else ""


@register.filter
def description_in(category, language_code: str) -> str:
    return category.description_in(content_language(language_code)) if category else ""


@register.filter
def clock(seconds) -> str:
    """Seconds as m:ss or h:mm:ss, the way video players show time."""
    try:
        seconds = int(seconds)
    except (TypeError, ValueError):
        return ""
    hours, rest = divmod(max(seconds, 0), 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


@register.filter
def language_name(code: str) -> str:
    try:
        return Language(code).label
    except ValueError:
        return code


@register.simple_tag(takes_context=True)
def page_url(context, page_number: int) -> str:
    """The current URL with another page number, keeping the other query parameters."""
    query = context["request"].GET.copy()
    query["page"] = page_number
    return f"?{query.urlencode()}"
