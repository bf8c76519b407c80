"""Addresses of the lists behind the figures, keeping the dashboard's scope."""

from __future__ import annotations

from django.urls import reverse

from .forms import scope_query
from .scope import Scope


def metric_url(key: str, scope: Scope) -> str:
    return f"{reverse('analytics:metric', args=[key])}?{scope_query(scope)}"


def export_url(key: str, scope: Scope) -> str:
    return f"{reverse('analytics:export', args=[key])}?{scope_query(scope)}"
