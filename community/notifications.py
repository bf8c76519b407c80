"""Telling followers: an on-site notice and an e-mail per follower for a new answer, comment or acceptance.

Each e-mail carries a signed one-click unsubscribe link (also as RFC 8058 `List-Unsubscribe` headers);
opening it stops following that question. Mails leave only after the surrounding transaction commits.
"""

from __future__ import annotations

from functools import partial

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from .models import Answer, Follow, Notification, NotificationKind, Question

_TOKEN_SALT = "community.unsubscribe"  # noqa: S105 - a signing namespace, not a secret


def unsubscribe_token(*, user_id: int, question_id: int) -> str:
    return signing.dumps({"u": user_id, "q": question_id}, salt=_TOKEN_SALT, compress=True)


def unsubscribe_target(token: str) -> tuple[int, int] | None:
    """(user id, question id) of a genuine unsubscribe token; None for anything else. The link never expires."""
    try:
        data = signing.loads(token, salt=_TOKEN_SALT)
    except signing.BadSignature:
        return None
    if not isinstance(data, dict) or not isinstance(data.get("u"), int) or not isinstance(data.get("q"), int):
        return None
    return data["u"], data["q"]


def unsubscribe_url(*, user_id: int, question_id: int) -> str:
    token = unsubscribe_token(user_id=user_id, question_id=question_id)
    return f"{settings.SITE_URL}{reverse('community:unsubscribe', kwargs={'token': token})}"


def followers_notify(*, question: Question, kind: str, actor, answer: Answer | None = None) -> int:
    """Notify everyone following the question except the actor; returns how many were told."""
    followers = list(
        Follow.objects.filter(question=question)
        .exclude(user_id=actor.pk)
        .filter(user__is_active=True)
        .select_related("user")
    )
    if not followers:
        return 0
    Notification.objects.bulk_create(
        [
            Notification(recipient=follow.user, kind=kind, question=question, answer=answer, actor=actor)
            for follow in followers
        ]
    )
    messages = [_message(follow.user, question, kind, actor, answer) for follow in followers if follow.user.email]
    if messages:
        transaction.on_commit(partial(_send, messages))
    return len(followers)


def _send(messages: list[EmailMessage]) -> None:
    with get_connection() as connection:
        connection.send_messages(messages)


def _message(recipient, question: Question, kind: str, actor, answer: Answer | None) -> EmailMessage:
    link = question.get_absolute_url() + (f"#answer-{answer.pk}" if answer is not None else "")
    unsubscribe = unsubscribe_url(user_id=recipient.pk, question_id=question.pk)
    context = {
        "recipient": recipient,
        "question": question,
        "kind": kind,
        "kinds": NotificationKind,
        "actor_name": actor.public_name,
        "question_url": f"{settings.SITE_URL}{link}",
        "unsubscribe_url": unsubscribe,
    }
    with translation.override(question.language):
        subject = " ".join(render_to_string("community/email/notice_subject.txt", context).split())
        body = render_to_string("community/email/notice.txt", context)
    return EmailMessage(
        subject=subject,
        body=body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[recipient.email],
        headers={"List-Unsubscribe": f"<{unsubscribe}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"},
    )
