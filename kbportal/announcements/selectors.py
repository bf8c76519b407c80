"""Reads of service notices: the banner's list (cached), known issues for the contact form, the status page.

The banner is on every page, so its list is cheap: every notice that may show within the next
`CACHE_SECONDS` is kept in the Django cache as plain values, and each page filters it by the clock
and by the visitor. An anonymous visitor costs no query once the list is cached; a signed-in
customer costs one (their organisation and plan) only while a plan- or organisation-wide notice runs.
Saving or deleting a notice forgets the list (see `signals`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.cache import cache
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone

from kbportal.choices import Language
from tickets.models import OrganisationMembership, Plan

from .models import Audience, NoticeFollow, NoticeKind, NoticeUpdate, ServiceNotice, Severity
from .querysets import ANONYMOUS, Viewer

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser
    from django_stubs_ext import StrOrPromise

    from articles.models import ProductVersion
    from kbportal.accounts.models import User

CACHE_KEY = "announcements:banner:v1"
CACHE_SECONDS = 60
RECENT_DAYS = 14
UPCOMING_DAYS = 30
_SEVERITY_RANK: dict[str, int] = {Severity.CRITICAL: 0, Severity.MAJOR: 1, Severity.MINOR: 2, Severity.INFO: 3}
_VIEWER_ATTRIBUTE = "_announcements_viewer"


def _linger() -> timedelta:
    return timedelta(minutes=settings.KBPORTAL_NOTICE_RESOLVED_SHOWN_MINUTES)


@dataclass(frozen=True)
class NoticeSummary:
    """What the banner and the contact form show of a notice; plain values, so it can live in the cache."""

    pk: int
    kind: str
    severity: str
    title: str
    title_zh_hans: str
    audience: str
    plan: str
    organisation_id: int | None
    product_version_id: int | None
    starts_at: datetime
    ends_at: datetime | None
    resolved_at: datetime | None

    @classmethod
    def of(cls, notice: ServiceNotice) -> NoticeSummary:
        return cls(**{name: getattr(notice, name) for name in cls.__dataclass_fields__})

    def title_in(self, language: str) -> str:
        return self.title_zh_hans if language == Language.ZH_HANS and self.title_zh_hans else self.title

    @property
    def url(self) -> str:
        return reverse("announcements:notice", kwargs={"pk": self.pk})

    @property
    def kind_label(self) -> StrOrPromise:
        return NoticeKind(self.kind).label

    @property
    def severity_label(self) -> StrOrPromise:
        return Severity(self.severity).label

    @property
    def is_resolved(self) -> bool:
        return self.resolved_at is not None

    def is_shown_at(self, now: datetime) -> bool:
        """Running now, or an incident resolved moments ago (shown as resolved for a while)."""
        if self.resolved_at is not None:
            return self.kind == NoticeKind.INCIDENT and self.resolved_at > now - _linger()
        return self.starts_at <= now and (self.ends_at is None or self.ends_at > now)

    def is_visible_to(self, viewer: Viewer) -> bool:
        if viewer.sees_all or self.audience == Audience.EVERYONE:
            return True
        if self.audience == Audience.PLAN:
            return bool(viewer.plan) and self.plan == viewer.plan
        return viewer.organisation_id is not None and self.organisation_id == viewer.organisation_id


def viewer_of(user: User | AnonymousUser) -> Viewer:
    """Whose notices `user` sees; one query for a customer, remembered on the user object for the request."""
    if not user.is_authenticated:
        return ANONYMOUS
    if user.is_staff or user.is_superuser:
        return Viewer(sees_all=True)
    viewer = getattr(user, _VIEWER_ATTRIBUTE, None)
    if viewer is None:
        row = OrganisationMembership.objects.filter(user=user).values_list("organisation_id", "organisation__plan")
        # A customer without an organisation is served on the Basic plan (as their tickets are).
        organisation_id, plan = row.first() or (None, Plan.BASIC)
        viewer = Viewer(organisation_id=organisation_id, plan=plan)
        setattr(user, _VIEWER_ATTRIBUTE, viewer)
    return viewer


def _banner_candidates(now: datetime | None) -> list[NoticeSummary]:
    """Every notice that may show before the cached list expires, for all audiences.

    The list is cached for the real clock only; another moment (`now` given) reads the database.
    """
    candidates = cache.get(CACHE_KEY) if now is None else None
    if candidates is None:
        start = now or timezone.now()
        running_soon = ServiceNotice.objects.running(start, start + timedelta(seconds=CACHE_SECONDS))
        lingering = ServiceNotice.objects.filter(kind=NoticeKind.INCIDENT, resolved_at__gt=start - _linger())
        candidates = [NoticeSummary.of(notice) for notice in (running_soon | lingering).order_by("-starts_at", "-pk")]
        if now is None:
            cache.set(CACHE_KEY, candidates, CACHE_SECONDS)
    return candidates


def forget_banner() -> None:
    cache.delete(CACHE_KEY)


def active_notices(*, user: User | AnonymousUser, now: datetime | None = None) -> list[NoticeSummary]:
    """The notices `user` sees in the banner now: running (or just resolved), most severe first.

    Plan- and organisation-wide notices reach only members of those organisations; staff see all.
    """
    candidates = _banner_candidates(now)
    now = now or timezone.now()
    shown = [notice for notice in candidates if notice.is_shown_at(now)]
    if any(notice.audience != Audience.EVERYONE for notice in shown):
        viewer = viewer_of(user)
        shown = [notice for notice in shown if notice.is_visible_to(viewer)]
    return sorted(shown, key=lambda notice: (notice.is_resolved, _SEVERITY_RANK.get(notice.severity, 9)))


def known_issues(
    *, product_version: ProductVersion | int | None, user: User | AnonymousUser, now: datetime | None = None
) -> list[NoticeSummary]:
    """Unresolved incidents tied to a product version (an instance or its id) that `user` sees now."""
    version_id = getattr(product_version, "pk", product_version)
    if version_id is None:
        return []
    return [
        notice
        for notice in active_notices(user=user, now=now)
        if notice.kind == NoticeKind.INCIDENT and not notice.is_resolved and notice.product_version_id == version_id
    ]


# --- The status page and a notice's page ---------------------------------------------------------------------


@dataclass(frozen=True)
class StatusPage:
    running: list[ServiceNotice]
    upcoming: list[ServiceNotice]
    recent: list[ServiceNotice]


def status_page(*, user: User | AnonymousUser, now: datetime | None = None) -> StatusPage:
    """What runs now, what is scheduled in the next weeks, and what ended in the last two weeks."""
    now = now or timezone.now()
    notices = ServiceNotice.objects.visible_to_viewer(viewer_of(user)).select_related(
        "product_version"  # the version named on every row
    )
    return StatusPage(
        running=sorted(notices.running(now), key=lambda notice: _SEVERITY_RANK.get(notice.severity, 9)),
        upcoming=list(notices.upcoming(now).filter(starts_at__lte=now + timedelta(days=UPCOMING_DAYS)).reverse()),
        recent=list(notices.ended_since(now - timedelta(days=RECENT_DAYS), now).order_by("-ends_at", "-pk")),
    )


def notice_for(*, user: User | AnonymousUser, pk: int) -> ServiceNotice:
    """A notice `user` may read, with its timeline; 404 for notices of other audiences."""
    notices = ServiceNotice.objects.visible_to_viewer(viewer_of(user)).select_related("product_version")
    # The timeline in one query, newest first.
    timeline = Prefetch("updates", queryset=NoticeUpdate.objects.order_by("-created_at", "-pk"))
    return get_object_or_404(notices.prefetch_related(timeline), pk=pk)


def is_following(*, notice: ServiceNotice, user: User | AnonymousUser) -> bool:
    if not user.is_authenticated:
        return False
    return NoticeFollow.objects.filter(notice=notice, user=user).exists()
