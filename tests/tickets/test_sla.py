"""Service-level clocks checked against hand-worked tables, then against random calendars.

The reference week is 3–7 March 2025 (Monday to Friday); 8–9 March is the weekend, and New York
springs forward on Sunday 9 March and falls back on Sunday 2 November 2025. Expected moments are
written as local wall-clock times; aware datetimes compare as instants, so the UTC results match.
"""

import random
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from tickets.sla import (
    BusinessCalendar,
    ClockState,
    Pause,
    add_business_time,
    business_time_between,
    clock_state,
    counted_time,
    due_at,
)

SHANGHAI = "Asia/Shanghai"
NEW_YORK = "America/New_York"


def at(text: str, zone: str = "UTC") -> datetime:
    """The wall-clock time ``text`` ("2025-03-07 17:30") in ``zone``; a repeated hour means its first pass."""
    return datetime.fromisoformat(text).replace(tzinfo=ZoneInfo(zone))


def sh(text: str) -> datetime:
    return at(text, SHANGHAI)


def ny(text: str) -> datetime:
    return at(text, NEW_YORK)


ALWAYS = BusinessCalendar.twenty_four_seven()
ALWAYS_NY = BusinessCalendar.twenty_four_seven(NEW_YORK)
SH_HOURS = BusinessCalendar.business_hours(SHANGHAI)
SH_HOLIDAY_MONDAY = BusinessCalendar.business_hours(SHANGHAI, holidays=[date(2025, 3, 10)])
NY_HOURS = BusinessCalendar.business_hours(NEW_YORK)
NY_EVERY_DAY = BusinessCalendar.business_hours(NEW_YORK, open_days=range(7))
# A night shift across the hour New York skips in spring and repeats in autumn.
NY_NIGHT_SHIFT = BusinessCalendar.business_hours(NEW_YORK, open_days=range(7), opens_at=time(1), closes_at=time(4))


