"""The viewer's calendar day of a moment, computed by the database without a function call per row.

PostgreSQL converts time zones natively (`TruncDate(..., tzinfo=...)`). Django's SQLite backend does the
same through a Python function called for every row, which costs seconds over half a million rows; here the
period is cut into stretches of constant UTC offset (a daylight-saving change starts a new one) and each
stretch uses SQLite's own `date(moment, '+480 minutes')`.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, tzinfo
from functools import lru_cache

from django.db.models import DateField, Func
from django.db.models.functions import TruncDate

from .scope import Scope


@lru_cache(maxsize=64)
def offset_stretches(start: datetime, end: datetime, zone: tzinfo) -> list[tuple[datetime | None, int]]:
    """[(until, offset in minutes)]: the zone's UTC offset up to each change in [start, end); the last has no end.

    Offsets change on the hour or half hour in every zone in use, so the walk checks every 15 minutes.
    """
    moment = start.astimezone(UTC)
    moment = moment.replace(minute=moment.minute - moment.minute % 15, second=0, microsecond=0)
    stretches: list[tuple[datetime | None, int]] = []
    current = _offset(moment, zone)
    while moment < end:
        moment += timedelta(minutes=15)
        offset = _offset(moment, zone)
        if offset != current:
            stretches.append((moment, current))
            current = offset
    stretches.append((None, current))
    return stretches


def _offset(moment: datetime, zone: tzinfo) -> int:
    return int(moment.astimezone(zone).utcoffset().total_seconds() // 60)


class LocalDate(Func):
    """The calendar day of a datetime column in the scope's time zone."""

    output_field = DateField()

    def __init__(self, field: str, scope: Scope):
        super().__init__(TruncDate(field, tzinfo=scope.tz))
        self.scope = scope

    def as_sql(self, compiler, connection, **extra_context):
        return compiler.compile(self.source_expressions[0])

    def as_sqlite(self, compiler, connection, **extra_context):
        column, params = compiler.compile(self.source_expressions[0].source_expressions[0])
        stretches = offset_stretches(self.scope.start - timedelta(days=1), self.scope.end + timedelta(days=1),
                                     self.scope.tz)  # fmt: skip
        whens, values = [], []
        for until, minutes in stretches[:-1]:
            whens.append(f"WHEN {column} < %s THEN date({column}, %s)")
            values += [*params, connection.ops.adapt_datetimefield_value(until), *params, f"{minutes:+d} minutes"]
        last = stretches[-1][1]
        sql = f"CASE {' '.join(whens)} ELSE date({column}, %s) END" if whens else f"date({column}, %s)"
        return sql, (*values, *params, f"{last:+d} minutes")
