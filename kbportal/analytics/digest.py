"""The weekly e-mail to support managers: last week's headline figures and the top content gaps."""

from __future__ import annotations

from datetime import date, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from kbportal.outbox.services import mail_send

from .forms import scope_query
from .registry import registry
from .scope import Scope, one_computation

# The figures a manager reads first, in this order; every key must be a registered metric (tested).
DIGEST_KEYS = (
    "help_sessions",
    "deflection_rate",
    "zero_result_rate",
    "tickets_created",
    "first_response_median",
    "resolution_median",
    "sla_compliance",
    "first_contact_resolution",
    "csat_average",
    "csat_satisfied",
    "nps",
    "community_answer_rate",
)
TOP_GAPS = 5


def last_week(today: date | None = None) -> Scope:
    """The seven days up to yesterday, in the site's time zone."""
    today = today or timezone.localdate()
    return Scope(since=today - timedelta(days=7), until=today - timedelta(days=1), tz=timezone.get_default_timezone())


def managers():
    """Everyone who may read the dashboard: through a role, a permission of their own, or as a superuser."""
    may_read = (
        Q(groups__permissions__codename="view_service_analytics")
        | Q(user_permissions__codename="view_service_analytics")
        | Q(is_superuser=True)
    )
    return get_user_model().objects.filter(may_read, is_active=True).exclude(email="").distinct().order_by("pk")


def digest_send(*, today: date | None = None) -> int:
    """Mail every support manager the digest; returns how many were sent."""
    scope = last_week(today)
    recipients = list(managers().values_list("email", flat=True))
    if not recipients:
        return 0
    with translation.override(settings.LANGUAGE_CODE), one_computation():
        context = digest_context(scope)
        subject = " ".join(render_to_string("analytics/email/digest_subject.txt", context).split())
        body = render_to_string("analytics/email/digest.txt", context)
    # One per manager and week whoever runs it how often: beat, a retried task, or the command by hand.
    week = scope.since.isoformat()
    with transaction.atomic():
        return sum(
            mail_send(
                EmailMessage(subject, body, settings.DEFAULT_FROM_EMAIL, [address]), key=f"digest:{week}:{address}"
            )
            is not None
            for address in recipients
        )


def digest_context(scope: Scope) -> dict:
    figures = [(registry.metrics[key], registry.metrics[key].value(scope)) for key in DIGEST_KEYS]
    gaps = list(registry.listings["content_gaps"].rows(scope))[:TOP_GAPS]
    return {
        "scope": scope,
        "figures": figures,
        "gaps": gaps,
        "dashboard_url": f"{settings.SITE_URL}{reverse('analytics:dashboard')}?{scope_query(scope)}",
    }
