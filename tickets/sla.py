"""Service-level clock arithmetic: business time, due moments and the state of a ticket's clock.

Pure functions over timezone-aware datetimes, with no ORM and no settings, so services, selectors
and templates can share them and their tests need no database.

Durations are ``timedelta`` amounts of *business* time: a target of "5 business days" on a
09:00–18:00 calendar is passed in as 45 hours. Every moment is converted to UTC before any
arithmetic, because subtracting two datetimes that share a ``ZoneInfo`` gives their wall-clock
difference, which is wrong across a daylight-saving change. Results are returned in UTC.
"""

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Self
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

_ZERO = timedelta(0)
# Targets run to weeks at most. A duration that does not fit in ten years of a calendar is a
# mistake in the duration or the calendar, and the bound keeps the walk from running on and on.
_WALK_LIMIT = timedelta(days=3653)
# Stands in for "no end" when clipping pauses that are all closed.
_FAR_FUTURE = datetime.max.replace(tzinfo=UTC)


@dataclass(frozen=True)
class BusinessCalendar:
    """When a service-level clock runs: always, or on open days between two local wall-clock times.

    Business hours are read in ``time_zone`` day by day, so 09:00–18:00 stays 09:00–18:00 local on
    both sides of a daylight-saving change. An opening or closing time that the change skips or
    repeats on that very day resolves as ``zoneinfo`` does with ``fold=0`` (a skipped 02:30 means
    03:30 new time; a repeated 01:30 means the first one), and business time is absolute time, so
    a 01:00–04:00 day that springs forward counts 2 hours. ``always_open`` calendars ignore
    ``open_days``, ``opens_at`` and ``closes_at``: every instant counts.
    """

    time_zone: str
    always_open: bool = False
    open_days: frozenset[int] = frozenset({0, 1, 2, 3, 4})
    opens_at: time = time(9)
    closes_at: time = time(18)
    holidays: frozenset[date] = frozenset()

    def __post_init__(self) -> None:
        # Sets, ranges and lists are accepted but stored frozen, so calendars stay hashable values.
        object.__setattr__(self, "open_days", frozenset(self.open_days))
        object.__setattr__(self, "holidays", frozenset(self.holidays))
        _load_zone(self.time_zone)
        _check_hours(self.opens_at, self.closes_at)
        _check_open_days(self.open_days, always_open=self.always_open)
        _check_holidays(self.holidays, always_open=self.always_open)

    @classmethod
    def twenty_four_seven(cls, time_zone: str = "UTC") -> Self:
        """A calendar on which every instant counts; the zone only labels it."""
        return cls(time_zone=time_zone, always_open=True)

    @classmethod
    def business_hours(
        cls,
        time_zone: str,
        *,
        open_days: Iterable[int] = range(5),
        opens_at: time = time(9),
        closes_at: time = time(18),
        holidays: Iterable[date] = (),
    ) -> Self:
        """Open ``opens_at``–``closes_at`` local time on ``open_days`` (Monday = 0), closed on ``holidays``."""
        return cls(
            time_zone=time_zone,
            open_days=frozenset(open_days),
            opens_at=opens_at,
            closes_at=closes_at,
            holidays=frozenset(holidays),
        )

    @property
    def zone(self) -> ZoneInfo:
        return _load_zone(self.time_zone)

    def is_open_on(self, day: date) -> bool:
        """Whether the local date ``day`` has business hours."""
        return day.weekday() in self.open_days and day not in self.holidays


@dataclass(frozen=True)
class Pause:
    """A stretch when the clock stops, e.g. while the ticket waits on the customer.

    ``ended_at`` is None while the pause still runs.
    """

    started_at: datetime
    ended_at: datetime | None = None

    def __post_init__(self) -> None:
        started_at = _to_utc(self.started_at, "Pause.started_at")
        if self.ended_at is not None and _to_utc(self.ended_at, "Pause.ended_at") < started_at:
            raise ValueError(
                f"A pause cannot end ({self.ended_at}) before it starts ({self.started_at}); swap or fix the times."
            )

    @property
    def is_open(self) -> bool:
        return self.ended_at is None


@dataclass(frozen=True)
class ClockState:
    """A clock measured at one moment: ``now``, or ``stopped_at`` once the goal was met.

    ``due_at`` is None while paused. ``remaining`` is business time left, negative once breached and
    frozen while paused or stopped. ``breached`` means the counted time exceeded the target, so it
    is exactly ``remaining < 0``.
    """

    due_at: datetime | None
    remaining: timedelta
    paused: bool
    breached: bool
    stopped: bool


