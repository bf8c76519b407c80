from django.contrib import admin

from .models import Organisation, OrganisationMembership


class MembershipInline(admin.TabularInline):
    model = OrganisationMembership
    autocomplete_fields = ["user"]
    extra = 0


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "plan", "time_zone", "created_at"]
    list_filter = ["plan"]
    search_fields = ["name"]
    inlines = [MembershipInline]


@admin.register(OrganisationMembership)
class OrganisationMembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "organisation", "is_admin", "joined_at"]
    list_filter = ["is_admin", "organisation__plan"]
    list_select_related = ["user", "organisation"]
    search_fields = ["user__email", "user__username", "organisation__name"]
    autocomplete_fields = ["user", "organisation"]
