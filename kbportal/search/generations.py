"""Which generation of the index is live, which is being built: the swap a rebuild ends with.

A rebuild begins a generation (`begin`), fills it beside the live one, and swaps (`swap`): in one
transaction the live generation retires and the new one goes live, so a search sees the one or the
other, never a mix. A rebuild that died leaves its generation building; the next one discards it.
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from .models import SearchGeneration
from .statistics import FIRST_GENERATION, ensure_live, state


def begin() -> int:
    """A new generation to build; a half-built one a dead rebuild left is discarded first."""
    from .indexing import discard

    current = state()
    ensure_live(current.live)
    if current.building is not None:
        discard(current.building)
    with transaction.atomic():
        highest = SearchGeneration.objects.aggregate(highest=Max("number"))["highest"] or FIRST_GENERATION
        number = highest + 1
        SearchGeneration.objects.create(number=number, state=SearchGeneration.State.BUILDING, started_at=timezone.now())
    return number


def swap(building: int) -> int | None:
    """Make `building` the live generation; the number of the one it replaces (None if there was none)."""
    with transaction.atomic():
        generations = {g.number: g for g in SearchGeneration.objects.select_for_update().exclude(state="retired")}
        if generations.get(building) is None or generations[building].state != SearchGeneration.State.BUILDING:
            raise RuntimeError(f"Generation {building} is not being built; another rebuild replaced it.")
        live = next((g for g in generations.values() if g.state == SearchGeneration.State.LIVE), None)
        now = timezone.now()
        if live is not None:
            SearchGeneration.objects.filter(pk=live.pk).update(state=SearchGeneration.State.RETIRED, finished_at=now)
        SearchGeneration.objects.filter(pk=building).update(state=SearchGeneration.State.LIVE, finished_at=now)
    return live.number if live is not None else None


def retire(number: int) -> None:
    """Mark a generation retired (kept as a record of the rebuild), unless it is the live one."""
    SearchGeneration.objects.filter(number=number, state=SearchGeneration.State.BUILDING).update(
        state=SearchGeneration.State.RETIRED, finished_at=timezone.now()
    )
