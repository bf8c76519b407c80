"""Video transcripts with times: each timed line links to that moment of the video.

Editors write the time at the start of a line, "[1:35] Now open Settings." (or [1:02:03] past an hour),
or alone on its own line with the words below it, as YouTube's "Show transcript" copies it. Lines
without a time continue the line above; a blank line ends it. A transcript without any time is read
as plain paragraphs, as before.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_TIME = r"(?:(?P<hours>\d{1,2}):)?(?P<minutes>\d{1,3}):(?P<seconds>[0-5]\d)"
_BRACKETED = re.compile(rf"^\s*\[{_TIME}\]\s*(?P<text>.*)$")
_ALONE = re.compile(rf"^\s*\[?{_TIME}\]?\s*$")


@dataclass(frozen=True)
class Cue:
    """One line of a transcript: its start in seconds (None for an untimed paragraph) and its words."""

    start: int | None
    text: str


def _seconds(match: re.Match) -> int:
    return int(match["hours"] or 0) * 3600 + int(match["minutes"]) * 60 + int(match["seconds"])


def parse_transcript(text: str) -> list[Cue]:
    """The transcript as cues, in the order written."""
    cues: list[Cue] = []
    start: int | None = None
    lines: list[str] = []
    open_cue = False

    def close() -> None:
        nonlocal start, lines, open_cue
        words = "\n".join(lines).strip()
        if words:
            cues.append(Cue(start=start, text=words))
        start, lines, open_cue = None, [], False

    for line in (text or "").replace("\r\n", "\n").split("\n"):
        timed = _BRACKETED.match(line) or _ALONE.match(line)
        if timed:
            close()
            start, open_cue = _seconds(timed), True
            rest = timed.groupdict().get("text")
            if rest:
                lines.append(rest.strip())
        elif not line.strip():
            if lines or not open_cue:  # a time alone on its line keeps the words below it
                close()
        else:
            lines.append(line.strip())
    close()
    return cues


def transcript_text(text: str) -> str:
    """The words alone, for the search index: times are not what anybody searches for."""
    return "\n\n".join(cue.text for cue in parse_transcript(text))


def current_cue(cues: list[Cue], seconds: int) -> int | None:
    """The index of the timed cue being spoken at `seconds`, or None before the first one."""
    current = None
    for index, cue in enumerate(cues):
        if cue.start is not None and cue.start <= seconds:
            current = index
        elif cue.start is not None:
            break
    return current