# --- add_business_time ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("calendar", "start", "duration", "expected"),
    [
        pytest.param(ALWAYS, at("2025-03-07 17:30"), timedelta(hours=1), at("2025-03-07 18:30"), id="24x7-elapsed"),
        pytest.param(ALWAYS, at("2025-03-07 22:00"), timedelta(days=3), at("2025-03-10 22:00"), id="24x7-weekend"),
        pytest.param(
            ALWAYS_NY, ny("2025-03-09 00:00"), timedelta(hours=24), ny("2025-03-10 01:00"), id="24x7-spring-forward"
        ),
        pytest.param(
            ALWAYS_NY, ny("2025-11-02 00:00"), timedelta(hours=24), ny("2025-11-02 23:00"), id="24x7-fall-back"
        ),
        pytest.param(SH_HOURS, sh("2025-03-03 10:00"), timedelta(hours=2), sh("2025-03-03 12:00"), id="within-hours"),
        pytest.param(
            SH_HOURS, sh("2025-03-03 02:00"), timedelta(hours=1), sh("2025-03-03 10:00"), id="night-waits-9am"
        ),
        pytest.param(
            SH_HOURS, sh("2025-03-03 20:00"), timedelta(hours=1), sh("2025-03-04 10:00"), id="evening-next-day"
        ),
        pytest.param(
            SH_HOURS, sh("2025-03-04 08:59"), timedelta(minutes=30), sh("2025-03-04 09:30"), id="before-opening"
        ),
        pytest.param(
            SH_HOURS, sh("2025-03-03 17:00"), timedelta(hours=1), sh("2025-03-03 18:00"), id="ends-at-closing"
        ),
        pytest.param(SH_HOURS, sh("2025-03-03 17:30"), timedelta(hours=1), sh("2025-03-04 09:30"), id="over-night"),
        pytest.param(SH_HOURS, sh("2025-03-07 17:30"), timedelta(hours=1), sh("2025-03-10 09:30"), id="fri-to-mon"),
        pytest.param(SH_HOURS, sh("2025-03-08 11:00"), timedelta(hours=1), sh("2025-03-10 10:00"), id="saturday-start"),
        pytest.param(
            SH_HOURS, sh("2025-03-09 23:00"), timedelta(minutes=30), sh("2025-03-10 09:30"), id="sunday-night"
        ),
        pytest.param(
            SH_HOLIDAY_MONDAY, sh("2025-03-07 17:30"), timedelta(hours=1), sh("2025-03-11 09:30"), id="holiday-monday"
        ),
        pytest.param(
            SH_HOLIDAY_MONDAY, sh("2025-03-10 10:00"), timedelta(hours=1), sh("2025-03-11 10:00"), id="on-holiday"
        ),
        pytest.param(
            SH_HOURS, sh("2025-03-03 09:00"), timedelta(hours=45), sh("2025-03-07 18:00"), id="5-days-from-9am"
        ),
        pytest.param(
            SH_HOURS, sh("2025-03-03 10:00"), timedelta(hours=45), sh("2025-03-10 10:00"), id="5-days-from-10am"
        ),
        pytest.param(SH_HOURS, sh("2025-03-03 09:00"), timedelta(hours=180), sh("2025-03-28 18:00"), id="4-weeks"),
        pytest.param(SH_HOURS, sh("2025-03-03 17:59:30"), timedelta(seconds=90), sh("2025-03-04 09:01"), id="seconds"),
        pytest.param(SH_HOURS, sh("2025-03-08 03:00"), timedelta(0), sh("2025-03-08 03:00"), id="zero-stays-put"),
        pytest.param(
            SH_HOURS, at("2025-03-04 01:00"), timedelta(hours=2), at("2025-03-04 03:00"), id="instant-shanghai"
        ),
        pytest.param(
            NY_HOURS, at("2025-03-04 01:00"), timedelta(hours=2), at("2025-03-04 16:00"), id="instant-new-york"
        ),
        pytest.param(
            NY_HOURS, ny("2025-03-07 17:30"), timedelta(hours=1), ny("2025-03-10 09:30"), id="est-fri-to-edt-mon"
        ),
        pytest.param(
            NY_EVERY_DAY, ny("2025-03-09 09:00"), timedelta(hours=9), ny("2025-03-09 18:00"), id="spring-forward-day"
        ),
        pytest.param(
            NY_EVERY_DAY, ny("2025-11-02 09:00"), timedelta(hours=9), ny("2025-11-02 18:00"), id="fall-back-day"
        ),
        pytest.param(
            NY_EVERY_DAY, ny("2025-03-08 17:00"), timedelta(hours=2), ny("2025-03-09 10:00"), id="over-spring-forward"
        ),
        pytest.param(
            NY_NIGHT_SHIFT, ny("2025-03-09 01:00"), timedelta(hours=2), ny("2025-03-09 04:00"), id="shift-loses-hour"
        ),
        pytest.param(
            NY_NIGHT_SHIFT, ny("2025-11-02 01:00"), timedelta(hours=4), ny("2025-11-02 04:00"), id="shift-gains-hour"
        ),
    ],
)
def test_add_business_time(calendar, start, duration, expected):
    result = add_business_time(calendar, start, duration)

    assert result == expected
    assert result.tzinfo is UTC


def test_same_instant_and_duration_fall_due_differently_by_time_zone():
    opened = at("2025-03-04 01:00")  # Tuesday 09:00 in Shanghai, Monday 20:00 in New York.

    assert add_business_time(SH_HOURS, opened, timedelta(hours=2)) == sh("2025-03-04 11:00")
    assert add_business_time(NY_HOURS, opened, timedelta(hours=2)) == ny("2025-03-04 11:00")


def test_add_business_time_gives_up_after_ten_years():
    eleven_years = timedelta(hours=9 * 5 * 52 * 11)

    with pytest.raises(ValueError, match="ten years"):
        add_business_time(SH_HOURS, sh("2025-03-03 09:00"), eleven_years)


