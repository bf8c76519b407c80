"""JSON from untrusted input, with a cap on nesting depth.

Python's decoder recurses once per nested array or object, so `[` repeated 100,000 times raises
RecursionError deep inside it (an HTTP 500, and a process left near its stack limit). The depth is
measured first, by a linear scan that never recurses, and a body nested past the limit is refused
with the same error type as any other malformed JSON.
"""

import json
import re
from typing import Any

from django.conf import settings

# What the scan looks at: a bracket, a whole string (its brackets are text, not structure), or an
# unterminated string, which swallows the rest, as the decoder would see it. The possessive `*+`
# and the swallowing branch keep the scan linear on input such as `"\"\"\"…`.
_STRUCTURE = re.compile(r'[\[\]{}]|"(?:[^"\\]|\\.)*+"|"[\s\S]*')
_OPENERS = frozenset("[{")
_CLOSERS = frozenset("]}")


class NestingTooDeep(json.JSONDecodeError):
    """The document nests arrays and objects deeper than allowed; `pos` is the bracket past the limit."""

    def __init__(self, doc: str, pos: int, max_depth: int) -> None:
        super().__init__(f"Nested deeper than {max_depth} levels", doc, pos)
        self.max_depth = max_depth


def _too_deep_at(text: str, max_depth: int) -> int | None:
    """The position of the first bracket that opens level `max_depth + 1`, or None if the text stays within."""
    depth = 0
    for match in _STRUCTURE.finditer(text):
        token = match.group()
        if token in _OPENERS:
            depth += 1
            if depth > max_depth:
                return match.start()
        elif token in _CLOSERS:
            depth -= 1
    return None


def loads(text: str | bytes, *, max_depth: int | None = None, **kwargs: Any) -> Any:
    """`json.loads` that raises NestingTooDeep (a JSONDecodeError) instead of recursing past `max_depth`.

    The limit defaults to KBPORTAL_MAX_JSON_DEPTH; keyword arguments go to `json.loads`.
    """
    if isinstance(text, bytes | bytearray):
        # The same detection json.loads does, so the scan reads what the decoder will read.
        text = text.decode(json.detect_encoding(text), "surrogatepass")
    limit = settings.KBPORTAL_MAX_JSON_DEPTH if max_depth is None else max_depth
    position = _too_deep_at(text, limit)
    if position is not None:
        raise NestingTooDeep(text, position, limit)
    return json.loads(text, **kwargs)
