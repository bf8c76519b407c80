"""The API's exception handler: DRF's, plus the request errors Django raises before a view sees the data."""

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from rest_framework import status
from rest_framework.exceptions import APIException
from rest_framework.views import exception_handler as drf_exception_handler


class RequestBodyTooLarge(APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_code = "request_too_large"

    def __init__(self, *, limit: int) -> None:
        super().__init__(
            _("The request body is larger than %(limit)s. Send a smaller one.") % {"limit": filesizeformat(limit)}
        )


def exception_handler(exc, context):
    # Reading a body over DATA_UPLOAD_MAX_MEMORY_SIZE raises a SuspiciousOperation, which DRF leaves to
    # Django's HTML "Bad Request" page; an API client gets the JSON error every other refusal has.
    if isinstance(exc, RequestDataTooBig):
        exc = RequestBodyTooLarge(limit=settings.DATA_UPLOAD_MAX_MEMORY_SIZE)
    return drf_exception_handler(exc, context)
