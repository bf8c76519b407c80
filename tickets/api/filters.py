import django_filters

from ..models import Channel, Priority, Status, Ticket, Tier


class TicketFilterSet(django_filters.FilterSet):
    status = django_filters.MultipleChoiceFilter(choices=Status.choices)
    priority = django_filters.MultipleChoiceFilter(choices=Priority.choices)
    tier = django_filters.MultipleChoiceFilter(choices=Tier.choices)
    channel = django_filters.ChoiceFilter(choices=Channel.choices)
    breached = django_filters.BooleanFilter(method="filter_breached")

    class Meta:
        model = Ticket
        fields = ["status", "priority", "tier", "channel", "organisation", "assignee", "breached"]

    def filter_breached(self, queryset, name, value):
        breached = queryset.filter(first_response_breached_at__isnull=False) | queryset.filter(
            resolution_breached_at__isnull=False
        )
        return breached if value else queryset.exclude(pk__in=breached.values("pk"))
