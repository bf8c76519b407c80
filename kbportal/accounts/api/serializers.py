import django_otp
from django.contrib.auth import authenticate
from django.contrib.auth.signals import user_login_failed
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers
from rest_framework.settings import api_settings

from .. import services
from ..forms import SignInForm
from ..models import ApiToken


class ApiTokenCreateSerializer(serializers.Serializer):
    """The sign-in form's credentials, and the second factor when the account has one."""

    username = serializers.CharField(label=_("E-mail address or username"), max_length=254)
    password = serializers.CharField(label=_("Password"), style={"input_type": "password"}, trim_whitespace=False)
    name = serializers.CharField(
        label=_("Token name"),
        max_length=ApiToken._meta.get_field("name").max_length,
        required=False,
        allow_blank=True,
        help_text=_("What the token is for, such as a script or a device; shown on the account page."),
    )
    otp = serializers.CharField(
        label=_("Authentication code"),
        max_length=16,
        required=False,
        allow_blank=True,
        help_text=_("The code from the authenticator app, or a recovery code, when two-factor sign-in is on."),
    )

    def validate(self, attrs: dict) -> dict:
        request = self.context["request"]
        # Through authenticate() and the Django request, so the sign-in lockout counts and refuses these tries.
        user = authenticate(request=request._request, username=attrs["username"], password=attrs["password"])
        if user is None:
            # non_field_errors, as DRF's token endpoint answered: which of the two is wrong stays unsaid.
            raise serializers.ValidationError(SignInForm.error_messages["invalid_login"], code="authorization")
        if django_otp.user_has_device(user, confirmed=True):
            code = attrs.get("otp", "").strip()
            if not code:
                raise serializers.ValidationError(
                    {"otp": _("This account signs in with two factors. Send the code from its authenticator app.")},
                    code="otp_required",
                )
            if django_otp.match_token(user, code) is None:
                # A wrong code counts as a failed sign-in, so guessing codes meets the same lockout.
                user_login_failed.send(
                    sender=__name__, credentials={"username": attrs["username"]}, request=request._request
                )
                raise serializers.ValidationError(
                    {"otp": _("That code is wrong or has expired. Send the current code from the authenticator app.")},
                    code="otp_invalid",
                )
        attrs["user"] = user
        return attrs

    def create(self, validated_data: dict) -> tuple[ApiToken, str]:
        try:
            return services.api_token_create(user=validated_data["user"], name=validated_data.get("name", ""))
        except DjangoValidationError as error:
            raise serializers.ValidationError({api_settings.NON_FIELD_ERRORS_KEY: error.messages}) from error


class ApiTokenCreatedSerializer(serializers.Serializer):
    token = serializers.CharField(help_text=_("The secret. It is shown this once: only a hash of it is stored."))
    expiry = serializers.DateTimeField(allow_null=True, help_text=_("When the token stops working."))
    name = serializers.CharField()