# --- business_time_between ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("calendar", "start", "end", "expected"),
    [
        pytest.param(ALWAYS, at("2025-03-07 17:30"), at("2025-03-10 09:30"), timedelta(hours=64), id="24x7-elapsed"),
        pytest.param(ALWAYS_NY, ny("2025-03-09 00:00"), ny("2025-03-10 00:00"), timedelta(hours=23), id="24x7-23h-day"),
        pytest.param(ALWAYS_NY, ny("2025-11-02 00:00"), ny("2025-11-03 00:00"), timedelta(hours=25), id="24x7-25h-day"),
        pytest.param(SH_HOURS, sh("2025-03-04 12:00"), sh("2025-03-04 10:00"), timedelta(0), id="end-before-start"),
        pytest.param(SH_HOURS, sh("2025-03-04 12:00"), sh("2025-03-04 12:00"), timedelta(0), id="empty-span"),
        pytest.param(
            SH_HOURS, sh("2025-03-03 09:00"), sh("2025-03-03 09:00:01"), timedelta(seconds=1), id="one-second"
        ),
        pytest.param(SH_HOURS, sh("2025-03-03 00:00"), sh("2025-03-04 00:00"), timedelta(hours=9), id="business-day"),
        pytest.param(SH_HOURS, sh("2025-03-03 18:00"), sh("2025-03-04 09:00"), timedelta(0), id="night"),
        pytest.param(SH_HOURS, sh("2025-03-07 18:00"), sh("2025-03-10 09:00"), timedelta(0), id="weekend"),
        pytest.param(SH_HOURS, sh("2025-03-03 00:00"), sh("2025-03-10 00:00"), timedelta(hours=45), id="week"),
        pytest.param(SH_HOURS, sh("2025-03-07 17:30"), sh("2025-03-10 09:30"), timedelta(hours=1), id="fri-to-mon"),
        pytest.param(SH_HOLIDAY_MONDAY, sh("2025-03-10 00:00"), sh("2025-03-11 00:00"), timedelta(0), id="holiday"),
        pytest.param(SH_HOURS, at("2025-03-04 00:00"), at("2025-03-04 12:00"), timedelta(hours=9), id="span-shanghai"),
        pytest.param(NY_HOURS, at("2025-03-04 00:00"), at("2025-03-04 12:00"), timedelta(0), id="span-new-york"),
        pytest.param(NY_EVERY_DAY, ny("2025-03-09 00:00"), ny("2025-03-10 00:00"), timedelta(hours=9), id="spring-9h"),
        pytest.param(NY_EVERY_DAY, ny("2025-11-02 00:00"), ny("2025-11-03 00:00"), timedelta(hours=9), id="fall-9h"),
        pytest.param(NY_NIGHT_SHIFT, ny("2025-03-09 00:00"), ny("2025-03-10 00:00"), timedelta(hours=2), id="shift-2h"),
        pytest.param(NY_NIGHT_SHIFT, ny("2025-11-02 00:00"), ny("2025-11-03 00:00"), timedelta(hours=4), id="shift-4h"),
    ],
)
def test_business_time_between(calendar, start, end, expected):
    assert business_time_between(calendar, start, end) == expected


