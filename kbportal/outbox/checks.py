"""Outbox settings that would lose or double deliveries without a word: stopped at start-up (system checks)."""

from django.conf import settings
from django.core import checks

# One attempt (an SMTP conversation of several steps, each bounded by EMAIL_TIMEOUT) must end, by its hard time
# limit (the lease less 5 s), before its lease runs out, or a second attempt could start beside it.
MIN_LEASE_SECONDS = 15


@checks.register(checks.Tags.compatibility)
def outbox_settings(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    errors = []
    lease = settings.KBPORTAL_OUTBOX_LEASE_SECONDS
    if lease < MIN_LEASE_SECONDS:
        errors.append(
            checks.Error(
                f"KBPORTAL_OUTBOX_LEASE_SECONDS is {lease}: an attempt could outlast its lease and a second start "
                f"beside it, sending a mail twice.",
                hint=f"Set it to {MIN_LEASE_SECONDS} or more (the default is 120).",
                id="outbox.E001",
            )
        )
    if settings.EMAIL_TIMEOUT is not None and settings.EMAIL_TIMEOUT <= 0:
        errors.append(
            checks.Error(
                f"EMAIL_TIMEOUT is {settings.EMAIL_TIMEOUT}: every mail would fail (a socket needs a timeout above 0).",
                hint="Set DJANGO_EMAIL_TIMEOUT to a number of seconds, e.g. 10.",
                id="outbox.E002",
            )
        )
    backlog = dict(settings.KBPORTAL_READINESS_CHECKS).get("outbox")
    limit = backlog[1].get("limit", 1) if isinstance(backlog, tuple | list) else 1
    if limit < 1:
        errors.append(
            checks.Error(
                f"KBPORTAL_HEALTH_OUTBOX_BACKLOG is {limit}: /health/ready would always answer 503.",
                hint="Set it to 1 or more (the default is 1000).",
                id="outbox.E003",
            )
        )
    return errors
