from django.contrib import admin, messages
from django.db import transaction
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from . import services
from .models import Delivery, State


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    """What waits to leave, and what failed: read-only, with a retry. Mail bodies are not shown, as they
    carry signed links (a guest's ticket link is the guest's credential)."""

    list_display = ["created_at", "kind", "summary", "state", "attempts", "due_at", "short_error"]
    list_filter = ["state", "kind"]
    search_fields = ["summary", "=uid"]
    date_hierarchy = "created_at"
    list_per_page = 50
    show_full_result_count = False
    actions = ["retry_now"]
    fields = [
        "uid", "kind", "summary", "state", "attempts", "due_at", "leased_until", "handed_over_at",
        "created_at", "delivered_at", "last_error",
    ]  # fmt: skip
    readonly_fields = fields

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def has_retry_permission(self, request) -> bool:
        return request.user.has_perm("outbox.retry_delivery")

    @admin.display(description=_("last error"))
    def short_error(self, delivery: Delivery) -> str:
        return delivery.last_error[:120]

    @admin.action(description=_("Retry the selected deliveries now"), permissions=["retry"])
    def retry_now(self, request, queryset) -> None:
        with transaction.atomic():
            count = services.retry(queryset.exclude(state=State.DELIVERED).values_list("pk", flat=True))
        self.message_user(
            request,
            ngettext("%(count)d delivery is being retried.", "%(count)d deliveries are being retried.", count)
            % {"count": count},
            messages.SUCCESS,
        )
