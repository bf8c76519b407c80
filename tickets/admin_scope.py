"""The admin reads customer data by the same rules as the pages and the API.

Django's admin fetches every row it shows through `get_queryset`: the changelist with its search, date hierarchy and
related-only filters, the change, history and delete views, autocomplete and raw-id popups, and the rows of inline
formsets. Narrowing `get_queryset` once, by the rule of the ticket, organisation or account a row belongs to, covers
all of them; `tests/tickets/test_admin_scope.py` fails when an admin holding ticket data does not use it.
"""

from __future__ import annotations

from collections.abc import Callable

from django.db.models import Model, QuerySet
from django.http import HttpRequest

from kbportal.accounts.models import User

from .models import Organisation, Ticket
from .querysets import sees_every_ticket
from .selectors import users_visible_to

# The one rule per kind of customer record, the same every other channel calls.
VISIBILITY: dict[type[Model], Callable[..., QuerySet]] = {
    Ticket: lambda user: Ticket.objects.visible_to(user),
    Organisation: lambda user: Organisation.objects.visible_to(user),
    User: users_visible_to,
}


def scope_target(model: type[Model], path: str) -> type[Model]:
    """The model that `path` ("ticket", "case__ticket", "" for the model itself) leads to from `model`."""
    for name in filter(None, path.split("__")):
        model = model._meta.get_field(name).related_model
    return model


def visible_rows(queryset: QuerySet, user, path: str) -> QuerySet:
    """The rows of `queryset` whose ticket, organisation or account (reached along `path`) `user` may see."""
    if sees_every_ticket(user):
        return queryset  # managers: no subquery on every admin page they open
    visible = VISIBILITY[scope_target(queryset.model, path)](user)
    if not path:
        return queryset & visible
    return queryset.filter(**{f"{path}__in": visible.values("pk")})


class VisibleRowsMixin:
    """For every ModelAdmin and inline whose rows are customer data: only the rows the staff member may see.

    `visible_through` is the lookup from the admin's model to the Ticket, Organisation or User whose visibility the
    row takes: "" for one of those models itself, "ticket" for what hangs on a ticket, "user" for an account's rows.
    It follows foreign keys forwards, so each row has exactly one.
    """

    visible_through: str

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return visible_rows(super().get_queryset(request), request.user, self.visible_through)  # type: ignore[misc]
