from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django_otp.plugins.otp_static.admin import StaticDeviceAdmin
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.admin import TOTPDeviceAdmin
from django_otp.plugins.otp_totp.models import TOTPDevice

from .models import ApiToken, User
from .two_factor import RESET_PERMISSIONS, two_factor_reset


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = ["username", "email", "display_name", "is_staff", "is_active", "date_joined"]
    list_filter = ["is_staff", "is_active", "groups"]
    search_fields = ["username", "email", "display_name", "first_name", "last_name"]
    fieldsets = [
        *DjangoUserAdmin.fieldsets[:1],
        (_("Personal info"), {"fields": ["display_name", "first_name", "last_name", "email"]}),
        *DjangoUserAdmin.fieldsets[2:],
    ]

    actions = ["reset_two_factor"]

    def get_queryset(self, request):
        # The roles column filter and the groups panel read groups; avoid a query per row.
        return super().get_queryset(request).prefetch_related("groups")

    @admin.action(description=_("Reset two-factor authentication (lost phone)"), permissions=["reset_two_factor"])
    def reset_two_factor(self, request, queryset) -> None:
        reset = 0
        for user in queryset:
            try:
                removed = two_factor_reset(user=user, by=request.user)
            except PermissionDenied as error:
                self.message_user(request, f"{user}: {error}", messages.WARNING)
                continue
            if removed:
                reset += 1
                self.log_change(request, user, "Reset two-factor authentication.")
        message = ngettext(
            "Two-factor authentication was reset for %(count)d user: they set it up again when they next sign in.",
            "Two-factor authentication was reset for %(count)d users: they set it up again when they next sign in.",
            reset,
        )
        self.message_user(request, message % {"count": reset}, messages.SUCCESS)

    def has_reset_two_factor_permission(self, request) -> bool:
        return request.user.has_perms(RESET_PERMISSIONS)


# --- Two-factor devices ------------------------------------------------------------------------------


class ResetOnlyDeviceAdmin:
    """Staff never add or edit a user's device (they would know its key) and never see keys or recovery codes
    (OTP_ADMIN_HIDE_SENSITIVE_DATA). They list devices and delete them, which resets a lost phone; deleting
    needs the permission support managers hold, and only a superuser touches a superuser's devices.
    """

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        # The rule of two_factor.user_may_reset_two_factor, for whole lists (bulk delete included).
        return queryset if request.user.is_superuser else queryset.filter(user__is_superuser=False)


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Staff may see and revoke (delete) tokens, never make one: its secret would be shown to them."""

    list_display = ["__str__", "user", "created", "expiry", "last_used"]
    list_select_related = ["user"]
    search_fields = ["name", "user__username", "user__email"]
    raw_id_fields = ["user"]
    fields = ["name", "user", "created", "expiry", "last_used"]
    readonly_fields = fields

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


admin.site.unregister(TOTPDevice)
admin.site.unregister(StaticDevice)


@admin.register(TOTPDevice)
class PortalTOTPDeviceAdmin(ResetOnlyDeviceAdmin, TOTPDeviceAdmin):
    pass


@admin.register(StaticDevice)
class PortalStaticDeviceAdmin(ResetOnlyDeviceAdmin, StaticDeviceAdmin):
    pass
