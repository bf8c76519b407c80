"""Panels that rooms above the desk add to the agents' ticket workspace, shown above the conversation.

The workspace is the desk's page; a room above it (the help center's "What the customer tried") registers a panel
from its AppConfig.ready(), so the desk never imports it (the search engine's `SearchSource` works the same way).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .models import Ticket


@dataclass(frozen=True)
class WorkspacePanel:
    template: str  # rendered with the panel's data as `data`
    data: Callable[..., Any]  # called as data(ticket=…); None when the ticket has nothing to show


@dataclass(frozen=True)
class ShownPanel:
    template: str
    data: Any


_PANELS: dict[str, WorkspacePanel] = {}


def register_workspace_panel(name: str, panel: WorkspacePanel) -> None:
    _PANELS[name] = panel


def workspace_panels(*, ticket: Ticket) -> list[ShownPanel]:
    """The panels with something to show for this ticket, in the order they were registered."""
    shown = []
    for panel in _PANELS.values():
        data = panel.data(ticket=ticket)
        if data is not None:
            shown.append(ShownPanel(template=panel.template, data=data))
    return shown
