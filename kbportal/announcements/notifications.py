"""E-mails to a notice's followers: each update and the resolution, in the language they followed it in.

Each mail carries a signed one-click unsubscribe link (also as RFC 8058 `List-Unsubscribe` headers), like
the forum's. Mails leave only after the surrounding transaction commits.
"""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

if TYPE_CHECKING:
    from .models import NoticeFollow, NoticeUpdate, ServiceNotice

_TOKEN_SALT = "announcements.unsubscribe"  # noqa: S105 - a signing namespace, not a secret


def unsubscribe_token(*, user_id: int, notice_id: int) -> str:
    return signing.dumps({"u": user_id, "n": notice_id}, salt=_TOKEN_SALT, compress=True)


def unsubscribe_target(token: str) -> tuple[int, int] | None:
    """(user id, notice id) of a genuine unsubscribe token; None for anything else."""
    try:
        data = signing.loads(token, salt=_TOKEN_SALT)
    except signing.BadSignature:
        return None
    if not isinstance(data, dict) or not isinstance(data.get("u"), int) or not isinstance(data.get("n"), int):
        return None
    return data["u"], data["n"]


def followers_notify(*, notice: ServiceNotice, update: NoticeUpdate, actor) -> int:
    """Mail every active follower (except the author of the update); returns how many were told."""
    from .models import NoticeFollow

    follows = list(
        NoticeFollow.objects.filter(_in_audience(notice), notice=notice, user__is_active=True)
        .exclude(user_id=getattr(actor, "pk", None))
        .exclude(user__email="")
        .select_related("user")  # the address of each follower
    )
    if not follows:
        return 0
    messages = [_message(follow, notice, update) for follow in follows]
    transaction.on_commit(partial(_send, messages))
    return len(messages)


def _in_audience(notice: ServiceNotice) -> Q:
    """Followers who may still see the notice: its audience can change after they followed, and so can their
    organisation. Staff see every notice; a customer without an organisation is on the Basic plan."""
    from tickets.models import Plan

    from .models import Audience

    if notice.audience == Audience.EVERYONE:
        return Q()
    staff = Q(user__is_staff=True) | Q(user__is_superuser=True)
    if notice.audience == Audience.PLAN:
        plan = Q(user__membership__organisation__plan=notice.plan)
        if notice.plan == Plan.BASIC:
            plan |= Q(user__membership__isnull=True)
        return staff | plan
    return staff | Q(user__membership__organisation_id=notice.organisation_id)


def _send(messages: list[EmailMessage]) -> None:
    with get_connection() as connection:
        connection.send_messages(messages)


def _message(follow: NoticeFollow, notice: ServiceNotice, update: NoticeUpdate) -> EmailMessage:
    token = unsubscribe_token(user_id=follow.user_id, notice_id=notice.pk)
    unsubscribe = f"{settings.SITE_URL}{reverse('announcements:unsubscribe', kwargs={'token': token})}"
    context = {
        "recipient": follow.user,
        "notice": notice,
        "title": notice.title_in(follow.language),
        "update": update,
        "update_text": update.body_zh_hans if follow.language != "en" and update.body_zh_hans else update.body,
        "resolved": notice.resolved_at is not None,
        "notice_url": f"{settings.SITE_URL}{notice.get_absolute_url()}",
        "unsubscribe_url": unsubscribe,
    }
    with translation.override(follow.language):
        subject = " ".join(render_to_string("announcements/email/update_subject.txt", context).split())
        body = render_to_string("announcements/email/update.txt", context)
    return EmailMessage(
        subject=subject,
        body=body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[follow.user.email],
        headers={"List-Unsubscribe": f"<{unsubscribe}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"},
    )
