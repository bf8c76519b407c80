"""The dashboard's filters, read from the query string into a `Scope`."""

from __future__ import annotations

from datetime import date, timedelta

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from articles.models import ProductVersion
from kbportal.choices import Language
from tickets.models import Channel, Organisation, Plan, Priority, Tier

from .scope import DEFAULT_DAYS, MAX_DAYS, Scope

EARLIEST = date(2000, 1, 1)


class ScopeForm(forms.Form):
    since = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    until = forms.DateField(label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    product_version = forms.ModelChoiceField(
        label=_("Product version"), queryset=ProductVersion.objects.all(), required=False
    )
    organisation = forms.ModelChoiceField(
        label=_("Organisation"), queryset=Organisation.objects.order_by("name"), required=False
    )
    plan = forms.ChoiceField(label=_("Plan"), choices=[("", _("All plans")), *Plan.choices], required=False)
    tier = forms.TypedChoiceField(
        label=_("Tier"), choices=[("", _("All tiers")), *Tier.choices], coerce=int, empty_value=None, required=False
    )
    language = forms.ChoiceField(
        label=_("Language"), choices=[("", _("All languages")), *Language.choices], required=False
    )
    priority = forms.TypedChoiceField(
        label=_("Priority"),
        choices=[("", _("All priorities")), *Priority.choices],
        coerce=int,
        empty_value=None,
        required=False,
    )
    channel = forms.ChoiceField(label=_("Channel"), choices=[("", _("All channels")), *Channel.choices], required=False)

    def clean(self):
        data = super().clean()
        today = timezone.localdate()
        latest = today + timedelta(days=366)
        until = data.get("until") or today
        if not EARLIEST <= until <= latest or not EARLIEST <= (data.get("since") or EARLIEST) <= latest:
            self.add_error("since", _("Choose dates between 2000 and next year."))
            return data
        since = data.get("since") or until - timedelta(days=DEFAULT_DAYS - 1)
        if since > until:
            self.add_error("since", _("The period starts after it ends."))
        elif (until - since).days >= MAX_DAYS:
            self.add_error("since", _("Choose a period of at most %(days)d days.") % {"days": MAX_DAYS})
        data["since"], data["until"] = since, until
        return data

    def scope(self) -> Scope:
        """The filters as a Scope; the default 30 days up to today when the form is empty or has errors."""
        today = timezone.localdate()
        if not self.is_bound or not self.is_valid():
            return Scope(
                since=today - timedelta(days=DEFAULT_DAYS - 1), until=today, tz=timezone.get_current_timezone()
            )
        data = self.cleaned_data
        return Scope(
            since=data["since"],
            until=data["until"],
            tz=timezone.get_current_timezone(),
            product_version_id=data["product_version"].pk if data["product_version"] else None,
            organisation_id=data["organisation"].pk if data["organisation"] else None,
            plan=data["plan"] or "",
            tier=data["tier"],
            language=data["language"] or "",
            priority=data["priority"],
            channel=data["channel"] or "",
        )


def scope_query(scope: Scope) -> str:
    """The query string that selects the same scope (for drill-down links and exports)."""
    from django.http import QueryDict

    query = QueryDict(mutable=True)
    query["since"], query["until"] = scope.since.isoformat(), scope.until.isoformat()
    for name, value in (
        ("product_version", scope.product_version_id),
        ("organisation", scope.organisation_id),
        ("plan", scope.plan),
        ("tier", scope.tier),
        ("language", scope.language),
        ("priority", scope.priority),
        ("channel", scope.channel),
    ):
        if value:
            query[name] = str(value)
    return query.urlencode()
