"""Sign-in with its second step, and the account's two-factor page.

A sign-in waiting for its code is kept in the browser session by the small adapter below; the services in
two_factor.py take plain values.
"""

from dataclasses import dataclass

import django_otp
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core import signing
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render, resolve_url
from django.urls import reverse
from django.utils.crypto import constant_time_compare
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST
from django_otp.plugins.otp_static.models import StaticDevice

from kbportal.redirects import safe_next_url

from . import two_factor
from .forms import CurrentCodeForm, OneTimeCodeForm, SignInForm, TwoFactorDisableForm
from .models import User

PENDING_KEY = "two_factor_pending"
PENDING_SALT = "kbportal.accounts.two_factor.pending"
# The code must follow the password within this time, or the sign-in starts over.
PENDING_SECONDS = 5 * 60


def _safe_next(request: HttpRequest) -> str:
    """The page the visitor was going to, kept through the second step; empty when it leads off the site."""
    return safe_next_url(request, request.POST.get("next") or request.GET.get("next"), fallback="")


# --- The sign-in waiting for its code (browser-session adapter) -----------------------------------


@dataclass(frozen=True)
class PendingSignIn:
    user: User
    backend: str
    next_url: str


def _pending_start(request: HttpRequest, *, user: User, next_url: str) -> None:
    # Signed and timed, and bound to the password: a password change meanwhile voids it.
    request.session[PENDING_KEY] = signing.dumps(
        {"user": user.pk, "backend": user.backend, "next": next_url, "auth": user.get_session_auth_hash()},
        salt=PENDING_SALT,
    )


def _pending_sign_in(request: HttpRequest) -> PendingSignIn | None:
    token = request.session.get(PENDING_KEY)
    if not token:
        return None
    try:
        data = signing.loads(token, salt=PENDING_SALT, max_age=PENDING_SECONDS)
    except signing.BadSignature:
        return None
    user = User.objects.filter(pk=data["user"], is_active=True).first()
    if user is None or not constant_time_compare(user.get_session_auth_hash(), data["auth"]):
        return None
    return PendingSignIn(user=user, backend=data["backend"], next_url=data["next"])


# --- Sign-in ----------------------------------------------------------------------------------------


class SignInView(auth_views.LoginView):
    """The password step. A user with two-factor authentication stays signed out until the code step."""

    template_name = "accounts/sign_in.html"
    authentication_form = SignInForm

    def form_valid(self, form: SignInForm) -> HttpResponse:
        user = form.get_user()
        if not two_factor.user_has_second_factor(user):
            return super().form_valid(form)
        # get_success_url() has already refused a `next` that leaves the site.
        _pending_start(self.request, user=user, next_url=self.get_success_url())
        return redirect("accounts:two_factor_verify")


@never_cache
@sensitive_post_parameters("code")
def two_factor_verify(request: HttpRequest) -> HttpResponse:
    """The second step: after the password, or for a signed-in session that has not given a code yet."""
    pending = _pending_sign_in(request)
    if pending is not None:
        user, next_url = pending.user, pending.next_url
    elif request.user.is_authenticated:
        next_url = _safe_next(request) or resolve_url(settings.LOGIN_REDIRECT_URL)
        if request.user.is_verified() or not two_factor.user_has_second_factor(request.user):
            return redirect(next_url)
        user = request.user
    else:
        if request.session.pop(PENDING_KEY, None):
            messages.error(request, _("Signing in took too long. Type your password again."))
        return redirect("accounts:login")

    form = OneTimeCodeForm(request.POST or None, autofocus=True)
    if request.method == "POST" and form.is_valid():
        check = two_factor.second_factor_check(user=user, code=form.cleaned_data["code"])
        if check.accepted:
            if pending is not None:
                del request.session[PENDING_KEY]
                login(request, user, backend=pending.backend)
            else:
                # More rights for the same session: a new key, as at sign-in.
                request.session.cycle_key()
            django_otp.login(request, check.device)
            _warn_when_recovery_codes_run_low(request, check.device)
            return redirect(next_url)
        form.add_error("code", two_factor.second_factor_error(check))
    return render(
        request,
        "accounts/two_factor_verify.html",
        {"form": form, "signed_in": pending is None, "next": "" if pending else _safe_next(request)},
    )


