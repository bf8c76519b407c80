from django.contrib.auth import authenticate
from django.contrib.auth.signals import user_login_failed
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from .. import services, two_factor
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
        if two_factor.user_requires_second_factor(user):
            self._check_second_factor(user=user, code=attrs.get("otp", ""), username=attrs["username"])
        attrs["user"] = user
        return attrs

    def _check_second_factor(self, *, user, code: str, username: str) -> None:
        """The same second step as the sign-in page: the authenticator's code or a recovery code, throttled.

        Staff who must use two factors but have not set them up get no token until they do, on the website.
        """
        request = self.context["request"]._request
        if not two_factor.user_has_second_factor(user):
            raise serializers.ValidationError(
                {"otp": _("This account must sign in with two factors. Set them up on the website first.")},
                code="otp_setup_required",
            )
        if not code.strip():
            raise serializers.ValidationError(
                {"otp": _("This account signs in with two factors. Send the code from its authenticator app.")},
                code="otp_required",
            )
        check = two_factor.second_factor_check(user=user, code=code)
        if not check.accepted:
            # A wrong code counts as a failed sign-in, so guessing codes meets the same lockout.
            user_login_failed.send(sender=__name__, credentials={"username": username}, request=request)
            raise serializers.ValidationError({"otp": two_factor.second_factor_error(check)}, code="otp_invalid")

    def create(self, validated_data: dict) -> tuple[ApiToken, str]:
        # Too many tokens: the service's ValidationError answers 400 under non_field_errors (the API's handler).
        return services.api_token_create(user=validated_data["user"], name=validated_data.get("name", ""))


class ApiTokenCreatedSerializer(serializers.Serializer):
    token = serializers.CharField(help_text=_("The secret. It is shown this once: only a hash of it is stored."))
    expiry = serializers.DateTimeField(allow_null=True, help_text=_("When the token stops working."))
    name = serializers.CharField()
