"""What the article and video pages tell the rooms above them, through hooks those rooms register.

Opened from self-service (`?hs=…`), a page shows the help center's "Did this solve your problem?" banner, and a
"Was this helpful?" answer joins the visitor's help session. The knowledge base does not import the help center
that stands on it: the help center fills these hooks in its AppConfig.ready(). Without it, pages show no banner.
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


@dataclass(frozen=True)
class ReaderHooks:
    # The banner's context (the template is the registering room's `helpcenter/_banner.html`), or None.
    banner: Callable[..., Any] = _no_banner
    note_rating: Callable[..., None] = _nothing_to_note


_registered = [ReaderHooks()]


def register_reader_hooks(hooks: ReaderHooks) -> None:
    _registered[0] = hooks


def reader_hooks() -> ReaderHooks:
    return _registered[0]
