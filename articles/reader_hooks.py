"""What the readers' pages (articles, videos, the forum's questions) tell the help center above them, by hooks.

Opened from self-service (`?hs=…`), a page shows the help center's "Did this solve your problem?" banner, and a
"Was this helpful?" answer joins the visitor's help session; the forum's ask page links its similar questions
back the same way and notes which it showed. Neither the knowledge base nor the community imports the help center
that stands on them: the help center fills these hooks in its AppConfig.ready(). Without it, pages show no banner,
links are plain and nothing is noted.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest


def _no_banner(request: HttpRequest, *, item_kind: str, item_id: int, item_title: str, item_url: str) -> None:
    return None


def _nothing_to_note(request: HttpRequest, *, item_kind: str, item_id: int, item_title: str, helpful: bool) -> None:
    return None


def _plain_link(url: str, place: str) -> str:
    return url


def _nothing_shown(request: HttpRequest, *, query: str, items: list[dict], place: str) -> None:
    return None


@dataclass(frozen=True)
class ReaderHooks:
    # The banner's context (the template is the registering room's `helpcenter/_banner.html`), or None.
    banner: Callable[..., Any] = _no_banner
    note_rating: Callable[..., None] = _nothing_to_note
    # A result's address from a self-service place ("community-ask"): opening it joins the help session.
    result_link: Callable[[str, str], str] = _plain_link
    # The results a self-service place showed for a query (the visitor saw them before going on).
    note_suggestions: Callable[..., None] = _nothing_shown


_registered = [ReaderHooks()]


def register_reader_hooks(hooks: ReaderHooks) -> None:
    _registered[0] = hooks


def reader_hooks() -> ReaderHooks:
    return _registered[0]
