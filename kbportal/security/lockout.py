"""The sign-in lockout (django-axes): who an attempt counts against, and what a locked-out caller reads.

Every way in — the sign-in form, the admin login, the API token endpoint and the password change form —
goes through ``django.contrib.auth.authenticate(request, …)``, where axes' backend refuses a locked-out
account or address before any password is checked and counts each failure in the database, so every
server process sees the same count.
"""

import math

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username
from axes.models import AccessAttempt
from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from kbportal.accounts.models import User


def account_key(request: HttpRequest, credentials: dict | None) -> str:
    """One key per account whichever name was typed: "grace", "Grace@Acme.example" and "grace@acme.example"
    all count against the same account. Unknown names count as typed, lower-cased."""
    typed = str((credentials or {}).get("username") or request.POST.get("username", "")).strip()
    lookup = {"email__iexact": typed} if "@" in typed else {"username": typed}
    username = User.objects.filter(**lookup).values_list("username", flat=True).first() if typed else None
    return username or typed.lower()


def lockout_message() -> str:
    minutes = max(1, math.ceil(settings.AXES_COOLOFF_TIME.total_seconds() / 60))
    return ngettext(
        "Too many failed sign-in attempts for this account or from your network. Signing in is paused for "
        "%(minutes)d minute. You can reset your password meanwhile, or ask support staff to unlock it.",
        "Too many failed sign-in attempts for this account or from your network. Signing in is paused for "
        "%(minutes)d minutes. You can reset your password meanwhile, or ask support staff to unlock it.",
        minutes,
    ) % {"minutes": minutes}


def lockout_response(request: HttpRequest, original_response: HttpResponse | None, credentials: dict | None):
    """429 for a locked-out attempt: JSON on the API, the sign-in page's own layout everywhere else."""
    retry_after = str(int(settings.AXES_COOLOFF_TIME.total_seconds()))
    if request.path.startswith("/api/"):
        response = JsonResponse({"detail": lockout_message()}, status=429)
    else:
        context = {"message": lockout_message(), "title": _("Signing in is paused")}
        response = render(request, "accounts/locked_out.html", context, status=429)
    response["Retry-After"] = retry_after
    return response


class AccountOnlyResetHandler(AxesDatabaseHandler):
    """Axes' database handler, except that a successful sign-in clears only that account's failures.

    Axes deletes every attempt matching the account *or the address*, so an attacker could guess 19
    passwords for a victim, sign in to an account of their own from the same address, and start again
    with no count. The address's failures against other accounts now stay until they expire.
    """

    def reset_user_attempts(self, request: HttpRequest, credentials: dict | None = None) -> int:
        count, _deleted = AccessAttempt.objects.filter(username=get_client_username(request, credentials)).delete()
        return count
