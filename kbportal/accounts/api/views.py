"""The token endpoint: make a token with the sign-in credentials, revoke the one a request is signed with."""

from django.contrib.auth.signals import user_logged_in
from django.utils.decorators import method_decorator
from django.utils.translation import gettext_lazy as _
from django.views.decorators.debug import sensitive_post_parameters
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.permissions import AllowAny, BasePermission
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from .. import services
from ..models import ApiToken
from . import serializers


class SignedWithApiToken(BasePermission):
    message = _(
        "Sign this request with the token to revoke (Authorization: Token …). Tokens are also revoked on the "
        "account page."
    )

    def has_permission(self, request, view) -> bool:
        return isinstance(request.auth, ApiToken)


@method_decorator(sensitive_post_parameters("password", "otp"), name="dispatch")
class ApiTokenView(APIView):
    def get_authenticators(self):
        # The credentials are in the body: a stale token a client still sends must not stop it getting a new one.
        # (The schema generator asks once before the view has a request.)
        if getattr(self.request, "method", None) == "POST":
            return []
        return super().get_authenticators()

    def get_permissions(self):
        if self.request.method == "POST":
            return [AllowAny()]
        return [SignedWithApiToken()]

    @extend_schema(
        operation_id="auth_token_create",
        request=serializers.ApiTokenCreateSerializer,
        responses={
            201: serializers.ApiTokenCreatedSerializer,
            400: OpenApiResponse(description="Wrong credentials, a missing or wrong second factor, or too many tokens"),
            # The sign-in lockout (kbportal/security/lockout.py), with Retry-After; the body is the API's Error.
            429: OpenApiResponse(description="Too many failed sign-in attempts: signing in is paused for a while"),
        },
    )
    def post(self, request: Request) -> Response:
        """Make an API token with the sign-in credentials (and the two-factor code, when the account has one).

        Send it as `Authorization: Token <token>`. It works until `expiry` and is shown only in this response.
        """
        serializer = serializers.ApiTokenCreateSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        token, secret = serializer.save()
        # As a sign-in: the last sign-in date moves and the lockout clears its count of failures.
        user = serializer.validated_data["user"]
        user_logged_in.send(sender=user.__class__, request=request._request, user=user)
        data = serializers.ApiTokenCreatedSerializer({"token": secret, "expiry": token.expiry, "name": token.name}).data
        # A credential: no cache along the way may keep the response.
        return Response(data, status=status.HTTP_201_CREATED, headers={"Cache-Control": "no-store"})

    @extend_schema(
        operation_id="auth_token_revoke",
        # Only a token revokes itself: a browser session revokes tokens on the account page.
        auth=[{"tokenAuth": []}],
        request=None,
        responses={204: None},
    )
    def delete(self, request: Request) -> Response:
        """Revoke the token this request is signed with."""
        services.api_token_revoke(token=request.auth)
        return Response(status=status.HTTP_204_NO_CONTENT)