# --- counted_time ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("started_at", "now", "pauses", "expected"),
    [
        pytest.param(sh("2025-03-03 09:00"), sh("2025-03-03 17:00"), [], timedelta(hours=8), id="no-pause"),
        pytest.param(
            sh("2025-03-03 09:00"),
            sh("2025-03-03 17:00"),
            [Pause(sh("2025-03-03 10:00"), sh("2025-03-03 11:00"))],
            timedelta(hours=7),
            id="one-pause",
        ),
        pytest.param(
            sh("2025-03-03 09:00"),
            sh("2025-03-03 17:00"),
            [
                Pause(sh("2025-03-03 10:00"), sh("2025-03-03 11:00")),
                Pause(sh("2025-03-03 14:00"), sh("2025-03-03 14:30")),
            ],
            timedelta(hours=6, minutes=30),
            id="two-pauses",
        ),
        pytest.param(
            sh("2025-03-03 09:00"),
            sh("2025-03-03 17:00"),
            [
                Pause(sh("2025-03-03 10:00"), sh("2025-03-03 12:00")),
                Pause(sh("2025-03-03 11:00"), sh("2025-03-03 13:00")),
            ],
            timedelta(hours=5),
            id="overlapping-pauses",
        ),
        pytest.param(
            sh("2025-03-07 09:00"),
            sh("2025-03-10 12:00"),
            [Pause(sh("2025-03-07 17:00"), sh("2025-03-10 10:00"))],
            timedelta(hours=10),
            id="pause-over-weekend",
        ),
        pytest.param(
            sh("2025-03-03 10:00"),
            sh("2025-03-03 12:00"),
            [Pause(sh("2025-03-03 09:00"), sh("2025-03-03 11:00"))],
            timedelta(hours=1),
            id="pause-before-start",
        ),
        pytest.param(
            sh("2025-03-03 09:00"),
            sh("2025-03-03 17:00"),
            [Pause(sh("2025-03-03 11:00"))],
            timedelta(hours=2),
            id="open-pause-runs-to-now",
        ),
        pytest.param(
            sh("2025-03-04 09:00"),
            sh("2025-03-04 12:00"),
            [Pause(sh("2025-03-03 10:00"), sh("2025-03-03 11:00")), Pause(sh("2025-03-04 13:00"))],
            timedelta(hours=3),
            id="pauses-outside-span",
        ),
        pytest.param(sh("2025-03-03 12:00"), sh("2025-03-03 10:00"), [], timedelta(0), id="now-before-start"),
    ],
)
def test_counted_time_in_business_hours(started_at, now, pauses, expected):
    assert counted_time(SH_HOURS, started_at, now, pauses) == expected


# --- due_at ---------------------------------------------------------------------------------------


def pause(start: str, end: str | None, zone: str = "UTC") -> Pause:
    return Pause(at(start, zone), at(end, zone) if end else None)


@pytest.mark.parametrize(
    ("calendar", "started_at", "target", "pauses", "expected"),
    [
        pytest.param(ALWAYS, at("2025-03-03 09:00"), timedelta(hours=4), [], at("2025-03-03 13:00"), id="24x7"),
        pytest.param(ALWAYS, at("2025-03-03 09:00"), timedelta(0), [], at("2025-03-03 09:00"), id="zero-target"),
        pytest.param(
            ALWAYS,
            at("2025-03-03 09:00"),
            timedelta(hours=4),
            [pause("2025-03-03 10:00", "2025-03-03 10:30")],
            at("2025-03-03 13:30"),
            id="24x7-one-pause",
        ),
        pytest.param(
            ALWAYS,
            at("2025-03-03 09:00"),
            timedelta(hours=4),
            [pause("2025-03-03 10:00", "2025-03-03 10:30"), pause("2025-03-03 11:00", "2025-03-03 12:00")],
            at("2025-03-03 14:30"),
            id="24x7-two-pauses",
        ),
        pytest.param(
            ALWAYS,
            at("2025-03-03 09:00"),
            timedelta(hours=4),
            [pause("2025-03-03 10:30", "2025-03-03 11:30"), pause("2025-03-03 10:00", "2025-03-03 11:00")],
            at("2025-03-03 14:30"),
            id="24x7-overlapping-unsorted",
        ),
        pytest.param(
            ALWAYS,
            at("2025-03-03 09:00"),
            timedelta(hours=4),
            [pause("2025-03-03 08:00", "2025-03-03 10:00")],
            at("2025-03-03 14:00"),
            id="24x7-pause-before-start",
        ),
        pytest.param(
            ALWAYS,
            at("2025-03-03 09:00"),
            timedelta(hours=4),
            [pause("2025-03-03 13:00", "2025-03-03 14:00")],
            at("2025-03-03 13:00"),
            id="pause-begins-at-due",
        ),
        pytest.param(
            ALWAYS,
            at("2025-03-03 09:00"),
            timedelta(hours=4),
            [pause("2025-03-03 15:00", "2025-03-03 16:00")],
            at("2025-03-03 13:00"),
            id="pause-after-due",
        ),
        pytest.param(
            SH_HOURS,
            sh("2025-03-07 16:00"),
            timedelta(hours=4),
            [pause("2025-03-07 17:00", "2025-03-10 10:00", SHANGHAI)],
            sh("2025-03-10 13:00"),
            id="pause-over-weekend",
        ),
        pytest.param(
            SH_HOURS,
            sh("2025-03-03 17:00"),
            timedelta(hours=2),
            [pause("2025-03-03 19:00", "2025-03-04 08:00", SHANGHAI)],
            sh("2025-03-04 10:00"),
            id="pause-at-night-changes-nothing",
        ),
        pytest.param(
            SH_HOURS,
            sh("2025-03-03 09:00"),
            timedelta(hours=9),
            [pause("2025-03-03 17:00", "2025-03-03 20:00", SHANGHAI)],
            sh("2025-03-04 10:00"),
            id="pause-ends-after-closing",
        ),
        pytest.param(
            SH_HOLIDAY_MONDAY,
            sh("2025-03-07 15:00"),
            timedelta(hours=4),
            [pause("2025-03-07 16:00", "2025-03-07 17:00", SHANGHAI)],
            sh("2025-03-11 11:00"),
            id="pause-then-holiday",
        ),
    ],
)
def test_due_at(calendar, started_at, target, pauses, expected):
    result = due_at(calendar, started_at, target, pauses)

    assert result == expected
    assert result.tzinfo is UTC