def business_time_between(calendar: BusinessCalendar, start: datetime, end: datetime) -> timedelta:
    """Business time in the half-open span [start, end); zero when ``end <= start``."""
    start, end = _to_utc(start, "start"), _to_utc(end, "end")
    if end <= start:
        return _ZERO
    if calendar.always_open:
        return end - start
    total = _ZERO
    for opening, closing in _open_spans(calendar, start, end):
        total += max(_ZERO, min(closing, end) - max(opening, start))
    return total


def add_business_time(calendar: BusinessCalendar, start: datetime, duration: timedelta) -> datetime:
    """The first moment, in UTC, at which ``duration`` of business time has passed since ``start``.

    Counting begins at ``start`` if it is within business hours, else at the next opening. A duration
    that runs out exactly at a closing time gives that closing time, not the next opening. A zero
    duration gives ``start`` itself (in UTC) even outside business hours.

    Raises ValueError for a negative duration, or one that does not fit in ten years of the calendar.
    """
    start = _to_utc(start, "start")
    _check_not_negative(duration, "duration")
    if duration == _ZERO or calendar.always_open:
        return start + duration
    remaining = duration
    for opening, closing in _open_spans(calendar, start, start + _WALK_LIMIT):
        counting_from = max(opening, start)
        available = closing - counting_from
        if available <= _ZERO:
            continue
        if remaining <= available:
            return counting_from + remaining
        remaining -= available
    raise ValueError(
        f"{duration} of business time does not fit in ten years of this calendar; "
        "check the duration and the calendar's open days and holidays."
    )


def counted_time(calendar: BusinessCalendar, started_at: datetime, now: datetime, pauses: Sequence[Pause]) -> timedelta:
    """Business time on the clock from ``started_at`` to ``now``, less the business time spent paused.

    Pauses may overlap one another or begin before ``started_at``; only the part of their union
    inside [started_at, now) counts against the clock. An open pause runs to ``now``.
    """
    started_at, now = _to_utc(started_at, "started_at"), _to_utc(now, "now")
    paused = sum(
        (business_time_between(calendar, begin, end) for begin, end in _pause_spans(pauses, started_at, now)),
        _ZERO,
    )
    return business_time_between(calendar, started_at, now) - paused


def due_at(
    calendar: BusinessCalendar, started_at: datetime, target: timedelta, pauses: Sequence[Pause]
) -> datetime | None:
    """The first moment, in UTC, at which the clock started at ``started_at`` reaches ``target``.

    None while any pause is open: the clock is stopped and no due time can be promised. A closed
    pause pushes the due moment later by the business time it covered before that moment, so a
    pause that fell outside business hours, or after the clock had already reached its target,
    changes nothing.
    """
    started_at = _to_utc(started_at, "started_at")
    _check_not_negative(target, "target")
    if any(pause.is_open for pause in pauses):
        return None
    cursor, remaining = started_at, target
    # Walk forward: run the clock to the next pause; if the target falls before it, that is the answer,
    # otherwise bank the business time run so far and resume counting when the pause ends.
    for begin, end in _pause_spans(pauses, started_at, _FAR_FUTURE):
        reached = add_business_time(calendar, cursor, remaining)
        if reached <= begin:
            return reached
        remaining -= business_time_between(calendar, cursor, begin)
        cursor = end
    return add_business_time(calendar, cursor, remaining)


def clock_state(
    calendar: BusinessCalendar,
    started_at: datetime,
    target: timedelta,
    pauses: Sequence[Pause],
    now: datetime,
    stopped_at: datetime | None = None,
) -> ClockState:
    """The clock toward ``target`` as it stands at ``now``, or as it stood when it stopped.

    ``stopped_at`` is the moment the goal was met (first response given, ticket resolved). The
    clock is then measured there and ``now`` does not matter: a pause still open at ``stopped_at``
    ends there, later pauses are ignored, and ``paused`` is False. A target recomputed after a
    priority change is simply passed in with the original ``started_at``.

    Breached means the due moment has passed (or the counted time exceeded the target): a target
    that runs out at Friday's closing time is breached from then on, as the periodic check records it,
    even though no business time passes over the weekend.
    """
    _to_utc(now, "now")
    _check_not_negative(target, "target")
    if stopped_at is None:
        measured_at, effective_pauses = now, pauses
    else:
        measured_at, effective_pauses = stopped_at, _pauses_until(pauses, _to_utc(stopped_at, "stopped_at"))
    remaining = target - counted_time(calendar, started_at, measured_at, effective_pauses)
    due = due_at(calendar, started_at, target, effective_pauses)
    return ClockState(
        due_at=due,
        remaining=remaining,
        paused=stopped_at is None and any(pause.is_open for pause in pauses),
        breached=remaining < _ZERO or (due is not None and _to_utc(measured_at, "moment") > due),
        stopped=stopped_at is not None,
    )


