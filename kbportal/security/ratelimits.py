"""Rate limits for everything that sends mail or costs real work, counted once for every process.

Each group (``contact``, ``sign-up``, …) has limits per client address and per the thing it targets (an
e-mail address, a ticket, a member), set in ``KBPORTAL_RATE_LIMITS``. The counters live in the
``ratelimit`` cache — Redis at scale, a database table on the embedded default — never in a process's
memory, so four gunicorn workers do not allow four times the rate. Pages and the API both count here:
pages through :func:`rate_limited`, the API through :class:`RateLimitThrottle`.
"""

import logging
import math
import re
from dataclasses import dataclass

from django.conf import settings
from django.http import HttpRequest
from django.utils.translation import gettext, ngettext
from django_ratelimit.core import get_usage
from rest_framework.throttling import BaseThrottle

from .cache import STORE_ERRORS

logger = logging.getLogger(__name__)

# How long a caller refused because no counter could be kept is asked to wait.
UNCOUNTED_RETRY_SECONDS = 60
# "count/period": s, m, h or d, optionally with a number of them ("5/10m").
RATE = re.compile(r"\d+/([1-9]\d*)?[smhd]")


@dataclass(frozen=True)
class RateCheck:
    limited: bool
    retry_after: int = 0  # seconds until the tightest exceeded window ends
    uncounted: bool = False  # refused because no store could count the attempt, not because of the rate


def rate_limited(request: HttpRequest, group: str, **targets: str | int | None) -> RateCheck:
    """Count one attempt of ``group`` against each of its limits and say whether any is exceeded.

    The ``ip`` limit counts the client's address; every other limit counts the value given for it here
    (``address="a@example.com"``, ``ticket=42``). A limit whose value is missing is not counted.
    If no counter store can count it (Redis and its database fallback both down), a group listed in
    ``KBPORTAL_RATE_LIMIT_FAIL_CLOSED`` (those that send mail) is refused, so an outage cannot be used to mail
    someone without limit; any other group (reading: search, suggestions, votes) is let through, so an
    outage never turns reading into refusals.
    """
    limited, retry_after, uncounted = False, 0, False
    fail_closed = group in settings.KBPORTAL_RATE_LIMIT_FAIL_CLOSED
    for per, rate in settings.KBPORTAL_RATE_LIMITS[group].items():
        key = "ip" if per == "ip" else _fixed_key(targets.get(per))
        if key is None:
            continue
        try:
            usage = get_usage(request, group=f"{group}:{per}", key=key, rate=rate, increment=True)
        except STORE_ERRORS:  # no store is reachable: Redis and the database down, a table missing
            if fail_closed:
                logger.error("rate-limit store unavailable; %s:%s not counted, refused", group, per, exc_info=True)
                limited, uncounted = True, True
                retry_after = max(retry_after, UNCOUNTED_RETRY_SECONDS)
            else:
                logger.warning("rate-limit store unavailable; %s:%s not counted", group, per, exc_info=True)
            continue
        if usage is not None and usage["should_limit"]:
            limited, retry_after = True, max(retry_after, usage["time_left"])
    return RateCheck(limited=limited, retry_after=retry_after, uncounted=uncounted)


def _fixed_key(value: str | int | None):
    if value is None or value == "":
        return None
    normalised = str(value).strip().lower()
    return lambda _group, _request: normalised


def refusal_message(check: RateCheck) -> str:
    """What a page says to a visitor who is over a limit; what they typed stays in the form."""
    if check.uncounted:
        return gettext(
            "We cannot accept this right now because of a problem on our side. Please send it again in a "
            "minute; what you typed is kept."
        )
    minutes = max(1, math.ceil(check.retry_after / 60))
    return ngettext(
        "You have sent this too often. Please wait %(minutes)d minute and send it again; what you typed is kept.",
        "You have sent this too often. Please wait %(minutes)d minutes and send it again; what you typed is kept.",
        minutes,
    ) % {"minutes": minutes}


class RateLimitThrottle(BaseThrottle):
    """DRF's throttle interface over the same shared counters: signed-in callers by account, others by address."""

    def __init__(self, group: str) -> None:
        self.group = group
        self.check = RateCheck(limited=False)

    def allow_request(self, request, view) -> bool:
        user = getattr(request, "user", None)
        member = user.pk if user is not None and user.is_authenticated else None
        self.check = rate_limited(request, self.group, user=member)
        return not self.check.limited

    def wait(self) -> float | None:
        return float(self.check.retry_after) if self.check.limited else None
