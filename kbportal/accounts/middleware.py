from collections.abc import Callable

from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from rest_framework.views import APIView

from .two_factor import user_has_second_factor, user_must_use_second_factor

# Pages a staff member who has not finished the second step may still open, besides the one they are sent to.
ALWAYS_OPEN = frozenset({"accounts:logout", "set_language"})


class StaffTwoFactorMiddleware:
    """While KBPORTAL_STAFF_REQUIRE_2FA is on, a staff session without a verified second factor reaches
    nothing but the page that sets it up (no device yet) or asks for the code (device set up).

    Deny by default rather than a list of staff areas: staff powers also show on public pages (draft
    previews, the moderation log, moderation buttons) and in the API, and a new staff page cannot be
    forgotten. Put after django_otp's OTPMiddleware, which tells whether the session is verified.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(self, request: HttpRequest, view_func, view_args, view_kwargs) -> HttpResponse | None:
        user = request.user
        if not user_must_use_second_factor(user) or user.is_verified():
            return None
        target = "accounts:two_factor_verify" if user_has_second_factor(user) else "accounts:two_factor"
        if request.resolver_match.view_name in ALWAYS_OPEN | {target}:
            return None
        if _is_api_view(view_func):
            # The session's user; tokens are checked later, by DRF, and at their creation.
            message = _("Staff accounts must finish signing in with two-factor authentication on the website first.")
            return JsonResponse({"detail": message}, status=403)
        return redirect_to_login(request.get_full_path(), reverse(target))


def _is_api_view(view_func) -> bool:
    view_class = getattr(view_func, "cls", None)
    return isinstance(view_class, type) and issubclass(view_class, APIView)
