from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Self, TypeVar

from django.conf import settings
from django.db import models
from django.db.models import Case, ExpressionWrapper, F, Q, When
from django.utils import timezone

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from kbportal.accounts.models import User

    from .models import PublishableContent

# Articles and videos share the queryset: each model's manager returns its own rows.
_Content = TypeVar("_Content", bound="PublishableContent")


class PublishableQuerySet(models.QuerySet[_Content]):
    """Visibility and helpfulness for articles and videos."""

    def published(self, now: datetime | None = None) -> Self:
        """Published and due: scheduled items stay hidden until `publish_at`."""
        from .models import Status

        now = now or timezone.now()
        return self.filter(Q(publish_at__isnull=True) | Q(publish_at__lte=now), status=Status.PUBLISHED)

    def visible_to(self, user: User | AnonymousUser) -> Self:
        """What `user` may read on the public pages: staff editors preview everything."""
        from kbportal.accounts.selectors import user_can_preview_content

        return self if user_can_preview_content(user) else self.published()

    def in_language(self, language: str) -> Self:
        return self.filter(language=language)

    def with_helpfulness(self) -> Self:
        """Annotate `votes` and `helpful_share` (0-100, None without votes) for sorting and filtering."""
        votes = F("helpful_count") + F("not_helpful_count")
        return self.annotate(
            votes=ExpressionWrapper(votes, output_field=models.IntegerField()),
            helpful_share=Case(
                When(Q(helpful_count__gt=0) | Q(not_helpful_count__gt=0), then=100.0 * F("helpful_count") / votes),
                default=None,
                output_field=models.FloatField(),
            ),
        )

    def _with_review_inputs(self) -> Self:
        return self.alias(
            review_votes=F("helpful_count") + F("not_helpful_count"),
            review_helpful_x100=F("helpful_count") * 100,
        )

    @staticmethod
    def _needs_review_q(today: date | None) -> Q:
        today = today or timezone.localdate()
        stale_before = today - timedelta(days=settings.KBPORTAL_REVIEW_MAX_AGE_DAYS)
        poorly_rated = Q(review_votes__gte=settings.KBPORTAL_REVIEW_MIN_VOTES) & Q(
            review_helpful_x100__lt=F("review_votes") * settings.KBPORTAL_REVIEW_HELPFUL_PERCENT
        )
        never_reviewed_and_old = Q(last_reviewed_at__isnull=True, created_at__date__lt=stale_before)
        return poorly_rated | Q(last_reviewed_at__lt=stale_before) | never_reviewed_and_old

    def needs_review(self, today: date | None = None) -> Self:
        """Items rated poorly (under the threshold with enough votes) or not reviewed for too long."""
        return self._with_review_inputs().filter(self._needs_review_q(today))

    def with_needs_review(self, today: date | None = None) -> Self:
        """Annotate the `needs_review` flag that the admin shows beside each item."""
        return self._with_review_inputs().annotate(
            needs_review=ExpressionWrapper(self._needs_review_q(today), output_field=models.BooleanField())
        )
