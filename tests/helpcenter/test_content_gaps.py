"""The content gaps' daily rollup: closed UTC days are read from ContentGapDay, the rest from the searches, and
the dashboard's list is the same either way — for any period, in any time zone, after escalations and
withdrawals. Counts belong to their day, so a 30-day list counts 30 days."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from kbportal.analytics.metrics import selfservice
from kbportal.analytics.scope import Scope
from kbportal.helpcenter import services
from kbportal.helpcenter.models import ContentGapDay, ContentGapRolledDay, HelpOutcome, HelpSession
from tests.tickets.factories import TicketFactory

pytestmark = pytest.mark.django_db

# Noon (UTC) today: which day each search falls on does not depend on when the tests run.
NOW = datetime.combine(timezone.now().astimezone(UTC).date(), datetime.min.time(), tzinfo=UTC) + timedelta(hours=12)


def _search(query: str, *, hours_ago: float, results: int = 0, language: str = "en", outcome=HelpOutcome.OPEN):
    at = NOW - timedelta(hours=hours_ago)
    session = HelpSession.objects.create(language=language, started_at=at, last_activity_at=at, outcome=outcome)
    services.help_session_record_search(
        session=session, query=query, results=[{"kind": "article", "id": 1}] * results, result_count=results, at=at
    )
    return session


@pytest.fixture
def history():
    """Searches over 40 days, with and without results, in two languages, some in sessions that became tickets."""
    for day in range(40):
        _search("VPN drops", hours_ago=24 * day + 3)
        _search("vpn drops!", hours_ago=24 * day + 13, outcome=HelpOutcome.ESCALATED)
        _search("Install", hours_ago=24 * day + 7, results=3, outcome=HelpOutcome.ESCALATED if day % 3 else "open")
        if day % 2:
            _search("打印机", hours_ago=24 * day + 20, language="zh-hans")
            _search(f"rare {day}", hours_ago=24 * day + 1)


def _from_searches(scope: Scope) -> list[dict]:
    return selfservice._failed_queries_from(selfservice.searches(scope))[: selfservice.LIST_LENGTH]


def _scopes() -> list[Scope]:
    today = timezone.localdate()
    return [
        Scope(since=today - timedelta(days=29), until=today),
        Scope(since=today - timedelta(days=89), until=today),
        Scope(since=today - timedelta(days=12), until=today - timedelta(days=3), tz=ZoneInfo("Asia/Kolkata")),
        Scope(since=today - timedelta(days=20), until=today, tz=ZoneInfo("America/Los_Angeles"), language="zh-hans"),
    ]


def test_the_list_is_the_same_from_the_rollup_as_from_the_searches(history):
    expected = [_from_searches(scope) for scope in _scopes()]

    services.content_gap_rollup_due()

    assert ContentGapRolledDay.objects.count() >= 39
    assert [selfservice._failed_queries(scope) for scope in _scopes()] == expected
    assert expected[0][0]["normalised_query"] == "vpn drops"


def test_the_counts_are_bound_to_the_period(history):
    services.content_gap_rollup_due()

    thirty, ninety = (selfservice._failed_queries(scope) for scope in _scopes()[:2])

    vpn_30 = next(row for row in thirty if row["normalised_query"] == "vpn drops")
    vpn_90 = next(row for row in ninety if row["normalised_query"] == "vpn drops")
    # "VPN drops" on each of the 30 days; "vpn drops!", half a day earlier, on 29 of them.
    assert (vpn_30["without_results"], vpn_30["escalated"]) == (30 + 29, 29)
    assert (vpn_90["without_results"], vpn_90["escalated"]) == (80, 40)


def test_rolling_up_again_changes_nothing(history):
    services.content_gap_rollup_due()
    first = list(ContentGapDay.objects.order_by("day", "normalised_query", "language").values())

    services.content_gap_rollup_due()
    services.content_gap_rollup(days=[row["day"] for row in first])

    again = list(ContentGapDay.objects.order_by("day", "normalised_query", "language").values())
    assert [{k: v for k, v in row.items() if k != "id"} for row in again] == [
        {k: v for k, v in row.items() if k != "id"} for row in first
    ]


def test_today_is_never_rolled_up_and_is_read_from_the_searches():
    _search("fresh gap", hours_ago=0)

    services.content_gap_rollup_due()

    today = NOW.astimezone(UTC).date()
    assert not ContentGapRolledDay.objects.filter(day=today).exists()
    [row] = selfservice._failed_queries(_scopes()[0])
    assert (row["normalised_query"], row["without_results"]) == ("fresh gap", 1)


def test_a_withdrawal_after_the_day_was_rolled_up_rolls_it_up_again():
    session = _search("printer offline", hours_ago=30, results=2, outcome=HelpOutcome.ESCALATED)
    ticket = TicketFactory()
    HelpSession.objects.filter(pk=session.pk).update(ticket=ticket)
    services.content_gap_rollup_due()
    assert selfservice._failed_queries(_scopes()[0])[0]["escalated"] == 1

    services.ticket_withdraw(ticket=ticket, by=None)

    assert selfservice._failed_queries(_scopes()[0]) == []
    assert _from_searches(_scopes()[0]) == []


def test_a_search_written_late_rolls_its_day_up_again():
    services.content_gap_rollup_due()
    yesterday = datetime.combine(NOW.astimezone(UTC).date() - timedelta(days=1), datetime.min.time(), tzinfo=UTC)
    services.content_gap_rollup(days=[yesterday.date()])

    services.help_searches_write(
        [
            {
                "visit": services.new_visit_token(),
                "session": None,
                "user": None,
                "language": "en",
                "query": "late gap",
                "count": 0,
                "results": [],
                "at": (yesterday + timedelta(hours=23)).isoformat(),
            }
        ]
    )

    assert ContentGapDay.objects.get(day=yesterday.date()).normalised_query == "late gap"
