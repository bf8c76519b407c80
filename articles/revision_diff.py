"""What changed between two revisions, as readers of a wiki history expect to see it.

Lines are matched first, then the words of the changed lines: English by word, Chinese by character
(it has no spaces between words, and a changed character is what an editor looks for). Removed text
is struck through in <del>, added text underlined in <ins>, each with a label for screen readers, so
nothing depends on colour. Long unchanged stretches are folded. Every piece of text is escaped.
"""

from __future__ import annotations

import re
from difflib import SequenceMatcher
from typing import Literal

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

Op = Literal["equal", "delete", "insert"]
Segment = tuple[Op, str]

_CJK = "\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef\U00020000-\U0002fa1f"
# One token: a run of spaces, one Chinese character or punctuation mark, a word, or any other character.
_TOKEN = re.compile(rf"\s+|[{_CJK}]|[^\W{_CJK}]+|.", re.S)

CONTEXT_LINES = 2
_OPS: dict[str, Op] = {"equal": "equal", "delete": "delete", "insert": "insert"}


def _tokens(text: str) -> list[str]:
    return _TOKEN.findall(text)


def _is_space(token: str) -> bool:
    return token.isspace() and "\n" not in token  # a line break may start a match: it ends most lines


def _normalized(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")


def word_diff(before: str, after: str) -> list[Segment]:
    """The segments that turn `before` into `after`, word by word (character by character in Chinese)."""
    old, new = _tokens(before), _tokens(after)
    segments: list[Segment] = []
    # Spaces are "junk": a match never starts on one but runs through it. Without this every space is a
    # candidate start, and a long paragraph with a few changed words takes a second instead of milliseconds.
    matcher = SequenceMatcher(_is_space, old, new, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag in ("equal", "delete", "replace"):
            segments.append(("equal" if tag == "equal" else "delete", "".join(old[i1:i2])))
        if tag in ("insert", "replace"):
            segments.append(("insert", "".join(new[j1:j2])))
    return _merged(_without_shreds(_merged(segments)))


def _without_shreds(segments: list[Segment]) -> list[Segment]:
    """Fold a short unchanged piece between two changes into them ("a dialog" for "the settings" is one
    change, not four around shared spaces): an equality no longer than the changes on both sides goes,
    the rule of diff-match-patch's semantic clean-up."""
    changed = True
    while changed:
        changed = False
        for index, (op, text) in enumerate(segments):
            if op != "equal":
                continue
            before, after = _change_around(segments, index, -1), _change_around(segments, index, 1)
            if before and after and len(text) <= min(before, after):
                segments[index : index + 1] = [("delete", text), ("insert", text)]
                segments = _merged(segments)
                changed = True
                break
    return segments


def _change_around(segments: list[Segment], index: int, step: int) -> int:
    """The length of the larger side (removed or added) of the change next to `index`, 0 if none."""
    lengths = {"delete": 0, "insert": 0}
    position = index + step
    while 0 <= position < len(segments) and segments[position][0] != "equal":
        lengths[segments[position][0]] += len(segments[position][1])
        position += step
    return max(lengths.values())


def _merged(segments: list[Segment]) -> list[Segment]:
    """Adjacent segments of one kind joined; within a change, what goes before what comes."""
    result: list[Segment] = []
    removed: list[str] = []
    added: list[str] = []

    def flush() -> None:
        if removed:
            result.append(("delete", "".join(removed)))
        if added:
            result.append(("insert", "".join(added)))
        removed.clear()
        added.clear()

    for op, text in segments:
        if not text:
            continue
        if op == "delete":
            removed.append(text)
        elif op == "insert":
            added.append(text)
        else:
            flush()
            if result and result[-1][0] == "equal":
                result[-1] = ("equal", result[-1][1] + text)
            else:
                result.append(("equal", text))
    flush()
    return result


def text_diff(before: str, after: str) -> list[Segment]:
    """The whole text as segments: lines matched first, then the words of the lines that changed."""
    old, new = _normalized(before).splitlines(keepends=True), _normalized(after).splitlines(keepends=True)
    segments: list[Segment] = []
    for tag, i1, i2, j1, j2 in SequenceMatcher(None, old, new, autojunk=False).get_opcodes():
        removed, added = "".join(old[i1:i2]), "".join(new[j1:j2])
        if tag == "replace":
            segments.extend(word_diff(removed, added))
        else:
            segments.append((_OPS[tag], removed or added))
    return _merged(segments)


def render_diff(before: str, after: str, *, context: int = CONTEXT_LINES) -> SafeString:
    """`text_diff` as HTML for the revision pages: every text escaped, long unchanged runs folded."""
    segments = text_diff(before, after)
    parts = []
    for index, (op, text) in enumerate(segments):
        if op == "equal":
            parts.append(_unchanged(text, context, segments, index))
        else:
            parts.append(_change(op, text))
    return mark_safe(f'<div class="kb-diff-text">{"".join(parts)}</div>')  # noqa: S308 - each part is escaped


def _change(op: Op, text: str) -> str:
    tag, label = ("del", _("Removed: ")) if op == "delete" else ("ins", _("Added: "))
    shown = escape(text)
    if not text.strip():  # a change of spaces or line breaks only: make it visible
        shown = shown.replace(" ", "·").replace("\n", "¶\n")
    return f'<{tag} class="kb-{tag}"><span class="visually-hidden">{escape(label)}</span>{shown}</{tag}>'


def _unchanged(text: str, context: int, segments: list[Segment], index: int) -> str:
    """An unchanged run, keeping `context` lines beside each change and folding the rest."""
    lines = text.splitlines(keepends=True)
    # The first and last pieces may be the ends of a changed line: they do not count as context.
    keep_head = 0 if index == 0 else context + (0 if segments[index - 1][1].endswith("\n") else 1)
    keep_tail = 0 if index == len(segments) - 1 else context + (0 if text.endswith("\n") else 1)
    hidden = len(lines) - keep_head - keep_tail
    if hidden < 2:  # folding one line would save nothing
        return escape(text)
    notice = ngettext("%(count)d unchanged line", "%(count)d unchanged lines", hidden) % {"count": hidden}
    head, tail = "".join(lines[:keep_head]), "".join(lines[len(lines) - keep_tail :])
    return f'{escape(head)}<span class="kb-diff-skip">⋯ {escape(notice)} ⋯</span>{escape(tail)}'
