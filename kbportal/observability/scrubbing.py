"""Remove what must not leave the process in a log line or an error report: e-mail addresses, the signed
tokens of guest, survey and unsubscribe links, API tokens, and the values of password-like fields."""

import re
from typing import Any

FILTERED = "[Filtered]"

_TEXT_PATTERNS = [
    # A link's token in its path, encoded or not: /tickets/guest/<token>/, /survey/<token>/, …
    (re.compile(r"(/(?:tickets/guest|survey|community/unsubscribe|status/unsubscribe)/)[^/?#\s\"']+"), r"\1[token]"),
    # Django's one-time tokens after the user's id: /accounts/password/reset/<uid>/<token>/, sign-up confirm.
    (
        re.compile(r"(/accounts/(?:password/reset|sign-up/confirm)/)(?!sent/|complete/)[^/?#\s\"']+/[^/?#\s\"']+"),
        r"\1[uid]/[token]",
    ),
    # django.core.signing values anywhere else: payload:timestamp:signature (":" perhaps URL-encoded).
    (re.compile(r"\.?[A-Za-z0-9_-]+(?::|%3A)[A-Za-z0-9]+(?::|%3A)[A-Za-z0-9_-]{20,}"), "[signed]"),
    (re.compile(r"kbp_[0-9a-fA-F]{16,}"), "kbp_[token]"),
    (re.compile(r"[A-Za-z0-9._%+-]+(?:@|%40)[A-Za-z0-9.-]+\.[A-Za-z]{2,}"), "[email]"),
]

# Keys whose values are secrets whatever they hold (form fields, headers, local variables).
_SENSITIVE_KEY = re.compile(r"pass|secret|token|signature|authorization|cookie|csrf|session|dsn|api.?key|otp$", re.I)


def scrub_text(text: str) -> str:
    for pattern, replacement in _TEXT_PATTERNS:
        text = pattern.sub(replacement, text)
    return text


def scrub(value: Any) -> Any:
    """A copy of `value` (dicts, lists and strings, nested) with secrets replaced."""
    if isinstance(value, str):
        return scrub_text(value)
    if isinstance(value, dict):
        return {
            key: FILTERED if isinstance(key, str) and _SENSITIVE_KEY.search(key) and item else scrub(item)
            for key, item in value.items()
        }
    if isinstance(value, list | tuple):
        return [scrub(item) for item in value]
    return value