@pytest.mark.parametrize(
    "pauses",
    [
        pytest.param([pause("2025-03-03 10:00", None)], id="open-pause"),
        pytest.param([pause("2025-03-03 08:00", None)], id="open-since-before-start"),
        pytest.param(
            [pause("2025-03-03 09:30", "2025-03-03 09:45"), pause("2025-03-03 10:00", None)], id="second-open"
        ),
    ],
)
def test_due_at_is_unknown_while_a_pause_is_open(pauses):
    assert due_at(ALWAYS, at("2025-03-03 09:00"), timedelta(hours=4), pauses) is None


# --- clock_state ----------------------------------------------------------------------------------

STARTED = at("2025-03-03 09:00")
FOUR_HOURS = timedelta(hours=4)


@pytest.mark.parametrize(
    ("target", "pauses", "now", "stopped_at", "expected"),
    [
        pytest.param(
            FOUR_HOURS,
            [],
            at("2025-03-03 11:00"),
            None,
            ClockState(at("2025-03-03 13:00"), timedelta(hours=2), paused=False, breached=False, stopped=False),
            id="running-on-time",
        ),
        pytest.param(
            FOUR_HOURS,
            [],
            at("2025-03-03 13:00"),
            None,
            ClockState(at("2025-03-03 13:00"), timedelta(0), paused=False, breached=False, stopped=False),
            id="running-exactly-due",
        ),
        pytest.param(
            FOUR_HOURS,
            [],
            at("2025-03-03 14:00"),
            None,
            ClockState(at("2025-03-03 13:00"), timedelta(hours=-1), paused=False, breached=True, stopped=False),
            id="running-breached",
        ),
        pytest.param(
            timedelta(minutes=15),
            [],
            at("2025-03-03 11:00"),
            None,
            ClockState(
                at("2025-03-03 09:15"), -timedelta(hours=1, minutes=45), paused=False, breached=True, stopped=False
            ),
            id="priority-raised-already-breached",
        ),
        pytest.param(
            timedelta(hours=8),
            [],
            at("2025-03-03 11:00"),
            None,
            ClockState(at("2025-03-03 17:00"), timedelta(hours=6), paused=False, breached=False, stopped=False),
            id="priority-lowered-more-time",
        ),
        pytest.param(
            FOUR_HOURS,
            [pause("2025-03-03 10:00", "2025-03-03 11:00")],
            at("2025-03-03 12:00"),
            None,
            ClockState(at("2025-03-03 14:00"), timedelta(hours=2), paused=False, breached=False, stopped=False),
            id="after-a-pause",
        ),
        pytest.param(
            FOUR_HOURS,
            [pause("2025-03-03 10:00", None)],
            at("2025-03-03 16:00"),
            None,
            ClockState(None, timedelta(hours=3), paused=True, breached=False, stopped=False),
            id="paused-remaining-frozen",
        ),
        pytest.param(
            timedelta(hours=1),
            [pause("2025-03-03 11:00", None)],
            at("2025-03-03 16:00"),
            None,
            ClockState(None, timedelta(hours=-1), paused=True, breached=True, stopped=False),
            id="paused-after-breach",
        ),
        pytest.param(
            FOUR_HOURS,
            [],
            at("2025-03-04 09:00"),
            at("2025-03-03 12:00"),
            ClockState(at("2025-03-03 13:00"), timedelta(hours=1), paused=False, breached=False, stopped=True),
            id="stopped-before-due",
        ),
        pytest.param(
            FOUR_HOURS,
            [],
            at("2025-03-04 09:00"),
            at("2025-03-03 13:00"),
            ClockState(at("2025-03-03 13:00"), timedelta(0), paused=False, breached=False, stopped=True),
            id="stopped-exactly-due",
        ),
        pytest.param(
            FOUR_HOURS,
            [],
            at("2025-03-04 09:00"),
            at("2025-03-03 15:00"),
            ClockState(at("2025-03-03 13:00"), timedelta(hours=-2), paused=False, breached=True, stopped=True),
            id="stopped-after-due",
        ),
        pytest.param(
            FOUR_HOURS,
            [pause("2025-03-03 10:00", None)],
            at("2025-03-04 09:00"),
            at("2025-03-03 12:00"),
            ClockState(at("2025-03-03 15:00"), timedelta(hours=3), paused=False, breached=False, stopped=True),
            id="stopped-while-paused",
        ),
        pytest.param(
            FOUR_HOURS,
            [pause("2025-03-03 10:00", "2025-03-03 11:00"), pause("2025-03-03 12:30", None)],
            at("2025-03-04 09:00"),
            at("2025-03-03 12:00"),
            ClockState(at("2025-03-03 14:00"), timedelta(hours=2), paused=False, breached=False, stopped=True),
            id="stopped-before-later-pause",
        ),
    ],
)
def test_clock_state_24x7(target, pauses, now, stopped_at, expected):
    assert clock_state(ALWAYS, STARTED, target, pauses, now, stopped_at) == expected