def _open_spans(calendar: BusinessCalendar, since: datetime, until: datetime) -> Iterator[tuple[datetime, datetime]]:
    """The calendar's open spans in UTC, in order, for each local date from that of ``since`` to that of ``until``.

    The caller clips the first and last span. Not for ``always_open`` calendars.
    """
    zone = calendar.zone
    day, last_day = since.astimezone(zone).date(), until.astimezone(zone).date()
    one_day = timedelta(days=1)
    while day <= last_day:
        if calendar.is_open_on(day):
            opening = datetime.combine(day, calendar.opens_at, tzinfo=zone).astimezone(UTC)
            closing = datetime.combine(day, calendar.closes_at, tzinfo=zone).astimezone(UTC)
            # An opening inside the hour a spring-forward skips can land at or after the closing.
            if closing > opening:
                yield opening, closing
        day += one_day


def _pause_spans(pauses: Sequence[Pause], since: datetime, until: datetime) -> list[tuple[datetime, datetime]]:
    """The union of the pauses as disjoint UTC spans in order, clipped to [since, until].

    An open pause runs to ``until``.
    """
    clipped = []
    for pause in pauses:
        begin = max(_to_utc(pause.started_at, "Pause.started_at"), since)
        end = until if pause.ended_at is None else min(_to_utc(pause.ended_at, "Pause.ended_at"), until)
        if end > begin:
            clipped.append((begin, end))
    merged: list[tuple[datetime, datetime]] = []
    for begin, end in sorted(clipped):
        if merged and begin <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((begin, end))
    return merged


def _pauses_until(pauses: Sequence[Pause], moment: datetime) -> list[Pause]:
    """The pauses as they stood at ``moment``: later ones dropped, one still running then ends there."""
    return [
        Pause(pause.started_at, moment if pause.ended_at is None else min(pause.ended_at, moment))
        for pause in pauses
        if pause.started_at < moment
    ]


def _to_utc(value: datetime, name: str) -> datetime:
    if not isinstance(value, datetime):
        raise TypeError(f"{name} must be a datetime, not {type(value).__name__}.")
    if value.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware; attach a tzinfo (for example UTC) before passing it.")
    return value.astimezone(UTC)


def _check_not_negative(value: timedelta, name: str) -> None:
    if value < _ZERO:
        raise ValueError(f"{name} must not be negative; got {value}.")


def _load_zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, TypeError) as error:
        raise ValueError(f"Unknown time zone {name!r}; use an IANA name such as 'Asia/Shanghai'.") from error


def _check_hours(opens_at: time, closes_at: time) -> None:
    if opens_at.tzinfo is not None or closes_at.tzinfo is not None:
        raise ValueError("opens_at and closes_at are local wall-clock times; pass them without a tzinfo.")
    if opens_at >= closes_at:
        raise ValueError(
            f"closes_at ({closes_at}) must be after opens_at ({opens_at}); business hours cannot cross midnight."
        )


def _check_open_days(open_days: frozenset[int], *, always_open: bool) -> None:
    if not open_days <= frozenset(range(7)):
        raise ValueError(f"open_days holds weekday numbers 0 (Monday) to 6 (Sunday); got {sorted(open_days)}.")
    if not open_days and not always_open:
        raise ValueError(
            "A business-hours calendar needs at least one open day; "
            "use twenty_four_seven() for a clock that never stops."
        )


def _check_holidays(holidays: frozenset[date], *, always_open: bool) -> None:
    # A datetime is a date too, but never equals one, so it would silently never match.
    if any(isinstance(day, datetime) or not isinstance(day, date) for day in holidays):
        raise ValueError("holidays holds local dates; pass date objects, not datetimes or strings.")
    if holidays and always_open:
        raise ValueError(
            "A 24x7 calendar counts every instant, so its holidays would be ignored; "
            "leave them out or use business_hours()."
        )
