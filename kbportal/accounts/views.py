from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.encoding import force_str
from django.utils.http import urlsafe_base64_decode
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters

from kbportal.security.ratelimits import rate_limited, refusal_message

from . import services
from .forms import AccountPasswordResetForm, CheckedPasswordChangeForm, SignUpForm
from .models import User

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


def sign_up_confirm(request: HttpRequest, uidb64: str, token: str) -> HttpResponse:
    """The link from the confirmation mail. Opening it only asks (mail scanners open links); the button confirms."""
    user = _user_of_link(uidb64, token)
    if user is None:
        return render(request, "accounts/sign_up_link_invalid.html", status=400)
    if request.method == "POST":
        services.customer_confirm_email(user=user)
        login(request, user, backend=BACKEND)
        messages.success(request, _("Welcome! Your account is ready."))
        return redirect("articles:home")
    return render(request, "accounts/sign_up_confirm.html", {"email": user.email})


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