@pytest.mark.parametrize(
    ("now", "stopped_at", "expected"),
    [
        pytest.param(
            sh("2025-03-08 12:00"),
            None,
            ClockState(sh("2025-03-07 18:00"), timedelta(0), paused=False, breached=True, stopped=False),
            id="weekend-after-due-at-closing",
        ),
        pytest.param(
            sh("2025-03-10 09:30"),
            None,
            ClockState(sh("2025-03-07 18:00"), timedelta(minutes=-30), paused=False, breached=True, stopped=False),
            id="monday-morning",
        ),
        pytest.param(
            sh("2025-03-10 12:00"),
            sh("2025-03-08 10:00"),
            ClockState(sh("2025-03-07 18:00"), timedelta(0), paused=False, breached=True, stopped=True),
            id="answered-on-saturday",
        ),
    ],
)
def test_clock_state_in_business_hours_breaches_once_the_due_moment_passes(now, stopped_at, expected):
    started_friday = sh("2025-03-07 17:00")

    assert clock_state(SH_HOURS, started_friday, timedelta(hours=1), [], now, stopped_at) == expected


def test_priority_change_recomputes_from_the_original_start():
    started, now = sh("2025-03-03 09:00"), sh("2025-03-03 11:00")

    before = clock_state(SH_HOURS, started, timedelta(hours=8), [], now)
    after = clock_state(SH_HOURS, started, timedelta(minutes=15), [], now)

    assert (before.due_at, before.remaining, before.breached) == (sh("2025-03-03 17:00"), timedelta(hours=6), False)
    assert (after.due_at, after.remaining, after.breached) == (
        sh("2025-03-03 09:15"),
        -timedelta(hours=1, minutes=45),
        True,
    )


# --- invalid input --------------------------------------------------------------------------------

NAIVE = datetime.fromisoformat("2025-03-03 09:00")
AWARE = at("2025-03-03 09:00")


