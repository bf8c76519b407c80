"""Two-factor authentication: an authenticator app (TOTP) as the second factor, ten one-use recovery codes
as the fallback.

django-otp keeps the devices (one confirmed TOTPDevice, one StaticDevice holding the recovery codes) and
throttles wrong codes per device with an exponential back-off (1, 2, 4, 8 … seconds). This module is the
portal's whole use of it, so the sign-in step, the account page, the enforcement middleware, the admin and
the API token endpoint all ask the same questions:

- `user_requires_second_factor(user)`: a password alone does not sign this user in;
- `second_factor_check(user=…, code=…)`: whether the code is right (a recovery code is then used up),
  or when the throttle allows the next try.
"""

from base64 import b32encode
from dataclasses import dataclass
from datetime import datetime

import django_otp
import segno
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from .models import User

RECOVERY_CODE_COUNT = 10
# Device names are for the admin's lists; users never see them.
AUTHENTICATOR_NAME = "Authenticator app"
RECOVERY_CODES_NAME = "Recovery codes"
# The permissions that let staff remove another user's devices (a lost phone); support managers hold them.
RESET_PERMISSIONS = ("otp_totp.delete_totpdevice", "otp_static.delete_staticdevice")


@dataclass(frozen=True)
class SecondFactorCheck:
    """The outcome of checking a code: the device that accepted it, or when the next try is allowed."""

    device: Device | None = None
    retry_at: datetime | None = None

    @property
    def accepted(self) -> bool:
        return self.device is not None


# --- Questions --------------------------------------------------------------------------------


def user_must_use_second_factor(user: User) -> bool:
    """Staff (and superusers) must sign in with a second factor while KBPORTAL_STAFF_REQUIRE_2FA is on."""
    return bool(settings.KBPORTAL_STAFF_REQUIRE_2FA and user.is_authenticated and (user.is_staff or user.is_superuser))


def user_has_second_factor(user: User) -> bool:
    """The user set up two-factor authentication (a confirmed authenticator or recovery codes)."""
    return django_otp.user_has_device(user, confirmed=True)


def user_requires_second_factor(user: User) -> bool:
    """A password alone does not sign this user in: they set up a second factor, or they must have one.

    For every way in (the sign-in page, API tokens). Where the user must but has none yet,
    `second_factor_check` accepts no code, so they set it up on the website first.
    """
    return user_has_second_factor(user) or user_must_use_second_factor(user)


def user_authenticator(user: User) -> TOTPDevice | None:
    """The user's confirmed authenticator app, if any."""
    return TOTPDevice.objects.devices_for_user(user, confirmed=True).order_by("pk").first()


def recovery_codes_left(user: User) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


def user_may_reset_two_factor(*, by: User, user: User) -> bool:
    """Support managers and superusers may remove another user's devices; only a superuser a superuser's."""
    return by.has_perms(RESET_PERMISSIONS) and (by.is_superuser or not user.is_superuser)


# --- Checking codes -----------------------------------------------------------------------------


def _normalised(code: str) -> str:
    # Apps show "123 456", recovery codes are printed "abcd-efgh"; people type them either way.
    return "".join(code.split()).replace("-", "").lower()


def _verify_on(device: Device, code: str) -> SecondFactorCheck:
    """Check a code against one device, the row locked so two requests cannot both use one code.

    Its own transaction on purpose: a wrong code's failure count must be saved whatever the caller does next.
    """
    with transaction.atomic():
        device = type(device).objects.select_for_update().get(pk=device.pk)
        allowed, details = device.verify_is_allowed()
        if not allowed:
            # Throttled: not even a right code counts until the back-off has passed.
            return SecondFactorCheck(retry_at=(details or {}).get("locked_until"))
        if device.verify_token(code):
            return SecondFactorCheck(device=device)
    return SecondFactorCheck()


def second_factor_check(*, user: User, code: str) -> SecondFactorCheck:
    """Check a code from the user's authenticator app, or one of their recovery codes (which is used up).

    Digits go to the app, anything else (recovery codes have letters and are eight long) to the recovery
    codes, so a wrong guess counts against one device's throttle only.
    """
    code = _normalised(code)
    model = TOTPDevice if code.isdigit() and len(code) <= 6 else StaticDevice
    retry_at = None
    for device in model.objects.devices_for_user(user, confirmed=True).order_by("pk"):
        check = _verify_on(device, code)
        if check.accepted:
            return check
        retry_at = check.retry_at or retry_at
    return SecondFactorCheck(retry_at=retry_at)


