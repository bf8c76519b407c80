"""The site's URLs plus views that fail in each way the error pages answer (tests/kbportal/test_error_pages.py)."""

from django.core.exceptions import PermissionDenied, SuspiciousOperation
from django.db import InterfaceError, OperationalError
from django.http import Http404
from django.urls import path

from kbportal import urls as site


def _raising(exception: Exception):
    def view(request):
        raise exception

    return view


FAILURES = {
    400: SuspiciousOperation("malformed"),
    403: PermissionDenied(),
    404: Http404(),
    500: RuntimeError("a bug"),
    503: OperationalError("connection refused"),
}

urlpatterns = [
    *[path(f"fail/{status}/", _raising(exc)) for status, exc in FAILURES.items()],
    *[path(f"api/fail/{status}/", _raising(exc)) for status, exc in FAILURES.items()],
    path("fail/interface/", _raising(InterfaceError("connection already closed"))),
    *site.urlpatterns,
]

handler400 = site.handler400
handler403 = site.handler403
handler404 = site.handler404
handler500 = site.handler500