@pytest.mark.parametrize(
    "call",
    [
        pytest.param(lambda: business_time_between(ALWAYS, NAIVE, AWARE), id="between-start"),
        pytest.param(lambda: business_time_between(SH_HOURS, AWARE, NAIVE), id="between-end"),
        pytest.param(lambda: add_business_time(SH_HOURS, NAIVE, timedelta(hours=1)), id="add-start"),
        pytest.param(lambda: add_business_time(ALWAYS, NAIVE, timedelta(0)), id="add-start-zero"),
        pytest.param(lambda: counted_time(ALWAYS, NAIVE, AWARE, []), id="counted-started"),
        pytest.param(lambda: counted_time(ALWAYS, AWARE, NAIVE, []), id="counted-now"),
        pytest.param(lambda: due_at(ALWAYS, NAIVE, timedelta(hours=1), []), id="due-started"),
        pytest.param(lambda: clock_state(ALWAYS, NAIVE, timedelta(hours=1), [], AWARE), id="state-started"),
        pytest.param(lambda: clock_state(ALWAYS, AWARE, timedelta(hours=1), [], NAIVE), id="state-now"),
        pytest.param(lambda: clock_state(ALWAYS, AWARE, timedelta(hours=1), [], AWARE, NAIVE), id="state-stopped"),
        pytest.param(lambda: Pause(NAIVE), id="pause-start"),
        pytest.param(lambda: Pause(AWARE, NAIVE), id="pause-end"),
    ],
)
def test_naive_datetimes_are_rejected(call):
    with pytest.raises(ValueError, match="timezone-aware"):
        call()


@pytest.mark.parametrize(
    "call",
    [
        pytest.param(lambda: add_business_time(SH_HOURS, AWARE, timedelta(seconds=-1)), id="add-duration"),
        pytest.param(lambda: due_at(ALWAYS, AWARE, timedelta(hours=-1), []), id="due-target"),
        pytest.param(lambda: clock_state(ALWAYS, AWARE, timedelta(hours=-1), [], AWARE), id="state-target"),
    ],
)
def test_negative_durations_are_rejected(call):
    with pytest.raises(ValueError, match="must not be negative"):
        call()


def test_pause_cannot_end_before_it_starts():
    with pytest.raises(ValueError, match="cannot end"):
        Pause(at("2025-03-03 10:00"), at("2025-03-03 09:59"))


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        pytest.param({"time_zone": "Mars/Olympus"}, "Unknown time zone", id="unknown-zone"),
        pytest.param({"time_zone": ""}, "Unknown time zone", id="empty-zone"),
        pytest.param({"time_zone": "../../etc/passwd"}, "Unknown time zone", id="path-as-zone"),
        pytest.param({"time_zone": "UTC", "opens_at": time(18), "closes_at": time(9)}, "must be after", id="reversed"),
        pytest.param({"time_zone": "UTC", "opens_at": time(9), "closes_at": time(9)}, "must be after", id="no-hours"),
        pytest.param({"time_zone": "UTC", "opens_at": time(9, tzinfo=UTC)}, "without a tzinfo", id="aware-hours"),
        pytest.param({"time_zone": "UTC", "open_days": frozenset()}, "at least one open day", id="no-open-days"),
        pytest.param({"time_zone": "UTC", "open_days": frozenset({7})}, "0 \\(Monday\\) to 6", id="day-seven"),
        pytest.param({"time_zone": "UTC", "open_days": frozenset({-1})}, "0 \\(Monday\\) to 6", id="day-minus-one"),
        pytest.param({"time_zone": "UTC", "holidays": frozenset({AWARE})}, "pass date objects", id="datetime-holiday"),
        pytest.param(
            {"time_zone": "UTC", "holidays": frozenset({"2025-03-10"})}, "pass date objects", id="str-holiday"
        ),
        pytest.param(
            {"time_zone": "UTC", "always_open": True, "holidays": frozenset({date(2025, 3, 10)})},
            "24x7",
            id="24x7-with-holidays",
        ),
    ],
)
def test_invalid_calendars_are_rejected(arguments, message):
    with pytest.raises(ValueError, match=message):
        BusinessCalendar(**arguments)


