from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.encoding import force_str
from django.utils.http import urlsafe_base64_decode
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST
from knox.settings import knox_settings

from kbportal.security.ratelimits import rate_limited, refusal_message

from . import services, two_factor
from .forms import (
    AccountPasswordResetForm,
    ApiTokenCreateForm,
    CheckedPasswordChangeForm,
    SignUpConfirmForm,
    SignUpForm,
)
from .models import ApiToken, User

BACKEND = "kbportal.accounts.backends.EmailOrUsernameBackend"


@sensitive_post_parameters("password1", "password2")
def sign_up(request: HttpRequest) -> HttpResponse:
    """Every valid sign-up ends on the same "check your inbox" page, whether or not the address has an account."""
    if request.user.is_authenticated:
        return redirect("articles:home")
    form = SignUpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        email = form.cleaned_data["email"]
        check = rate_limited(request, "sign-up", address=email)
        if check.limited:
            form.add_error(None, refusal_message(check))
            return render(request, "accounts/sign_up.html", {"form": form}, status=429)
        services.customer_sign_up(
            email=email, display_name=form.cleaned_data["display_name"], password=form.cleaned_data["password1"]
        )
        return render(request, "accounts/sign_up_sent.html", {"email": email})
    return render(request, "accounts/sign_up.html", {"form": form}, status=400 if form.is_bound else 200)


@sensitive_post_parameters("password")
def sign_up_confirm(request: HttpRequest, uidb64: str, token: str) -> HttpResponse:
    """The link from the confirmation mail. Opening it only asks (mail scanners open links); confirming takes
    the password chosen at sign-up, so a link that reached the mailbox from someone else's sign-up for the
    address opens nothing for them (they would know the password, never the mail)."""
    user = _user_of_link(uidb64, token)
    if user is None:
        return render(request, "accounts/sign_up_link_invalid.html", status=400)
    form = SignUpConfirmForm(user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.customer_confirm_email(user=user)
        login(request, user, backend=BACKEND)
        messages.success(request, _("Welcome! Your account is ready."))
        return redirect("articles:home")
    context = {"email": user.email, "form": form}
    return render(request, "accounts/sign_up_confirm.html", context, status=400 if form.is_bound else 200)


def _user_of_link(uidb64: str, token: str) -> User | None:
    try:
        user = User.objects.get(pk=int(force_str(urlsafe_base64_decode(uidb64))))
    except (ValueError, TypeError, OverflowError, User.DoesNotExist):
        return None
    if not user.awaits_confirmation or not services.sign_up_tokens.check_token(user, token):
        return None
    return user


class PasswordResetView(auth_views.PasswordResetView):
    """Rate-limited per address and per client: each request mails someone."""

    form_class = AccountPasswordResetForm

    def form_valid(self, form):
        check = rate_limited(self.request, "password-reset", address=form.cleaned_data["email"])
        if check.limited:
            form.add_error(None, refusal_message(check))
            return self.render_to_response(self.get_context_data(form=form), status=429)
        return super().form_valid(form)


class PasswordChangeView(auth_views.PasswordChangeView):
    """The current password is checked through authenticate(), so it counts towards the lockout."""

    form_class = CheckedPasswordChangeForm

    def get_form_kwargs(self) -> dict:
        return {**super().get_form_kwargs(), "request": self.request}


@never_cache
@login_required
def api_tokens(request: HttpRequest) -> HttpResponse:
    """The signed-in user's API tokens; a new one's secret is shown in the answer to the POST that made
    it and nowhere else (no redirect: the secret must not wait in the session or a cookie).

    A token outlives the session, so an account with two factors makes one only from a session that gave
    its code: a session opened before two-factor was turned on goes through the second step first.
    """
    if not request.user.is_verified() and two_factor.user_has_second_factor(request.user):
        return redirect(f"{reverse('accounts:two_factor_verify')}?{urlencode({'next': request.path})}")
    form = ApiTokenCreateForm(request.POST or None)
    secret = None
    if request.method == "POST" and form.is_valid():
        try:
            _token, secret = services.api_token_create(user=request.user, name=form.cleaned_data["name"])
        except ValidationError as error:
            form.add_error(None, error)
        else:
            form = ApiTokenCreateForm()
    tokens = ApiToken.objects.owned_by(request.user).active()
    context = {"form": form, "secret": secret, "tokens": tokens, "ttl_days": knox_settings.TOKEN_TTL.days}
    return render(request, "accounts/api_tokens.html", context)


@require_POST
@login_required
def api_token_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    # Only the user's own tokens: another user's id is a 404, as if it did not exist.
    token = get_object_or_404(ApiToken.objects.owned_by(request.user), pk=pk)
    services.api_token_revoke(token=token)
    text = _("The token “%(name)s” is revoked. Clients that send it are refused from now on.") % {"name": token}
    messages.success(request, text)
    return redirect("accounts:api_tokens")


@require_POST
@login_required
def api_token_revoke_all(request: HttpRequest) -> HttpResponse:
    count = services.api_token_revoke_all(user=request.user)
    text = ngettext(
        "%(count)s API token is revoked, all that you had.",
        "%(count)s API tokens are revoked, all that you had.",
        count,
    ) % {"count": count}
    messages.success(request, text)
    return redirect("accounts:api_tokens")
