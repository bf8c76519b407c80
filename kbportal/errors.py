"""Branded error pages (400, 403, 404, 500, 503 and the CSRF failure), JSON ``{"detail": …}`` under /api/.

The pages are rendered without the request, so no context processor runs: they need neither the database
nor the session, and a 500 or a 503 renders while the database is down. Django calls ``server_error`` inside
the ``except`` block of the failure, so ``sys.exc_info()`` says whether the database was unreachable; that
answers 503 with ``Retry-After`` (a temporary state a client may retry), anything else 500.
"""

import sys
from dataclasses import dataclass

from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.middleware.csrf import REASON_NO_CSRF_COOKIE
from django.template import loader
from django.utils.functional import Promise
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _

# What Django raises when the database cannot be reached (refused, dropped, timed out).
DATABASE_UNAVAILABLE = (OperationalError, InterfaceError)


@dataclass(frozen=True)
class ErrorText:
    title: Promise
    page: Promise  # what the HTML page says a person should do
    api: Promise  # the API's detail for a program's author


ERRORS = {
    400: ErrorText(
        _("The request could not be understood"),
        _("Something in the request was malformed or not allowed. Go back, reload the page and try again."),
        _("The request was malformed or not allowed. Check it and send it again."),
    ),
    403: ErrorText(
        _("You cannot open this page"),
        _("Your account does not have access to this page. Sign in with an account that has, or ask support."),
        _("You do not have permission to do this."),
    ),
    404: ErrorText(
        _("Page not found"),
        _("There is no page at this address: it may have moved or been removed. Try searching the help center."),
        _("There is nothing at this address. See /api/v1/docs/ for the API's endpoints."),
    ),
    500: ErrorText(
        _("Something went wrong on our side"),
        _("The error has been recorded and we will look into it. Please try again in a few minutes."),
        _("The server failed to answer this request; the error has been recorded. Try again later."),
    ),
    503: ErrorText(
        _("The help center is briefly unavailable"),
        _(
            "We cannot reach our database right now. Please try again in a minute; if you were sending a form, "
            "send it again once this page is gone."
        ),
        _("The service is temporarily unavailable. Retry after the number of seconds in Retry-After."),
    ),
}


def _is_api(request: HttpRequest) -> bool:
    return request.path.startswith("/api/")


def _render(template: str, context: dict, *, status: int) -> HttpResponse:
    # No request: no context processor (user, messages, notices) can touch the database or the session.
    return HttpResponse(loader.render_to_string(template, context), status=status)


def error_response(request: HttpRequest, status: int, **context) -> HttpResponse:
    text = ERRORS[status]
    if _is_api(request):
        response: HttpResponse = JsonResponse({"detail": str(text.api)}, status=status)
    else:
        context = {"status": status, "title": text.title, "message": text.page, **context}
        response = _render("errors/error.html", context, status=status)
    if status == 503:
        response["Retry-After"] = str(settings.KBPORTAL_UNAVAILABLE_RETRY_AFTER_SECONDS)
    return response


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return error_response(request, 400)


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return error_response(request, 403, show_contact=True)


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return error_response(request, 404, show_search=True)


def database_unavailable(exc: BaseException | None) -> bool:
    """Whether ``exc``, or an exception it was raised from or during, says the database is unreachable."""
    seen = 0
    while exc is not None and seen < 10:
        if isinstance(exc, DATABASE_UNAVAILABLE):
            return True
        exc, seen = exc.__cause__ or exc.__context__, seen + 1
    return False


def server_error(request: HttpRequest) -> HttpResponse:
    if database_unavailable(sys.exc_info()[1]):
        return error_response(request, 503)
    return error_response(request, 500, show_contact=True)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """CSRF_FAILURE_VIEW: say what happened to the form and how to send it again."""
    if _is_api(request):
        return JsonResponse(
            {"detail": str(_("CSRF check failed. Send the CSRF token with the session, or use a token instead."))},
            status=403,
        )
    referer = request.headers.get("referer", "")
    host, secure = request.get_host(), request.is_secure()
    safe = url_has_allowed_host_and_scheme(referer, allowed_hosts={host}, require_https=secure)
    context = {
        "status": 403,
        "title": _("Your form could not be sent"),
        "message": _(
            "The form's security check failed, so nothing was saved or sent and what you typed is not kept here."
        ),
        "cookies_missing": reason == REASON_NO_CSRF_COOKIE,
        "back_url": referer if safe else "",
    }
    return _render("errors/csrf_failure.html", context, status=403)
