"""The support desk in the admin: configuration for managers; ticket changes go through the services."""

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from kbportal.accounts.admin import UserAdmin
from kbportal.accounts.models import User

from . import services
from .admin_scope import VisibleRowsMixin
from .jobs import refresh_all_due_times
from .models import (
    AgentAvailability,
    Event,
    FollowUpCase,
    FollowUpStage,
    Holiday,
    Message,
    Organisation,
    OrganisationMembership,
    ServiceCalendar,
    ServiceIndexWeights,
    SlaPolicy,
    SlaTarget,
    SurveyResponse,
    Ticket,
)


class MembershipInline(VisibleRowsMixin, admin.TabularInline):
    model = OrganisationMembership
    visible_through = "user"
    autocomplete_fields = ["user"]
    extra = 0


@admin.register(Organisation)
class OrganisationAdmin(VisibleRowsMixin, admin.ModelAdmin):
    visible_through = ""
    list_display = ["name", "plan", "time_zone", "created_at"]
    list_filter = ["plan"]
    search_fields = ["name"]
    inlines = [MembershipInline]

    def save_model(self, request, obj, form, change):
        new_plan = obj.plan
        if change and "plan" in form.changed_data:
            obj.plan = form.initial["plan"]
            obj.save()
            services.organisation_set_plan(organisation=obj, plan=new_plan, by=request.user)
        else:
            super().save_model(request, obj, form, change)


@admin.register(OrganisationMembership)
class OrganisationMembershipAdmin(VisibleRowsMixin, admin.ModelAdmin):
    visible_through = "user"
    list_display = ["user", "organisation", "is_admin", "joined_at"]
    list_filter = ["is_admin", "organisation__plan"]
    list_select_related = ["user", "organisation"]
    search_fields = ["user__email", "user__username", "organisation__name"]
    autocomplete_fields = ["user", "organisation"]


class HolidayInline(admin.TabularInline):
    model = Holiday
    extra = 1


@admin.register(ServiceCalendar)
class ServiceCalendarAdmin(admin.ModelAdmin):
    list_display = ["name", "always_open", "open_days", "opens_at", "closes_at", "default_time_zone"]
    search_fields = ["name"]
    inlines = [HolidayInline]

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        refreshed = refresh_all_due_times()
        self.message_user(request, _("Due times of %(count)d open tickets were recomputed.") % {"count": refreshed})


class SlaTargetInline(admin.TabularInline):
    model = SlaTarget
    extra = 0
    max_num = 4


@admin.register(SlaPolicy)
class SlaPolicyAdmin(admin.ModelAdmin):
    list_display = ["plan", "calendar", "warn_before_minutes", "raise_priority_on_breach"]
    list_select_related = ["calendar"]
    search_fields = ["plan"]
    inlines = [SlaTargetInline]

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        refreshed = refresh_all_due_times()
        self.message_user(request, _("Due times of %(count)d open tickets were recomputed.") % {"count": refreshed})


@admin.register(ServiceIndexWeights)
class ServiceIndexWeightsAdmin(admin.ModelAdmin):
    list_display = ["__str__", "response_speed", "resolution", "expertise", "attitude", "follow_up"]

    def has_add_permission(self, request) -> bool:
        return not ServiceIndexWeights.objects.exists() and super().has_add_permission(request)


