"""Days in the viewer's time zone, counted by the database itself, across daylight-saving changes."""

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.db.models import Count

from kbportal.analytics.scope import Scope
from kbportal.analytics.timebuckets import LocalDate, offset_stretches
from kbportal.helpcenter.models import HelpSession

pytestmark = pytest.mark.django_db

BERLIN = ZoneInfo("Europe/Berlin")


def _days(scope: Scope) -> dict[date, int]:
    rows = HelpSession.objects.annotate(day=LocalDate("started_at", scope)).values("day").annotate(n=Count("pk"))
    return {row["day"]: row["n"] for row in rows}


def test_a_daylight_saving_change_starts_a_new_offset():
    stretches = offset_stretches(datetime(2025, 3, 29, tzinfo=UTC), datetime(2025, 4, 1, tzinfo=UTC), BERLIN)

    assert stretches == [(datetime(2025, 3, 30, 1, 0, tzinfo=UTC), 60), (None, 120)]


def test_moments_fall_on_the_local_day_on_both_sides_of_the_change():
    scope = Scope(since=date(2025, 3, 29), until=date(2025, 3, 31), tz=BERLIN)
    for moment in (
        datetime(2025, 3, 29, 22, 30, tzinfo=UTC),  # 23:30 on the 29th in Berlin (UTC+1)
        datetime(2025, 3, 29, 23, 30, tzinfo=UTC),  # 00:30 on the 30th (UTC+1)
        datetime(2025, 3, 30, 21, 30, tzinfo=UTC),  # 23:30 on the 30th (UTC+2 by then)
        datetime(2025, 3, 30, 22, 30, tzinfo=UTC),  # 00:30 on the 31st (UTC+2)
    ):
        HelpSession.objects.create(started_at=moment)

    assert _days(scope) == {date(2025, 3, 29): 1, date(2025, 3, 30): 2, date(2025, 3, 31): 1}


def test_a_zone_with_a_quarter_hour_offset():
    kathmandu = ZoneInfo("Asia/Kathmandu")  # UTC+5:45
    HelpSession.objects.create(started_at=datetime(2025, 6, 1, 18, 14, tzinfo=UTC))  # 23:59 on 1 June
    HelpSession.objects.create(started_at=datetime(2025, 6, 1, 18, 16, tzinfo=UTC))  # 00:01 on 2 June

    assert _days(Scope(since=date(2025, 6, 1), until=date(2025, 6, 2), tz=kathmandu)) == {
        date(2025, 6, 1): 1,
        date(2025, 6, 2): 1,
    }
