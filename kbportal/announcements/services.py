"""Writes of service notices: publish, edit, post an update, resolve, follow and unfollow.

Every text is Markdown, rendered and sanitised here (never stored as raw HTML). Followers hear of
each update and of the resolution by e-mail after the transaction commits.
"""

from __future__ import annotations

from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from articles.models import ProductVersion
from kbportal.accounts.models import User
from kbportal.choices import Language
from kbportal.markdown import render_markdown
from tickets.models import Organisation

from . import notifications
from .models import Audience, NoticeFollow, NoticeKind, NoticeUpdate, ServiceNotice, Severity, UpdateStatus

# What staff may change on a published notice; resolution has its own service.
EDITABLE_FIELDS = frozenset({
    "kind", "severity", "title", "title_zh_hans", "body", "body_zh_hans", "audience", "plan", "organisation",
    "product_version", "starts_at", "ends_at",
})  # fmt: skip


def _render(item: ServiceNotice | NoticeUpdate) -> None:
    item.body_html = render_markdown(item.body).html
    item.body_zh_hans_html = render_markdown(item.body_zh_hans).html if item.body_zh_hans.strip() else ""


@transaction.atomic
def notice_publish(
    *,
    title: str,
    by: User | None,
    kind: str = NoticeKind.INCIDENT,
    severity: str = Severity.MINOR,
    body: str = "",
    title_zh_hans: str = "",
    body_zh_hans: str = "",
    audience: str = Audience.EVERYONE,
    plan: str = "",
    organisation: Organisation | None = None,
    product_version: ProductVersion | None = None,
    starts_at: datetime | None = None,
    ends_at: datetime | None = None,
) -> ServiceNotice:
    """Publish a notice; it shows as a banner from `starts_at` (now by default) until `ends_at` or resolution."""
    notice = ServiceNotice(
        kind=kind,
        severity=severity,
        title=title,
        title_zh_hans=title_zh_hans,
        body=body,
        body_zh_hans=body_zh_hans,
        audience=audience,
        plan=plan,
        organisation=organisation,
        product_version=product_version,
        starts_at=starts_at or timezone.now(),
        ends_at=ends_at,
        created_by=by,
    )
    notice.full_clean()
    _render(notice)
    notice.save()
    return notice


@transaction.atomic
def notice_edit(*, notice: ServiceNotice, by: User | None, **changes: object) -> ServiceNotice:
    """Correct a notice (its text, audience, window). Followers are not told: updates are for news."""
    unknown = set(changes) - EDITABLE_FIELDS
    if unknown:
        raise TypeError(f"notice_edit cannot change {', '.join(sorted(unknown))}")
    for name, value in changes.items():
        setattr(notice, name, value)
    notice.full_clean()
    _render(notice)
    notice.save()
    return notice


@transaction.atomic
def notice_add_update(
    *, notice: ServiceNotice, body: str, by: User | None, status: str = UpdateStatus.INFORMATION, body_zh_hans: str = ""
) -> NoticeUpdate:
    """Add a step to the notice's timeline and tell its followers (after commit)."""
    if not body.strip():
        raise ValidationError({"body": _("Write what changed.")})
    update = NoticeUpdate(notice=notice, status=status, body=body, body_zh_hans=body_zh_hans, created_by=by)
    update.full_clean(exclude=["notice"])
    _render(update)
    update.save()
    notifications.followers_notify(notice=notice, update=update, actor=by)
    # The notice's "changed" time moves with its news (the status page sorts nothing by it, staff read it).
    ServiceNotice.objects.filter(pk=notice.pk).update(updated_at=timezone.now())
    return update


@transaction.atomic
def notice_update_edit(*, update: NoticeUpdate, body: str, status: str, body_zh_hans: str = "") -> NoticeUpdate:
    """Correct a posted update (a typo, a wrong status). Followers are not mailed again."""
    if not body.strip():
        raise ValidationError({"body": _("Write what changed.")})
    update.body, update.body_zh_hans, update.status = body, body_zh_hans, status
    update.full_clean(exclude=["notice"])
    _render(update)
    update.save()
    return update


@transaction.atomic
def notice_resolve(*, notice: ServiceNotice, by: User | None, body: str = "", body_zh_hans: str = "") -> ServiceNotice:
    """End a notice now: resolved (incidents) or completed, with a last update that followers receive.

    A resolved incident stays in the banner, marked resolved, for `KBPORTAL_NOTICE_RESOLVED_SHOWN_MINUTES`.
    """
    notice = ServiceNotice.objects.select_for_update().get(pk=notice.pk)
    if notice.resolved_at is not None:
        raise ValidationError(_("This notice is already resolved."))
    now = timezone.now()
    notice.resolved_at = now
    if notice.ends_at is None or notice.ends_at > now:
        notice.ends_at = max(now, notice.starts_at)
    notice.save(update_fields=["resolved_at", "ends_at", "updated_at"])
    if not body.strip():
        # The English text is the notice's main text; staff add the Chinese one when they write their own.
        with translation.override(Language.EN):
            endings: dict[str, str] = {
                NoticeKind.INCIDENT: _("This incident is resolved."),
                NoticeKind.MAINTENANCE: _("The maintenance is complete."),
            }
            body = endings.get(notice.kind, _("This notice has ended."))
    status = UpdateStatus.RESOLVED if notice.kind == NoticeKind.INCIDENT else UpdateStatus.COMPLETED
    notice_add_update(notice=notice, body=body, body_zh_hans=body_zh_hans, status=status, by=by)
    return notice


def notice_follow(*, notice: ServiceNotice, user: User, language: str = Language.EN) -> tuple[NoticeFollow, bool]:
    """Follow a notice (once, whatever the concurrency): (the follow, whether it is new)."""
    language = language if language in Language.values else Language.EN
    existing = NoticeFollow.objects.filter(notice=notice, user=user).first()
    if existing is not None:
        return existing, False
    try:
        with transaction.atomic():
            return NoticeFollow.objects.create(notice=notice, user=user, language=language), True
    except IntegrityError:  # a concurrent click won the insert
        return NoticeFollow.objects.get(notice=notice, user=user), False


def notice_unfollow(*, notice_id: int, user_id: int) -> bool:
    """Stop following; True when there was a follow to remove."""
    deleted, _rows = NoticeFollow.objects.filter(notice_id=notice_id, user_id=user_id).delete()
    return bool(deleted)
