"""Optional error tracking: the settings call `init_sentry()` only when SENTRY_DSN is set, so without it
sentry-sdk is never imported.

Events carry the request id (django-guid) as the `request_id` tag, in a request and in a Celery task
published from one, and leave with e-mail addresses, signed link tokens, API tokens and password-like
fields scrubbed (`send_default_pii` is off, so no user, cookie or address is sent either). Health probes
are never traced.
"""

from collections.abc import Callable
from typing import Any

import sentry_sdk
from django_guid import get_guid
from sentry_sdk.integrations.celery import CeleryIntegration
from sentry_sdk.integrations.django import DjangoIntegration

from kbportal.observability.scrubbing import scrub


def before_send(event: dict[str, Any], hint: dict[str, Any]) -> dict[str, Any]:
    event = scrub(event)
    request_id = get_guid()
    if request_id:
        event.setdefault("tags", {})["request_id"] = request_id
    return event


def _traces_sampler(rate: float) -> Callable[[dict[str, Any]], float]:
    def sampler(sampling_context: dict[str, Any]) -> float:
        path = (sampling_context.get("wsgi_environ") or {}).get("PATH_INFO", "")
        return 0.0 if path.startswith("/health/") else rate

    return sampler


def init_sentry(*, dsn: str, environment: str, release: str, traces_sample_rate: float, **options: Any) -> None:
    """Start sentry-sdk with the Django and Celery integrations. `options` go to `sentry_sdk.init`
    unchanged (tests pass a `transport`)."""
    sentry_sdk.init(
        dsn=dsn,
        environment=environment or None,
        release=release or None,
        integrations=[DjangoIntegration(), CeleryIntegration()],
        send_default_pii=False,
        traces_sampler=_traces_sampler(traces_sample_rate),
        before_send=before_send,
        before_send_transaction=before_send,
        **options,
    )