def _warn_when_recovery_codes_run_low(request: HttpRequest, device) -> None:
    if not isinstance(device, StaticDevice):
        return
    left = two_factor.recovery_codes_left(request.user)
    messages.warning(
        request,
        ngettext(
            "You signed in with a recovery code; %(count)d is left. Make new ones on the two-factor page.",
            "You signed in with a recovery code; %(count)d are left. Make new ones on the two-factor page.",
            left,
        )
        % {"count": left},
    )


def admin_login(request: HttpRequest) -> HttpResponse:
    """The admin's own sign-in form would skip the second step: the admin signs in on the portal's page."""
    return redirect_to_login(_safe_next(request) or reverse("admin:index"), reverse("accounts:login"))


# --- The account's two-factor page ------------------------------------------------------------------


@never_cache
@login_required
@sensitive_post_parameters("code")
def two_factor_page(request: HttpRequest) -> HttpResponse:
    """Set up an authenticator app (QR code, key, a code to confirm), or manage the one set up."""
    if two_factor.user_authenticator(request.user) is not None:
        return _manage_page(request)
    device = two_factor.two_factor_setup_start(user=request.user)
    form = OneTimeCodeForm(request.POST or None, autofocus=True)
    if request.method == "POST" and form.is_valid():
        try:
            device, codes = two_factor.two_factor_enable(user=request.user, code=form.cleaned_data["code"])
        except ValidationError as error:
            form.add_error("code", error)
        else:
            request.session.cycle_key()
            django_otp.login(request, device)
            return _recovery_codes_page(request, codes)
    context = {
        "form": form,
        # segno draws only rectangles from the key; no user-supplied text reaches the markup.
        "qr_code": mark_safe(two_factor.authenticator_qr_svg(device)),  # noqa: S308
        "secret": two_factor.authenticator_secret(device),
        "required": two_factor.user_must_use_second_factor(request.user),
        "next": _safe_next(request),
    }
    return render(request, "accounts/two_factor_setup.html", context)


@never_cache
@login_required
@require_POST
@sensitive_post_parameters("recovery-code")
def recovery_codes_regenerate(request: HttpRequest) -> HttpResponse:
    form = CurrentCodeForm(request.POST, prefix="recovery")
    if form.is_valid():
        try:
            codes = two_factor.two_factor_recovery_codes_regenerate(user=request.user, code=form.cleaned_data["code"])
        except ValidationError as error:
            form.add_error(None, error)
        else:
            return _recovery_codes_page(request, codes)
    return _manage_page(request, recovery_form=form)


@never_cache
@login_required
@require_POST
@sensitive_post_parameters("disable-password", "disable-code")
def two_factor_disable(request: HttpRequest) -> HttpResponse:
    form = TwoFactorDisableForm(request.POST, prefix="disable")
    if form.is_valid():
        try:
            two_factor.two_factor_disable(
                user=request.user, password=form.cleaned_data["password"], code=form.cleaned_data["code"]
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Two-factor authentication is off. Your password alone signs you in now."))
            return redirect("accounts:two_factor")
    return _manage_page(request, disable_form=form)


def _manage_page(
    request: HttpRequest,
    *,
    recovery_form: CurrentCodeForm | None = None,
    disable_form: TwoFactorDisableForm | None = None,
) -> HttpResponse:
    context = {
        "recovery_form": recovery_form or CurrentCodeForm(prefix="recovery"),
        "disable_form": disable_form or TwoFactorDisableForm(prefix="disable"),
        "may_disable": not two_factor.user_must_use_second_factor(request.user),
        "codes_left": two_factor.recovery_codes_left(request.user),
    }
    return render(request, "accounts/two_factor_manage.html", context)


def _recovery_codes_page(request: HttpRequest, codes: list[str]) -> HttpResponse:
    """Shown once, in the answer to the form that made them: the codes are never shown again."""
    context = {"codes": codes, "next": _safe_next(request) or reverse("accounts:two_factor")}
    return render(request, "accounts/two_factor_codes.html", context)
