from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST
from knox.settings import knox_settings

from . import services
from .forms import ApiTokenCreateForm, SignUpForm
from .models import ApiToken


@sensitive_post_parameters("password1", "password2")
def sign_up(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("articles:home")
    form = SignUpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.customer_sign_up(
                email=form.cleaned_data["email"],
                display_name=form.cleaned_data["display_name"],
                password=form.cleaned_data["password1"],
            )
        except ValueError:
            form.add_error("email", _("An account with this e-mail address exists already. Sign in instead."))
        else:
            login(request, user, backend="kbportal.accounts.backends.EmailOrUsernameBackend")
            messages.success(request, _("Welcome! Your account is ready."))
            return redirect(_safe_next(request) or "articles:home")
    return render(request, "accounts/sign_up.html", {"form": form})


def _safe_next(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    allowed = url_has_allowed_host_and_scheme(target, {request.get_host()}, require_https=request.is_secure())
    return target if allowed else ""


@never_cache
@login_required
def api_tokens(request: HttpRequest) -> HttpResponse:
    """The signed-in user's API tokens; a new one's secret is shown in the answer to the POST that made
    it and nowhere else (no redirect: the secret must not wait in the session or a cookie)."""
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
