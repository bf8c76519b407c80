"""Keeps models without a table of their own out of `dumpdata`, `loaddata` and the test database's copy."""

from __future__ import annotations

from typing import Any


class UnmanagedModelsRouter:
    """Unmanaged models (`Meta.managed = False`) are left alone: Django neither creates nor copies their rows.

    `dumpdata` asks the router, not `Meta.managed`, which models to read, so without this it queries the
    permission holder `analytics.Dashboard`, which has no table, and the whole backup fails.
    """

    def allow_migrate(self, db: str, app_label: str, model_name: str | None = None, **hints: Any) -> bool | None:
        model = hints.get("model")
        if model is not None and not model._meta.managed:
            return False
        return None
