"""What a page's script says it showed while the visitor typed: suggestions, kept only when well-formed.

The help center's contact form and the community's ask page both post them (telemetry, never trusted), so the
rule lives here, below both.
"""

import re

from kbportal import safejson

from .registry import sources

MAX_SHOWN_SUGGESTIONS = 10
_SITE_PATH = re.compile(r"^/(?![/\\])[^\s]*$")


def _site_path(url: str) -> str:
    """A path on this site, or "" (never "//host" or "/\\host", which browsers treat as another site)."""
    return url if _SITE_PATH.match(url) else ""


def shown_suggestions_from(raw: str) -> list[dict[str, object]]:
    """The suggestions a page's script says it showed (JSON from the browser): only well-formed, known items."""
    try:
        items = safejson.loads(raw or "[]")
    except ValueError:  # not JSON, or nested deeper than a list of flat items ever is
        return []
    kinds = {source.kind for source in sources()}
    kept, seen = [], set()
    for item in items if isinstance(items, list) else []:
        if not isinstance(item, dict):
            continue
        kind, pk, title, url = item.get("kind"), item.get("id"), item.get("title"), item.get("url", "")
        if kind not in kinds or not isinstance(pk, int) or not isinstance(title, str) or not isinstance(url, str):
            continue
        if (kind, pk) in seen:
            continue
        seen.add((kind, pk))
        kept.append({"kind": kind, "id": pk, "title": title[:300], "url": _site_path(url)[:300]})
    return kept[:MAX_SHOWN_SUGGESTIONS]
