"""Small statistics done in SQL: percentiles by nearest rank and rounding that does not surprise managers."""

from __future__ import annotations

import math
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import QuerySet


def percentile(queryset: QuerySet, field: str, fraction: float) -> float | None:
    """The nearest-rank percentile of a column: the value at rank ⌈fraction × n⌉ in ascending order.

    Two queries (a count, then one row at an offset), so with an index on the column it stays fast at any size.
    The median of 1, 2, 3, 4 is 2 by this rule; the 90th percentile of 1…10 is 9.
    """
    values = queryset.filter(**{f"{field}__isnull": False})
    count = values.count()
    if not count:
        return None
    rank = max(math.ceil(fraction * count), 1)
    return values.order_by(field).values_list(field, flat=True)[rank - 1]


def round_half_up(value: float, digits: int = 0) -> float:
    """Round halves away from zero (42.5 → 43, −42.5 → −43), not to the even neighbour as round() does."""
    quantum = Decimal(1).scaleb(-digits)
    return float(Decimal(str(value)).quantize(quantum, rounding=ROUND_HALF_UP))
