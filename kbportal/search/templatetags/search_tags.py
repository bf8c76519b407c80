from urllib.parse import urlencode

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString

from ..analysis import CJK_CHARACTER_CLASS
from ..service import SUGGEST_MIN_CHARS, SUGGEST_MIN_CHARS_CJK

register = template.Library()

# The character class as a JavaScript pattern (for `new RegExp(…, "u")`), in ASCII: \u{4e00}-\u{9fff}…
_CJK_PATTERN = "".join(f"\\u{{{ord(char):x}}}" if ord(char) > 127 else char for char in CJK_CHARACTER_CLASS)


@register.simple_tag
def suggest_attributes(url: str, **params: str | int) -> SafeString:
    """A suggestion box's data- attributes: where the script asks (`url` with `params`), and from how many
    characters, by the server's rule, so the script never asks what the server would refuse."""
    return format_html(
        'data-suggest-url="{}" data-suggest-min="{}" data-suggest-min-cjk="{}" data-suggest-cjk="{}"',
        f"{url}?{urlencode(params)}" if params else url,
        SUGGEST_MIN_CHARS,
        SUGGEST_MIN_CHARS_CJK,
        _CJK_PATTERN,
    )
