"""Staff publish notices and post their updates here; every save goes through the services, so the Markdown is
rendered and sanitised and followers hear of each new update and of the resolution."""

from __future__ import annotations

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import Count, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from . import services
from .models import NoticeUpdate, ServiceNotice


class ResolvedFilter(admin.SimpleListFilter):
    title = _("state")
    parameter_name = "state"

    def lookups(self, request, model_admin):
        return [("open", _("Not resolved")), ("resolved", _("Resolved"))]

    def queryset(self, request, queryset):
        if self.value() == "open":
            return queryset.filter(resolved_at__isnull=True)
        if self.value() == "resolved":
            return queryset.filter(resolved_at__isnull=False)
        return queryset


class NoticeUpdateInline(admin.StackedInline):
    model = NoticeUpdate
    extra = 1
    fields = ("status", "body", "body_zh_hans", "created_at", "created_by")
    readonly_fields = ("created_at", "created_by")
    ordering = ("-created_at", "-pk")
    verbose_name = _("update")
    verbose_name_plural = _("updates (followers are e-mailed each new one)")

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        # Each update's author in the same query.
        return super().get_queryset(request).select_related("created_by")


@admin.register(ServiceNotice)
class ServiceNoticeAdmin(admin.ModelAdmin):
    list_display = ("title", "kind", "severity", "audience_shown", "product_version", "starts_at", "ends_at",
                    "resolved_at", "follower_count")  # fmt: skip
    list_filter = (ResolvedFilter, "kind", "severity", "audience")
    search_fields = ("title", "title_zh_hans")
    date_hierarchy = "starts_at"
    # The organisation and version named on every row.
    list_select_related = ("organisation", "product_version")
    autocomplete_fields = ("organisation",)
    readonly_fields = ("resolved_at", "created_by", "created_at", "updated_at")
    inlines = [NoticeUpdateInline]
    actions = ["resolve_selected"]
    fieldsets = (
        (None, {"fields": ("kind", "severity", "title", "title_zh_hans", "body", "body_zh_hans")}),
        (_("Who sees it"), {"fields": ("audience", "plan", "organisation", "product_version")}),
        (_("When"), {"fields": ("starts_at", "ends_at", "resolved_at")}),
        (_("Record"), {"fields": ("created_by", "created_at", "updated_at")}),
    )

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).annotate(follower_total=Count("follows"))

    @admin.display(description=_("audience"))
    def audience_shown(self, notice: ServiceNotice) -> str:
        if notice.plan:
            return f"{notice.get_audience_display()}: {notice.get_plan_display()}"
        if notice.organisation_id:
            return f"{notice.get_audience_display()}: {notice.organisation}"
        return notice.get_audience_display()

    @admin.display(description=_("followers"), ordering="follower_total")
    def follower_count(self, notice: ServiceNotice) -> int:
        return getattr(notice, "follower_total", 0)

    def save_model(self, request: HttpRequest, obj: ServiceNotice, form, change: bool) -> None:
        fields = {name: form.cleaned_data[name] for name in services.EDITABLE_FIELDS if name in form.cleaned_data}
        if change:
            changed = {name: value for name, value in fields.items() if name in form.changed_data}
            services.notice_edit(notice=obj, by=request.user, **changed)
            return
        notice = services.notice_publish(by=request.user, **fields)
        # The admin goes on with the object it built (its inlines hang on it): give it the saved row.
        for field in ServiceNotice._meta.concrete_fields:
            setattr(obj, field.attname, getattr(notice, field.attname))
        obj._state.adding, obj._state.db = False, notice._state.db

    def save_formset(self, request: HttpRequest, form, formset, change: bool) -> None:
        if formset.model is not NoticeUpdate:
            super().save_formset(request, form, formset, change)
            return
        updates = formset.save(commit=False)
        for update in formset.deleted_objects:
            update.delete()
        for update in updates:
            if update.pk is None:
                services.notice_add_update(
                    notice=form.instance,
                    body=update.body,
                    body_zh_hans=update.body_zh_hans,
                    status=update.status,
                    by=request.user,
                )
            else:
                services.notice_update_edit(
                    update=update, body=update.body, body_zh_hans=update.body_zh_hans, status=update.status
                )

    @admin.action(description=_("Resolve the selected notices (followers are e-mailed)"), permissions=["change"])
    def resolve_selected(self, request: HttpRequest, queryset: QuerySet) -> None:
        resolved = 0
        for notice in queryset:
            try:
                services.notice_resolve(notice=notice, by=request.user)
            except ValidationError:
                continue  # already resolved
            resolved += 1
        self.message_user(
            request,
            ngettext("%(count)d notice resolved.", "%(count)d notices resolved.", resolved) % {"count": resolved},
            messages.SUCCESS,
        )
