"""Follower e-mails that say goodbye in one click: signed unsubscribe links, their headers, the page they open.
Used by the forum (questions) and the status page (service notices).

The link is the credential (a signed user and item, never expiring), so the page needs no sign-in and mail
clients may POST to it without a CSRF token (RFC 8058). GET only asks to confirm, as link scanners fetch links.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse


@dataclass(frozen=True)
class UnsubscribeLinks:
    """The signed links of one kind of follow: `salt` keeps the kinds' tokens apart, `url_name` opens the page."""

    salt: str
    url_name: str

    def token(self, *, user_id: int, item_id: int) -> str:
        return signing.dumps({"u": user_id, "i": item_id}, salt=self.salt, compress=True)

    def target(self, token: str) -> tuple[int, int] | None:
        """(user id, item id) of a genuine token; None for anything else."""
        try:
            data = signing.loads(token, salt=self.salt)
        except signing.BadSignature:
            return None
        if not isinstance(data, dict) or not isinstance(data.get("u"), int) or not isinstance(data.get("i"), int):
            return None
        return data["u"], data["i"]

    def url(self, *, user_id: int, item_id: int) -> str:
        token = self.token(user_id=user_id, item_id=item_id)
        return f"{settings.SITE_URL}{reverse(self.url_name, kwargs={'token': token})}"

    def headers(self, *, user_id: int, item_id: int) -> dict[str, str]:
        """The RFC 8058 headers that give mail clients their own one-click unsubscribe button."""
        url = self.url(user_id=user_id, item_id=item_id)
        return {"List-Unsubscribe": f"<{url}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}


def unsubscribe_page(
    request: HttpRequest,
    token: str,
    *,
    links: UnsubscribeLinks,
    template: str,
    find: Callable[[int], object | None],
    stop: Callable[[int, int], object],
) -> HttpResponse:
    """The page an unsubscribe link opens: `find(item_id)` names what is followed, `stop(user_id, item_id)` ends it.

    The template gets `item` (None if it is gone), `done`, `token`, or `invalid` for a broken link (status 400).
    """
    target = links.target(token)
    if target is None:
        return render(request, template, {"invalid": True}, status=400)
    user_id, item_id = target
    done = request.method == "POST"
    if done:
        stop(user_id, item_id)
    return render(request, template, {"item": find(item_id), "done": done, "token": token})
