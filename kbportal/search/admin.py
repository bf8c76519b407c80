from django.contrib import admin

from .models import SynonymGroup


@admin.register(SynonymGroup)
class SynonymGroupAdmin(admin.ModelAdmin):
    """Words customers use for the same thing. A change applies to the next search: queries are expanded, not pages."""

    list_display = ["__str__", "one_way", "note", "updated_at"]
    list_filter = ["one_way"]
    search_fields = ["phrases", "note"]
    fields = ["phrases", "one_way", "note"]
