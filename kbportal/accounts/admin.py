from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _

from .models import ApiToken, User


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

    def get_queryset(self, request):
        # The roles column filter and the groups panel read groups; avoid a query per row.
        return super().get_queryset(request).prefetch_related("groups")


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
