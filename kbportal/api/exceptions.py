"""The API's one exception handler (REST_FRAMEWORK["EXCEPTION_HANDLER"]): one error shape for every endpoint.

- The submitted data was refused (400): ``{"<field>": ["message", …], "non_field_errors": ["message", …]}``,
  whether a serializer or a service refused it. A service raises Django's ``ValidationError`` (with a dict
  for field errors, or messages for the request as a whole) and the view lets it through: no view catches it.
- Any other refusal (401, 403, 404, 405, 413, 415, 429, and 400 for a body that is not JSON):
  ``{"detail": "message"}``, a single string. A service's Django ``PermissionDenied`` keeps its message.

So ``detail`` is always one string, and lists of messages are always under a field's name or
``non_field_errors`` (DRF's key, the one a serializer's ``validate()`` uses). The schema documents both
shapes on every operation (``kbportal.api.schema``).
"""

from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from rest_framework import exceptions, status
from rest_framework.exceptions import APIException, ErrorDetail
from rest_framework.settings import api_settings
from rest_framework.views import exception_handler as drf_exception_handler


class RequestBodyTooLarge(APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_code = "request_too_large"

    def __init__(self, *, limit: int) -> None:
        super().__init__(
            _("The request body is larger than %(limit)s. Send a smaller one.") % {"limit": filesizeformat(limit)}
        )


def _details(errors: list[DjangoValidationError]) -> list[ErrorDetail]:
    # Each entry holds one message (its params applied when iterated); its code travels with it.
    return [ErrorDetail(message, code=error.code or "invalid") for error in errors for message in error]


def validation_error(error: DjangoValidationError) -> exceptions.ValidationError:
    """DRF's ValidationError for Django's: field errors by field, the rest under ``non_field_errors``."""
    if hasattr(error, "error_dict"):
        detail = {
            (api_settings.NON_FIELD_ERRORS_KEY if field == NON_FIELD_ERRORS else field): _details(errors)
            for field, errors in error.error_dict.items()
        }
    else:
        detail = {api_settings.NON_FIELD_ERRORS_KEY: _details(error.error_list)}
    return exceptions.ValidationError(detail)


def exception_handler(exc, context):
    if isinstance(exc, DjangoValidationError):
        exc = validation_error(exc)
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied(*exc.args)
    elif isinstance(exc, RequestDataTooBig):
        # Reading a body over DATA_UPLOAD_MAX_MEMORY_SIZE raises a SuspiciousOperation, which DRF leaves to
        # Django's HTML "Bad Request" page; an API client gets the JSON error every other refusal has.
        exc = RequestBodyTooLarge(limit=settings.DATA_UPLOAD_MAX_MEMORY_SIZE)
    elif isinstance(exc, exceptions.ValidationError) and not isinstance(exc.detail, dict):
        # `raise ValidationError("…")` outside a serializer: a bare list, which would be a third shape.
        exc = exceptions.ValidationError({api_settings.NON_FIELD_ERRORS_KEY: exc.detail})
    return drf_exception_handler(exc, context)
