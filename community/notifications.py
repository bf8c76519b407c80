"""Telling followers: an on-site notice and an e-mail per follower for a new answer, comment or acceptance.

Each e-mail carries a signed one-click unsubscribe link (also as RFC 8058 `List-Unsubscribe` headers);
opening it stops following that question. Mails leave only after the surrounding transaction commits.
"""

from __future__ import annotations

from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.utils import translation

from kbportal.outbox.services import mails_send
from kbportal.unsubscribe import UnsubscribeLinks

from .models import Answer, Follow, Notification, NotificationKind, Question

UNSUBSCRIBE = UnsubscribeLinks(salt="community.unsubscribe", url_name="community:unsubscribe")


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
    mails_send(messages)
    return len(followers)


def _message(recipient, question: Question, kind: str, actor, answer: Answer | None) -> EmailMessage:
    link = question.get_absolute_url() + (f"#answer-{answer.pk}" if answer is not None else "")
    unsubscribe = UNSUBSCRIBE.url(user_id=recipient.pk, item_id=question.pk)
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
        headers=UNSUBSCRIBE.headers(user_id=recipient.pk, item_id=question.pk),
    )
