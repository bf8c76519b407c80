"""Small statistics done in SQL: percentiles by nearest rank and rounding that does not surprise managers."""

from __future__ import annotations

import math
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import QuerySet

from .scope import page_memo


def percentile(queryset: QuerySet, field: str, fraction: float) -> float | None:
    """The nearest-rank percentile of a column: the value at rank ⌈fraction × n⌉ in ascending order.

    The median of 1, 2, 3, 4 is 2 by this rule; the 90th percentile of 1…10 is 9. The column's values are read
    once, sorted by the database, and shared by every percentile of the same rows on the page (median and 90th):
    one query, where a count and an offset per percentile made the database sort the rows four times.
    """
    values = _sorted_values(queryset, field)
    if not values:
        return None
    rank = max(math.ceil(fraction * len(values)), 1)
    return values[rank - 1]


def _sorted_values(queryset: QuerySet, field: str) -> list:
    rows = queryset.filter(**{f"{field}__isnull": False}).order_by(field).values_list(field, flat=True)
    return page_memo(("sorted", str(rows.query)), lambda: list(rows))


def round_half_up(value: float, digits: int = 0) -> float:
    """Round halves away from zero (42.5 → 43, −42.5 → −43), not to the even neighbour as round() does."""
    quantum = Decimal(1).scaleb(-digits)
    return float(Decimal(str(value)).quantize(quantum, rounding=ROUND_HALF_UP))
