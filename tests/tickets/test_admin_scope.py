"""Every admin that holds ticket or customer data narrows its rows by the rule the pages and the API use.

These tests walk the admin's registry, so an admin added later cannot forget it: a model that belongs to a ticket
(reaches Ticket along foreign keys that cannot be empty) must hand a tier-1 agent no row of a tier-2 ticket, from
its ModelAdmin or from any inline; a model that merely points at a ticket must not show that ticket; and no list
filter may name every organisation or account. The access matrix (test_access_matrix.py) checks the pages.
"""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.contrib.admin import RelatedFieldListFilter, RelatedOnlyFieldListFilter
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import Model
from django.urls import reverse

from kbportal.accounts.models import User
from kbportal.accounts.roles import Role
from tests.accounts.factories import StaffFactory
from tests.tickets.factories import MembershipFactory, TicketFactory
from tickets import services, surveys
from tickets.models import Organisation, OrganisationMembership, SurveyResponse, Ticket, Tier

pytestmark = pytest.mark.django_db

# The customer records an agent sees only as far as the tickets they work, and how a ticket reaches each.
CUSTOMER_RECORDS = {
    User: lambda ticket: ticket.requester,
    Organisation: lambda ticket: ticket.organisation,
    OrganisationMembership: lambda ticket: ticket.requester.membership,
}


def _admins() -> list[tuple[type[Model], object]]:
    """Every registered ModelAdmin and every inline of one, with its model."""
    found = []
    for model, model_admin in admin.site._registry.items():
        found.append((model, model_admin))
        found += [(inline.model, inline(model, admin.site)) for inline in model_admin.inlines]
    return found


def _ticket_paths(model: type[Model], depth: int = 3) -> list[list]:
    """The chains of forward foreign keys (at most `depth` long) from `model` to Ticket."""
    paths = []
    for field in model._meta.concrete_fields:
        if not field.is_relation:
            continue
        if field.related_model is Ticket:
            paths.append([field])
        elif depth > 1 and field.related_model is not model:
            paths += [[field, *rest] for rest in _ticket_paths(field.related_model, depth - 1)]
    return paths


def _belongs_to_a_ticket(model: type[Model]) -> bool:
    return model is Ticket or any(not any(field.null for field in path) for path in _ticket_paths(model))


def _label(model_admin) -> str:
    return type(model_admin).__name__


def _lookups_shown(model_admin) -> set[str]:
    """Every field lookup the admin (or inline) lists, shows, searches, filters, sorts or offers as a widget."""

    def option(name: str) -> list:
        return list(getattr(model_admin, name, None) or ())

    names = option("list_display") + option("readonly_fields") + option("fields") + option("autocomplete_fields")
    names += option("raw_id_fields") + option("ordering") + [getattr(model_admin, "date_hierarchy", None)]
    for _title, options in option("fieldsets"):
        names += [name for row in options["fields"] for name in (row if isinstance(row, list | tuple) else [row])]
    names += [entry[0] if isinstance(entry, tuple) else entry for entry in option("list_filter")]
    names += [name.lstrip("^=@") for name in option("search_fields")]
    return {name.lstrip("-") for name in names if isinstance(name, str)}


@pytest.fixture
def tier_2_ticket():
    """A tier-2 ticket with one row of everything that can hang on it."""
    manager = StaffFactory(role=Role.SUPPORT_MANAGER)
    agent = StaffFactory(role=Role.AGENT_TIER_2)
    ticket = TicketFactory(requester=MembershipFactory().user)
    services.ticket_escalate(ticket=ticket, to_tier=Tier.TIER_2, reason="Needs the licence team", by=manager)
    services.ticket_reply(
        ticket=ticket, author=agent, body="Internal", internal=True,
        attachments=[SimpleUploadedFile("shot.png", b"\x89PNG\r\n\x1a\n", content_type="image/png")],
    )  # fmt: skip
    response = SurveyResponse.objects.create(
        ticket=ticket, csat=1, response_speed=1, resolution=1, expertise=1, attitude=1, follow_up=1, service_index=0,
        ces=5, comment="Nobody called back",
    )  # fmt: skip
    surveys.follow_up_open(response=response)
    return Ticket.objects.get(pk=ticket.pk)


def _request(rf, user):
    request = rf.get("/admin/")
    request.user = user
    return request


def test_the_walk_finds_the_ticket_admins():
    """A walk that found nothing would pass everything below."""
    found = {model._meta.label for model, _model_admin in _admins() if _belongs_to_a_ticket(model)}

    assert found >= {"tickets.Ticket", "tickets.Message", "tickets.Event", "tickets.SurveyResponse",
                     "tickets.FollowUpCase", "tickets.FollowUpStage"}  # fmt: skip


