from django.contrib import messages
from django.contrib.auth import login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters

from kbportal.redirects import safe_next_url

from . import services
from .forms import SignUpForm


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
            target = request.POST.get("next") or request.GET.get("next")
            return redirect(safe_next_url(request, target, fallback=reverse("articles:home")))
    return render(request, "accounts/sign_up.html", {"form": form})
