"""E-mails to a notice's followers: each update and the resolution, in the language they followed it in.

Each mail carries a signed one-click unsubscribe link (also as RFC 8058 `List-Unsubscribe` headers), like
the forum's. Mails leave only after the surrounding transaction commits.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.core.mail import EmailMessage
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import translation

from kbportal.outbox.services import mails_send
from kbportal.unsubscribe import UnsubscribeLinks

if TYPE_CHECKING:
    from .models import NoticeFollow, NoticeUpdate, ServiceNotice

UNSUBSCRIBE = UnsubscribeLinks(salt="announcements.unsubscribe", url_name="announcements:unsubscribe")


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
    mails_send(messages)
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


def _message(follow: NoticeFollow, notice: ServiceNotice, update: NoticeUpdate) -> EmailMessage:
    unsubscribe = UNSUBSCRIBE.url(user_id=follow.user_id, item_id=notice.pk)
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
        headers=UNSUBSCRIBE.headers(user_id=follow.user_id, item_id=notice.pk),
    )