def test_no_admin_hands_a_tier_1_agent_a_row_of_a_tier_2_ticket(rf, tier_2_ticket):
    agent = _request(rf, StaffFactory(role=Role.AGENT_TIER_1))
    manager = _request(rf, StaffFactory(role=Role.SUPPORT_MANAGER))
    unscoped = []

    for model, model_admin in _admins():
        if not _belongs_to_a_ticket(model):
            continue
        assert model._default_manager.exists(), f"give tier_2_ticket a {model._meta.label} to check it"
        if model_admin.get_queryset(agent).exists():
            unscoped.append(_label(model_admin))
        assert model_admin.get_queryset(manager).count() == model._default_manager.count(), _label(model_admin)

    assert unscoped == []


def test_no_admin_shows_a_tier_1_agent_the_customer_of_a_tier_2_ticket(rf, tier_2_ticket):
    agent = _request(rf, StaffFactory(role=Role.AGENT_TIER_1))
    manager = _request(rf, StaffFactory(role=Role.SUPPORT_MANAGER))
    unscoped = []

    for model, model_admin in _admins():
        if model not in CUSTOMER_RECORDS:
            continue
        record = CUSTOMER_RECORDS[model](tier_2_ticket)
        if model_admin.get_queryset(agent).filter(pk=record.pk).exists():
            unscoped.append(_label(model_admin))
        assert model_admin.get_queryset(manager).filter(pk=record.pk).exists(), _label(model_admin)

    assert unscoped == []


def test_an_agent_still_sees_colleagues_for_the_article_owner_and_assignee_pickers(rf):
    agent = StaffFactory(role=Role.AGENT_TIER_1)
    colleague = StaffFactory(role=Role.AGENT_TIER_3)

    assert admin.site._registry[User].get_queryset(_request(rf, agent)).filter(pk=colleague.pk).exists()


def test_an_admin_that_only_points_at_a_ticket_does_not_show_it():
    """Forum questions may name the ticket they were escalated to; the admin shows its reference, not the ticket."""
    shown = []
    for model, model_admin in _admins():
        if _belongs_to_a_ticket(model):
            continue
        lookups = _lookups_shown(model_admin)
        for path in _ticket_paths(model):
            lookup = "__".join(field.name for field in path)
            shown += [
                f"{_label(model_admin)}.{name}" for name in lookups if name == lookup or name.startswith(lookup + "__")
            ]

    assert shown == []


def test_no_list_filter_names_every_ticket_organisation_or_account():
    """A related filter lists the related model's rows; only RelatedOnlyFieldListFilter keeps to the admin's own."""
    careless = []
    for model, model_admin in _admins():
        for entry in getattr(model_admin, "list_filter", ()):
            name, kind = entry if isinstance(entry, tuple) else (entry, None)
            if not isinstance(name, str):
                continue  # a SimpleListFilter chooses its own lookups
            field = model._meta.get_field(name.split("__")[0])
            target = field.related_model if field.is_relation else None
            related = kind is None or (
                issubclass(kind, RelatedFieldListFilter) and kind is not RelatedOnlyFieldListFilter
            )
            if target in (Ticket, *CUSTOMER_RECORDS) and "__" not in name and related:
                careless.append(f"{_label(model_admin)}.{name}")

    assert careless == []


def test_permissions_do_not_widen_what_an_agent_sees(client, tier_2_ticket):
    """Even holding every ticket permission, a tier-1 agent cannot open, change or delete a tier-2 ticket."""
    from django.contrib.auth.models import Permission

    agent = StaffFactory(role=Role.AGENT_TIER_1)
    agent.user_permissions.add(*Permission.objects.filter(content_type__app_label="tickets"))
    client.force_login(agent)
    pk = tier_2_ticket.pk

    change = client.post(reverse("admin:tickets_ticket_change", args=[pk]), {"subject": "Taken over", "priority": 1,
                                                                              "status": "open", "tier": 1})  # fmt: skip
    delete = client.post(reverse("admin:tickets_ticket_delete", args=[pk]), {"post": "yes"})

    assert (change.status_code, change["Location"]) == (302, reverse("admin:index"))
    assert (delete.status_code, delete["Location"]) == (302, reverse("admin:index"))
    assert Ticket.objects.get(pk=pk).subject == tier_2_ticket.subject
    assert client.get(reverse("admin:tickets_ticket_changelist")).context["cl"].result_count == 0