def test_calendars_are_hashable_values_whatever_collections_they_are_built_from():
    from_range = BusinessCalendar.business_hours(SHANGHAI, open_days=range(5), holidays=[date(2025, 3, 10)])
    from_set = BusinessCalendar(SHANGHAI, open_days={0, 1, 2, 3, 4}, holidays={date(2025, 3, 10)})

    assert from_range == from_set == SH_HOLIDAY_MONDAY
    assert len({from_range, from_set}) == 1


def test_twenty_four_seven_may_open_with_no_business_days():
    calendar = BusinessCalendar("UTC", always_open=True, open_days=frozenset())

    assert business_time_between(calendar, at("2025-03-08 00:00"), at("2025-03-09 00:00")) == timedelta(hours=24)


# --- random calendars -----------------------------------------------------------------------------

ZONES = [
    "UTC",
    SHANGHAI,
    NEW_YORK,
    "Europe/London",
    "Australia/Sydney",
    "Asia/Kolkata",
    "Pacific/Chatham",
    "America/Sao_Paulo",
]


def random_calendar(rng: random.Random) -> BusinessCalendar:
    zone = rng.choice(ZONES)
    if rng.random() < 0.2:
        return BusinessCalendar.twenty_four_seven(zone)
    # Half the calendars open in the small hours, where daylight-saving changes happen.
    first_minute = rng.randrange(0, 4 * 60) if rng.random() < 0.5 else rng.randrange(0, 23 * 60)
    last_minute = rng.randrange(first_minute + 1, 24 * 60)
    holidays = {date(2024, 1, 1) + timedelta(days=rng.randrange(800)) for _ in range(rng.randrange(20))}
    return BusinessCalendar.business_hours(
        zone,
        open_days=rng.sample(range(7), rng.randint(1, 7)),
        opens_at=time(*divmod(first_minute, 60)),
        closes_at=time(*divmod(last_minute, 60)),
        holidays=holidays,
    )


def random_moment(rng: random.Random) -> datetime:
    seconds = rng.randrange(2 * 365 * 24 * 3600)
    return (at("2024-01-01 00:00") + timedelta(seconds=seconds)).astimezone(ZoneInfo(rng.choice(ZONES)))


def random_duration(rng: random.Random, calendar: BusinessCalendar) -> timedelta:
    """Up to 200 hours, and up to three weeks of this calendar's hours, as a real target would be."""
    if calendar.always_open:
        weekly_seconds = 7 * 24 * 3600
    else:
        daily = datetime.combine(date.min, calendar.closes_at) - datetime.combine(date.min, calendar.opens_at)
        weekly_seconds = len(calendar.open_days) * int(daily.total_seconds())
    return timedelta(seconds=rng.randrange(min(200 * 3600, 3 * weekly_seconds)))


def random_pauses(rng: random.Random, around: datetime) -> list[Pause]:
    pauses = []
    for _ in range(rng.randrange(4)):
        begin = around + timedelta(seconds=rng.randrange(-2 * 24 * 3600, 20 * 24 * 3600))
        pauses.append(Pause(begin, begin + timedelta(seconds=rng.randrange(5 * 24 * 3600))))
    return pauses


def test_random_calendars_round_trip():
    rng = random.Random(20250303)
    for case in range(300):
        calendar = random_calendar(rng)
        start = random_moment(rng)
        duration = random_duration(rng, calendar)
        pauses = random_pauses(rng, start)
        label = f"case {case}: {calendar}, start={start}, duration={duration}, pauses={pauses}"

        end = add_business_time(calendar, start, duration)
        due = due_at(calendar, start, duration, pauses)

        assert end >= start, label
        assert business_time_between(calendar, start, end) == duration, label
        assert due_at(calendar, start, duration, []) == end, label
        assert counted_time(calendar, start, due, pauses) == duration, label
        if duration:
            assert counted_time(calendar, start, due - timedelta(microseconds=1), pauses) < duration, label