def second_factor_error(check: SecondFactorCheck) -> str:
    """The message for a refused code: wait for the back-off, or check the code."""
    if check.retry_at is not None:
        seconds = max(1, int((check.retry_at - timezone.now()).total_seconds() + 0.999))
        return ngettext(
            "Too many wrong codes. Wait %(seconds)d second, then try again.",
            "Too many wrong codes. Wait %(seconds)d seconds, then try again.",
            seconds,
        ) % {"seconds": seconds}
    return _(
        "That code is not right. Type the 6-digit code your authenticator app shows now, or one of your recovery codes."
    )


# --- Setting up and the QR code -----------------------------------------------------------------


def authenticator_secret(device: TOTPDevice) -> str:
    """The key in base32, in groups of four, for typing into an app by hand."""
    secret = b32encode(device.bin_key).decode()
    return " ".join(secret[index : index + 4] for index in range(0, len(secret), 4))


def authenticator_qr_svg(device: TOTPDevice) -> str:
    """The app's setup link as inline SVG: no image request, no script, no style attribute (CSP)."""
    return segno.make(device.config_url, error="m").svg_inline(
        scale=4, border=2, omitsize=True, svgclass="qr-code", lineclass=None, light="#fff", title=_("QR code")
    )


def two_factor_setup_start(*, user: User) -> TOTPDevice:
    """The user's authenticator waiting to be confirmed, created on the first call: the same key until then."""
    device = TOTPDevice.objects.devices_for_user(user, confirmed=False).order_by("pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=AUTHENTICATOR_NAME, confirmed=False)
    return device


def two_factor_enable(*, user: User, code: str) -> tuple[TOTPDevice, list[str]]:
    """Confirm the authenticator from `two_factor_setup_start` with a code it shows; return it and new
    recovery codes (shown once).

    Raises ValidationError for a wrong code, after counting the failure against the device's throttle.
    """
    pending = TOTPDevice.objects.devices_for_user(user, confirmed=False).order_by("pk").first()
    if pending is None:
        raise ValidationError(_("Two-factor authentication is on already for this account."))
    check = _verify_on(pending, _normalised(code))
    if check.retry_at is not None:
        raise ValidationError(second_factor_error(check))
    if not check.accepted:
        raise ValidationError(
            _("That code is not right. Type the code the app shows now; if it keeps failing, check the phone's clock.")
        )
    device = check.device
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        return device, _recovery_codes_replace(user=user)


def two_factor_recovery_codes_regenerate(*, user: User, code: str) -> list[str]:
    """Replace the user's recovery codes (the old ones stop working), given a current code."""
    check = second_factor_check(user=user, code=code)
    if not check.accepted:
        raise ValidationError({"code": second_factor_error(check)})
    with transaction.atomic():
        return _recovery_codes_replace(user=user)


def two_factor_disable(*, user: User, password: str, code: str) -> None:
    """Turn two-factor authentication off, given the password and a current code.

    Raises ValidationError while it is required for the user (staff with KBPORTAL_STAFF_REQUIRE_2FA on).
    """
    if user_must_use_second_factor(user):
        raise ValidationError(_("Staff accounts must keep two-factor authentication on."))
    # The code first: its throttle keeps a borrowed session from guessing the password here.
    check = second_factor_check(user=user, code=code)
    if not check.accepted:
        raise ValidationError({"code": second_factor_error(check)})
    if not user.check_password(password):
        raise ValidationError({"password": _("That password is not right. Type your current password.")})
    _devices_delete(user=user)


def two_factor_reset(*, user: User, by: User) -> int:
    """Remove a user's authenticator and recovery codes (a lost phone) so they set it up again at the next
    sign-in; return the number of devices removed. For support managers and superusers.
    """
    if not user_may_reset_two_factor(by=by, user=user):
        raise PermissionDenied(_("Only support managers and superusers may reset two-factor authentication."))
    return _devices_delete(user=user)


@transaction.atomic
def _devices_delete(*, user: User) -> int:
    devices = [TOTPDevice.objects.filter(user=user), StaticDevice.objects.filter(user=user)]
    # Count devices, not the recovery codes that go with them.
    removed = sum(queryset.count() for queryset in devices)
    for queryset in devices:
        queryset.delete()
    return removed


def _recovery_codes_replace(*, user: User) -> list[str]:
    """Call inside a transaction: the old codes go, ten new ones come."""
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name=RECOVERY_CODES_NAME, confirmed=True)
    codes = [StaticToken.random_token() for _index in range(RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes
