"""OpenAPI descriptions of the project's own API classes (drf-spectacular finds the extensions once imported).

`AutoSchema` (REST_FRAMEWORK["DEFAULT_SCHEMA_CLASS"]) adds to every operation the error responses it can give,
in the one shape of the exception handler (kbportal/api/exceptions.py): two components, `ValidationError`
(400: messages by field and under `non_field_errors`) and `Error` (`{"detail": "…"}` for every other refusal).
"""

from drf_spectacular import openapi
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.plumbing import ResolvedComponent, build_bearer_security_scheme_object
from knox.settings import knox_settings
from rest_framework import exceptions
from rest_framework.permissions import SAFE_METHODS, AllowAny, IsAuthenticatedOrReadOnly
from rest_framework.settings import api_settings


class ApiTokenScheme(OpenApiAuthenticationExtension):
    target_class = "kbportal.api.authentication.ApiTokenAuthentication"
    name = "tokenAuth"

    def get_security_definition(self, auto_schema):
        return build_bearer_security_scheme_object(
            header_name="Authorization", token_prefix=knox_settings.AUTH_HEADER_PREFIX
        )


_MESSAGES = {"type": "array", "items": {"type": "string"}}

VALIDATION_ERROR = ResolvedComponent(
    name="ValidationError",
    type=ResolvedComponent.SCHEMA,
    object=exceptions.ValidationError,
    schema={
        "type": "object",
        "description": (
            "The submitted data was refused. Each key is the name of a field (of the body, or of the query for "
            f"filters) with its messages; `{api_settings.NON_FIELD_ERRORS_KEY}` holds the messages about the "
            "request as a whole. A nested field has an object (or a list of objects, one per item) of the same shape."
        ),
        "properties": {api_settings.NON_FIELD_ERRORS_KEY: _MESSAGES},
        "additionalProperties": {
            "anyOf": [_MESSAGES, {"type": "object"}, {"type": "array", "items": {"type": "object"}}]
        },
        "example": {"body": ["An answer needs at least 10 characters."]},
    },
)
ERROR = ResolvedComponent(
    name="Error",
    type=ResolvedComponent.SCHEMA,
    object=exceptions.APIException,
    schema={
        "type": "object",
        "description": "A refusal that is not about one field: `detail` says what happened and what to do.",
        "properties": {"detail": {"type": "string"}},
        "required": ["detail"],
        "example": {"detail": "You do not have permission to perform this action."},
    },
)

BODY_METHODS = {"POST", "PUT", "PATCH"}
PAGING = {"page", "page_size", "ordering"}
RETRY_AFTER = {"Retry-After": {"description": "Seconds to wait.", "schema": {"type": "integer"}}}


class AutoSchema(openapi.AutoSchema):
    """drf-spectacular's AutoSchema, with the 4xx responses each operation can give.

    - 400 for a write (a service may refuse it; a body may not be JSON) and for query parameters;
    - 401 where a token is read (an unknown, expired or revoked one is refused with a challenge);
    - 403 wherever a permission may refuse the caller (DRF answers 403, not 401, to a request without
      credentials), and for a write by a signed-in caller (a service may refuse it; a browser session
      needs its CSRF token);
    - 404 for a path naming an object (absent, or not visible to the caller) and for a page past the last;
    - 413 for a body over the size limit; 429 where a rate limit applies, with Retry-After.

    A response the operation declares itself keeps its description; it gets the error body when it has none.
    """

    def get_operation(self, *args, **kwargs):
        operation = super().get_operation(*args, **kwargs)
        if operation is None:
            return None
        self.registry.register_on_missing(VALIDATION_ERROR)
        self.registry.register_on_missing(ERROR)
        responses = operation["responses"]
        errors = self._error_responses(operation)
        for code in sorted({*errors, *(code for code in responses if code.startswith("4"))}):
            description, schema, headers = errors.get(code, ("", ERROR.ref, RETRY_AFTER if code == "429" else {}))
            response = responses.setdefault(code, {"description": description})
            response.setdefault("content", {"application/json": {"schema": schema}})
            if headers:
                response.setdefault("headers", headers)
        operation["responses"] = dict(sorted(responses.items()))
        return operation

    def _error_responses(self, operation: dict) -> dict[str, tuple[str, dict, dict]]:
        writes = self.method in BODY_METHODS
        body = "requestBody" in operation
        # Filters are checked (a bad value is a 400); an unknown ordering is ignored, a bad page is a 404.
        filters = [p for p in operation.get("parameters", ()) if p["in"] == "query" and p["name"] not in PAGING]
        authenticated = bool(self.view.get_authenticators())
        errors: dict[str, tuple[str, dict, dict]] = {}
        if writes or filters:
            schema = {"oneOf": [VALIDATION_ERROR.ref, ERROR.ref]} if body else VALIDATION_ERROR.ref
            errors["400"] = ("The request was refused: see the messages.", schema, {})
        if authenticated:
            errors["401"] = (
                "The token was refused (unknown, expired or revoked): make a new one.",
                ERROR.ref,
                {"WWW-Authenticate": {"schema": {"type": "string"}}},
            )
        may_refuse = not all(self._never_refuses(permission) for permission in self.view.get_permissions())
        if may_refuse or (authenticated and self.method not in SAFE_METHODS):
            errors["403"] = ("Not allowed: sign in, or this account may not do this.", ERROR.ref, {})
        if "{" in self.path or (self._is_list_view() and self._get_paginator() is not None):
            errors["404"] = ("Not found, or not visible to this caller.", ERROR.ref, {})
        if body:
            errors["413"] = ("The request body is too large.", ERROR.ref, {})
        if self.view.get_throttles():
            errors["429"] = (
                "Too many requests: try again after the number of seconds in Retry-After.",
                ERROR.ref,
                RETRY_AFTER,
            )
        return errors

    def _never_refuses(self, permission) -> bool:
        return isinstance(permission, AllowAny) or (
            isinstance(permission, IsAuthenticatedOrReadOnly) and self.method in SAFE_METHODS
        )