class MessageInline(VisibleRowsMixin, admin.StackedInline):
    model = Message
    visible_through = "ticket"
    fields = ["author", "is_internal", "body", "created_at"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False


class EventInline(VisibleRowsMixin, admin.TabularInline):
    model = Event
    visible_through = "ticket"
    fields = ["created_at", "what", "actor", "why"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def get_queryset(self, request):
        # Each row names who made the change: one join, not a query per event.
        return super().get_queryset(request).select_related("actor")

    # The same words as the ticket's pages, in the reader's language (tickets.event_text).
    @admin.display(description=_("what happened"))
    def what(self, obj: Event) -> str:
        return obj.sentence

    @admin.display(description=_("reason"))
    def why(self, obj: Event) -> str:
        return obj.reason


class TicketAdminForm(forms.ModelForm):
    change_reason = forms.CharField(
        label=_("Reason for this change"),
        required=False,
        max_length=500,
        help_text=_("Required when the tier changes; kept in the ticket's history."),
    )

    class Meta:
        model = Ticket
        fields = ["subject", "priority", "status", "tier", "assignee", "category", "product_version"]

    def clean(self):
        data = super().clean()
        if "tier" in self.changed_data and not (data.get("change_reason") or "").strip():
            self.add_error("change_reason", _("Say why the ticket changes tier; the next agent reads it first."))
        return data


@admin.register(Ticket)
class TicketAdmin(VisibleRowsMixin, admin.ModelAdmin):
    """Managers' view of every ticket, agents' of their tiers'; priority, status, tier and assignee change through
    the services."""

    visible_through = ""
    form = TicketAdminForm
    list_display = ["reference_column", "subject", "status", "priority", "tier", "assignee", "organisation",
                    "channel", "resolution_due_at", "created_at"]  # fmt: skip
    # The organisation filter names only the organisations of the tickets listed: a customer's name is theirs.
    list_filter = ["status", "priority", "tier", "channel", "plan", ("organisation", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["subject", "requester_email", "requester__email", "organisation__name"]
    list_select_related = ["assignee", "organisation"]
    date_hierarchy = "created_at"
    autocomplete_fields = ["assignee", "category", "product_version"]
    readonly_fields = ["reference_column", "requester", "requester_email", "organisation", "plan", "channel",
                       "proposed_priority", "created_at", "first_response_at", "resolved_at",
                       "first_response_due_at", "resolution_due_at", "first_response_breached_at",
                       "resolution_breached_at", "workspace_link"]  # fmt: skip
    fieldsets = [
        (None, {"fields": ["reference_column", "workspace_link", "subject", "requester", "requester_email",
                           "organisation", "plan", "channel"]}),
        (_("Handling"), {"fields": ["priority", "proposed_priority", "status", "tier", "assignee", "change_reason",
                                    "category", "product_version"]}),
        (_("Service levels"), {"fields": ["created_at", "first_response_due_at", "first_response_at",
                                          "first_response_breached_at", "resolution_due_at", "resolved_at",
                                          "resolution_breached_at"]}),
    ]  # fmt: skip
    inlines = [MessageInline, EventInline]

    def get_search_results(self, request, queryset, search_term):
        from .models import reference_to_pk

        results, distinct = super().get_search_results(request, queryset, search_term)
        pk = reference_to_pk(search_term) if search_term else None
        return (results | queryset.filter(pk=pk), distinct) if pk else (results, distinct)

    @admin.display(description=_("reference"), ordering="pk")
    def reference_column(self, obj: Ticket) -> str:
        return obj.reference

    @admin.display(description=_("workspace"))
    def workspace_link(self, obj: Ticket) -> str:
        if not obj.pk:
            return "—"
        url = reverse("tickets:staff_detail", kwargs={"reference": obj.reference})
        return format_html('<a href="{}">{}</a>', url, _("Open in the agent workspace"))

    def has_add_permission(self, request) -> bool:
        return False  # tickets come from customers, the API, the community and e-mail

    def save_model(self, request, obj, form, change):
        reason = form.cleaned_data.get("change_reason", "")
        stored = Ticket.objects.get(pk=obj.pk)
        Ticket.objects.filter(pk=obj.pk).update(
            subject=obj.subject, category=obj.category, product_version=obj.product_version
        )
        handlers = {
            "priority": lambda: services.ticket_set_priority(ticket=stored, priority=obj.priority, by=request.user,
                                                             reason=reason),
            "status": lambda: services.ticket_set_status(ticket=stored, status=obj.status, by=request.user,
                                                         reason=reason),
            "tier": lambda: services.ticket_escalate(ticket=stored, to_tier=obj.tier, reason=reason, by=request.user),
            "assignee": lambda: services.ticket_assign(ticket=stored, assignee=obj.assignee, by=request.user,
                                                       reason=reason),
        }  # fmt: skip
        for field, handler in handlers.items():
            if field in form.changed_data:
                try:
                    handler()
                except ValidationError as error:
                    self.message_user(request, " ".join(error.messages), level="error")


@admin.register(SurveyResponse)
class SurveyResponseAdmin(VisibleRowsMixin, admin.ModelAdmin):
    visible_through = "ticket"
    list_display = ["ticket", "csat", "service_index", "ces", "nps", "flagged", "created_at"]
    list_filter = ["csat", "ces", "flagged"]
    search_fields = ["comment", "ticket__subject"]
    list_select_related = ["ticket"]
    date_hierarchy = "created_at"
    readonly_fields = ["ticket", "respondent", "csat", "response_speed", "resolution", "expertise", "attitude",
                       "follow_up", "service_index", "ces", "nps", "comment", "created_at", "updated_at"]  # fmt: skip
    fields = [*readonly_fields, "flagged"]

    def has_add_permission(self, request) -> bool:
        return False


class FollowUpStageInline(VisibleRowsMixin, admin.TabularInline):
    model = FollowUpStage
    visible_through = "case__ticket"
    fields = ["kind", "owner", "due_date", "note", "done_at"]
    readonly_fields = ["kind"]
    autocomplete_fields = ["owner"]
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(FollowUpCase)
class FollowUpCaseAdmin(VisibleRowsMixin, admin.ModelAdmin):
    """The closed loop: every low score gets a remedy, a review and an improvement, each owned and dated."""

    visible_through = "ticket"
    list_display = ["ticket", "trigger", "status", "opened_at", "closed_at"]
    list_filter = ["status"]
    list_select_related = ["ticket"]
    search_fields = ["ticket__subject", "trigger"]
    readonly_fields = ["ticket", "trigger", "opened_at", "closed_at", "survey_summary"]
    fields = ["ticket", "survey_summary", "trigger", "status", "opened_at", "closed_at"]
    inlines = [FollowUpStageInline]

    @admin.display(description=_("survey"))
    def survey_summary(self, obj: FollowUpCase) -> str:
        response = getattr(obj.ticket, "survey_response", None)
        if response is None:
            return "—"
        return format_html(
            "CSAT {} · CES {} · NPS {} · {}", response.csat, response.ces, response.nps if response.nps is not None
            else "—", response.comment or "",
        )  # fmt: skip

    def has_add_permission(self, request) -> bool:
        return False


@admin.register(AgentAvailability)
class AgentAvailabilityAdmin(admin.ModelAdmin):
    list_display = ["user", "is_away", "changed_at"]
    list_filter = ["is_away"]
    list_select_related = ["user"]
    search_fields = ["user__username", "user__display_name"]
    autocomplete_fields = ["user"]


# The accounts app sits below the support desk and cannot know who asked what; the desk narrows its account list
# to the rule of users_visible_to (colleagues, and the requesters of the tickets one sees).
admin.site.unregister(User)


@admin.register(User)
class DeskUserAdmin(VisibleRowsMixin, UserAdmin):
    visible_through = ""
