"""The ticket filters, written once: the staff queue page and the tickets API read the same FilterSet, so a
filter gives the same tickets on both channels (tests/tickets/test_ticket_filters.py)."""

import functools
from collections.abc import Iterable, Sequence
from datetime import timedelta

import django_filters
from django import forms
from django.db.models import Q
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from .models import Channel, Organisation, Priority, Status, Ticket, Tier, reference_to_pk
from .querysets import TicketQuerySet

# "Due soon" in the queue: the filter and the row's badge.
DUE_SOON = timedelta(hours=2)


class AgentChoiceField(forms.ChoiceField):
    """ "me", "none" or a user's id. The list offers the agents of the caller's tiers; any id is accepted, as the
    tickets are scoped to the caller first (an agent outside them simply matches nothing)."""

    def valid_value(self, value: str) -> bool:
        return value in ("me", "none") or value.isdigit()


class AgentFilter(django_filters.Filter):
    field_class = AgentChoiceField


class IdFilter(django_filters.NumberFilter):
    """A row's id: a whole number. NumberFilter's decimal would let "1.5" through, truncated to organisation 1."""

    field_class = forms.IntegerField


class TicketFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Reference or subject"), method="filter_q", max_length=100)
    status = django_filters.MultipleChoiceFilter(
        label=_("Status"), choices=Status.choices, distinct=False, widget=forms.CheckboxSelectMultiple
    )
    priority = django_filters.TypedMultipleChoiceFilter(
        label=_("Priority"), choices=Priority.choices, coerce=int, distinct=False, widget=forms.CheckboxSelectMultiple
    )
    tier = django_filters.TypedMultipleChoiceFilter(
        label=_("Tier"), choices=Tier.choices, coerce=int, distinct=False, widget=forms.CheckboxSelectMultiple
    )
    sla = django_filters.ChoiceFilter(
        label=_("SLA"),
        choices=[("breached", _("Breached")), ("due-soon", _("Due within 2 hours")), ("paused", _("Paused"))],
        empty_label=_("Any"),
        method="filter_sla",
    )
    breached = django_filters.BooleanFilter(method="filter_breached")
    assignee = AgentFilter(label=_("Assignee"), method="filter_assignee")
    # The id is the rule; the list of names shown on the page is only the caller's (their names are customer data).
    organisation = IdFilter(label=_("Organisation"), field_name="organisation", widget=forms.Select)
    channel = django_filters.ChoiceFilter(choices=Channel.choices)

    class Meta:
        model = Ticket
        fields: Sequence[str] = []

    def __init__(
        self,
        data=None,
        queryset: TicketQuerySet | None = None,
        *,
        request: HttpRequest | None = None,
        prefix: str | None = None,
        agents: Iterable | None = None,
        default_statuses: Sequence[str] = (),
    ) -> None:
        """`agents`: whom the assignee list offers (evaluated only when the form is drawn);
        `default_statuses`: the statuses shown when none is chosen (the queue opens on the tickets that need work;
        the API lists every status)."""
        super().__init__(data, queryset, request=request, prefix=prefix)
        self.default_statuses = list(default_statuses)
        user = getattr(request, "user", None)
        # Read once, when the page draws the form, and never when the API filters.
        self.filters["assignee"].extra["choices"] = functools.cache(
            lambda: [
                ("", _("Anyone")), ("me", _("Me")), ("none", _("Unassigned")),
                *((str(agent.pk), agent.public_name) for agent in agents or ()),
            ]
        )  # fmt: skip
        organisations = Organisation.objects.visible_to(user) if user else Organisation.objects.none()
        self.filters["organisation"].extra["widget"] = forms.Select(
            choices=functools.cache(lambda: [("", _("Any")), *organisations.values_list("pk", "name")])
        )

    def filter_queryset(self, queryset: TicketQuerySet) -> TicketQuerySet:
        queryset = super().filter_queryset(queryset)
        if self.default_statuses and not self.form.cleaned_data.get("status"):
            queryset = queryset.filter(status__in=self.default_statuses)
        return queryset

    def filter_q(self, queryset: TicketQuerySet, name: str, value: str) -> TicketQuerySet:
        pk = reference_to_pk(value)
        matches = Q(subject__icontains=value)
        return queryset.filter(Q(pk=pk) | matches if pk else matches)

    def filter_sla(self, queryset: TicketQuerySet, name: str, value: str) -> TicketQuerySet:
        if value == "breached":
            return queryset.breached()
        if value == "due-soon":
            return queryset.due_within(DUE_SOON)
        return queryset.paused()

    def filter_breached(self, queryset: TicketQuerySet, name: str, value: bool) -> TicketQuerySet:
        return queryset.breached() if value else queryset.unbreached()

    def filter_assignee(self, queryset: TicketQuerySet, name: str, value: str) -> TicketQuerySet:
        if value == "none":
            return queryset.filter(assignee__isnull=True)
        if value == "me":
            user = getattr(self.request, "user", None)
            return queryset.filter(assignee=user) if user and user.is_authenticated else queryset.none()
        return queryset.filter(assignee_id=int(value))
