"""The service-notice banner: on every portal page (base.html) and above search results.

It reads the cached list (see `selectors`), so an anonymous page costs no query once the list is cached;
the list is worked out once per request even where the banner is drawn twice.
"""

from django import template

from kbportal.choices import content_language

from .. import selectors

register = template.Library()

_REQUEST_ATTRIBUTE = "_announcements_banner"


def banner_notices(request) -> list[selectors.NoticeSummary]:
    notices = getattr(request, _REQUEST_ATTRIBUTE, None)
    if notices is None:
        notices = selectors.active_notices(user=request.user)
        setattr(request, _REQUEST_ATTRIBUTE, notices)
    return notices


@register.inclusion_tag("announcements/includes/banner.html", takes_context=True)
def notice_banner(context) -> dict:
    request = context.get("request")
    if request is None:
        return {"notices": []}
    language = content_language(getattr(request, "LANGUAGE_CODE", ""))
    notices = [(notice, notice.title_in(language)) for notice in banner_notices(request)]
    return {"notices": notices}


@register.filter
def title_in(notice, language_code: str) -> str:
    """A notice's title in the interface language (Chinese when there is one and the page is Chinese)."""
    return notice.title_in(content_language(language_code))


@register.filter
def body_html_in(item, language_code: str) -> str:
    """The sanitised HTML of a notice or an update in the interface language."""
    return item.body_html_in(content_language(language_code))
