"""Ticket figures on hand-set facts: volumes, business-time percentiles, first-contact resolution, escalations,
service-level compliance per clock, the backlog now, and the filters."""

from datetime import timedelta

import pytest
from django.utils import timezone

from articles.models import ProductVersion
from kbportal.analytics.links import metric_url
from kbportal.analytics.registry import registry
from kbportal.choices import Language
from tests.analytics.factories import MARCH, at, scope, ticket
from tests.tickets.factories import OrganisationFactory
from tickets.models import Channel, Plan, Priority, Status, Tier

pytestmark = pytest.mark.django_db

HOUR = 3600


def value(key: str, in_scope=MARCH):
    return registry.metrics[key].value(in_scope)


def row_ids(key: str, in_scope=MARCH) -> list[int]:
    return [record.pk for record in registry.metrics[key].rows(in_scope)]


def table(key: str, in_scope=MARCH) -> dict:
    return dict(registry.breakdowns[key].table(in_scope).rows)


def resolved(when, **fields):
    fields.setdefault("created_at", when - timedelta(days=2))
    return ticket(status=Status.RESOLVED, resolved_at=when, **fields)


def test_tickets_created_counts_whole_days_in_the_viewers_time_zone():
    # Shanghai is UTC+8: 00:30 on 1 April is 16:30 on 31 March in UTC, 00:30 on 1 March is 16:30 on 28 February.
    first = ticket(created_at=at(1, 0, 30))
    last = ticket(created_at=at(31, 23, 30))
    ticket(created_at=at(28, 23, 30, month=2))
    ticket(created_at=at(1, 0, 30, month=4))

    assert value("tickets_created") == 2
    assert row_ids("tickets_created") == [last.pk, first.pk]


def test_first_response_percentiles_by_nearest_rank_over_tickets_created_in_the_period():
    # Business seconds 1…4 (as the clock counted them): the median is 2, the 90th percentile 4 (rank ⌈3.6⌉).
    answered = [
        ticket(created_at=at(day), first_response_seconds=seconds) for day, seconds in ((3, 4), (4, 1), (5, 3), (6, 2))
    ]
    waiting = ticket(created_at=at(7))  # no reply yet: counted as created, not in the percentiles
    ticket(created_at=at(20, month=2), first_response_seconds=1)

    assert value("first_response_median") == 2
    assert value("first_response_p90") == 4
    assert value("tickets_created") == 5
    assert set(row_ids("first_response_median")) == {record.pk for record in answered}
    assert waiting.pk not in row_ids("first_response_p90")


def test_resolution_percentiles_over_tickets_resolved_in_the_period_in_business_time():
    # 1…10 hours: the median is 5 (rank ⌈5⌉), the 90th percentile 9 (rank ⌈9⌉). Wall-clock time is ignored:
    # the one created in February took weeks on the calendar but 10 hours on the business clock.
    counted = [resolved(at(10 + hours), resolution_seconds=hours * HOUR) for hours in range(1, 10)]
    counted.append(resolved(at(20), created_at=at(3, month=2), resolution_seconds=10 * HOUR))
    resolved(at(2, month=4), resolution_seconds=1)
    resolved(at(27, month=2), resolution_seconds=100 * HOUR)

    assert value("resolution_median") == 5 * HOUR
    assert value("resolution_p90") == 9 * HOUR
    assert row_ids("resolution_median") == [
        record.pk for record in sorted(counted, key=lambda t: t.resolved_at, reverse=True)
    ]


def test_first_contact_resolution_and_escalation_rate():
    first_contact = resolved(at(5))
    resolved(at(6), reopen_count=1)
    resolved(at(7), tier=Tier.TIER_2, escalation_count=1)
    handed_back = resolved(at(8), escalation_count=1)  # escalated, then handed back to tier 1
    resolved(at(2, month=4))
    # Created in March: the four above (created two days before resolving) and one more, unresolved.
    ticket(created_at=at(20))

    assert value("first_contact_resolution") == pytest.approx(1 / 4)
    assert row_ids("first_contact_resolution") == [first_contact.pk]
    # Created in March: six (the one resolved in April was created on 31 March); escalated: two of them.
    assert value("tickets_created") == 6
    assert value("escalation_rate") == pytest.approx(2 / 6)
    assert handed_back.pk in row_ids("escalation_rate")


@pytest.fixture
def clocks():
    """Five clocks stopped in March, three met; each clock counts in the period where it stopped."""
    return {
        # First response met on 3 March, resolution missed on 5 March.
        "p1 tier 1": resolved(
            at(5), priority=Priority.P1, first_response_at=at(3), first_response_met=True, resolution_met=False
        ),
        # First response met, still open.
        "p2 tier 2": ticket(priority=Priority.P2, tier=Tier.TIER_2, first_response_at=at(4), first_response_met=True),
        # First response missed in February (not counted), resolution met in March.
        "p2 tier 1": resolved(
            at(10),
            created_at=at(20, month=2),
            priority=Priority.P2,
            first_response_at=at(25, month=2),
            first_response_met=False,
            resolution_met=True,
        ),
        # First response missed at 23:30 on the last evening.
        "p3 tier 2": ticket(
            priority=Priority.P3, tier=Tier.TIER_2, first_response_at=at(31, 23, 30), first_response_met=False
        ),
        # Both clocks stopped in April: not in the period.
        "april": resolved(
            at(2, month=4), first_response_at=at(1, 1, month=4), first_response_met=False, resolution_met=False
        ),
    }


def test_sla_compliance_is_clocks_met_over_clocks_stopped(clocks):
    # First response: 2 of 3 met; resolution: 1 of 2 met; together 3 of 5.
    assert value("sla_compliance") == pytest.approx(3 / 5)
    assert set(row_ids("sla_compliance")) == {
        clocks[name].pk for name in ("p1 tier 1", "p2 tier 2", "p2 tier 1", "p3 tier 2")
    }


def test_sla_compliance_per_priority_and_per_tier(clocks):
    by_priority = registry.breakdowns["sla_by_priority"].table(MARCH)
    by_tier = registry.breakdowns["sla_by_tier"].table(MARCH)

    assert [str(column) for column in by_priority.columns] == ["first response", "resolution"]
    assert [values for _label, values in by_priority.rows] == [[1.0, 0.0], [1.0, 1.0], [0.0, None], [None, None]]
    assert [values for _label, values in by_tier.rows] == [
        [1.0, pytest.approx(1 / 2)],
        [pytest.approx(1 / 2), None],
        [None, None],
    ]
    assert list(by_tier.links) == [metric_url("sla_compliance", scope(tier=tier)) for tier in Tier.values]
    assert "tier=2" in by_tier.links[1]
    assert value("sla_compliance", scope(tier=Tier.TIER_2)) == pytest.approx(1 / 2)


def test_volume_by_channel_priority_tier_and_day():
    ticket(created_at=at(1, 0, 30), channel=Channel.EMAIL, priority=Priority.P1)
    ticket(created_at=at(1, 23, 30), channel=Channel.WEB, priority=Priority.P3, tier=Tier.TIER_2)
    ticket(created_at=at(2, 8), channel=Channel.WEB, priority=Priority.P3, tier=Tier.TIER_3)
    ticket(created_at=at(1, 0, 30, month=4), channel=Channel.API)

    assert table("tickets_by_channel") == {
        "Web form": [2],
        "Self-service escalation": [0],
        "Community": [0],
        "API": [0],
        "E-mail": [1],
    }
    assert list(table("tickets_by_priority").values()) == [[1], [0], [2], [0]]
    by_tier = registry.breakdowns["tickets_by_tier"].table(MARCH)
    assert [values for _label, values in by_tier.rows] == [[1], [1], [1]]
    assert by_tier.links[2] == metric_url("tickets_created", scope(tier=Tier.TIER_3))
    by_day = registry.breakdowns["tickets_by_day_and_channel"].table(MARCH)
    assert len(by_day.rows) == 31
    assert by_day.rows[0] == ("2025-03-01", [1, 0, 0, 0, 1])
    assert by_day.rows[1] == ("2025-03-02", [1, 0, 0, 0, 0])
    assert by_day.rows[30] == ("2025-03-31", [0, 0, 0, 0, 0])


def test_the_backlog_is_todays_active_tickets_by_age_whatever_the_period():
    now = timezone.now()
    for age in (
        timedelta(hours=2),
        timedelta(days=1),
        timedelta(days=2),
        timedelta(days=5),
        timedelta(days=29),
        timedelta(days=30),
        timedelta(days=400),
    ):
        ticket(created_at=now - age, status=Status.OPEN)
    ticket(created_at=now - timedelta(days=5), status=Status.WAITING, language=Language.ZH_HANS)
    ticket(created_at=now - timedelta(days=5), status=Status.RESOLVED)
    ticket(created_at=now - timedelta(days=5), status=Status.CLOSED)

    assert table("backlog_by_age") == {
        "under 1 day": [1],
        "1–3 days": [2],
        "3–7 days": [2],
        "7–30 days": [1],
        "over 30 days": [2],
    }
    assert table("backlog_by_age", scope(language=Language.ZH_HANS)) == {
        "under 1 day": [0],
        "1–3 days": [0],
        "3–7 days": [1],
        "7–30 days": [0],
        "over 30 days": [0],
    }


def test_every_filter_narrows_every_ticket_figure():
    other = OrganisationFactory(plan=Plan.ENTERPRISE)
    version = ProductVersion.objects.create(name="analytics-9.3")
    plain = resolved(at(10), first_response_seconds=100, resolution_seconds=1000)
    special = {
        "organisation_id": resolved(at(11), organisation=other, first_response_seconds=200, resolution_seconds=2000),
        "plan": resolved(at(11), plan=Plan.ENTERPRISE, first_response_seconds=300, resolution_seconds=3000),
        "tier": resolved(at(11), tier=Tier.TIER_3, first_response_seconds=400, resolution_seconds=4000),
        "language": resolved(at(11), language=Language.ZH_HANS, first_response_seconds=500, resolution_seconds=5000),
        "product_version_id": resolved(
            at(11), product_version=version, first_response_seconds=600, resolution_seconds=6000
        ),
        "priority": resolved(at(11), priority=Priority.P1, first_response_seconds=700, resolution_seconds=7000),
        "channel": resolved(at(11), channel=Channel.API, first_response_seconds=800, resolution_seconds=8000),
    }
    choices = {
        "organisation_id": other.pk,
        "plan": Plan.ENTERPRISE,
        "tier": Tier.TIER_3,
        "language": Language.ZH_HANS,
        "product_version_id": version.pk,
        "priority": Priority.P1,
        "channel": Channel.API,
    }

    assert value("tickets_created") == 8
    for name, only in special.items():
        narrowed = scope(**{name: choices[name]})
        assert row_ids("tickets_created", narrowed) == [only.pk], name
        assert value("first_response_median", narrowed) == only.first_response_seconds, name
        assert value("resolution_p90", narrowed) == only.resolution_seconds, name
        assert sum(values[0] for values in table("tickets_by_channel", narrowed).values()) == 1, name
    assert plain.pk not in row_ids("resolution_median", scope(plan=Plan.ENTERPRISE))
    for key in [*registry.metrics, *registry.breakdowns]:
        item = registry.metrics.get(key) or registry.breakdowns[key]
        if item.section == "tickets":
            assert item.filters == {
                "product_version", "organisation", "plan", "tier", "language", "priority", "channel"
            }, key  # fmt: skip


def test_without_tickets_times_and_rates_are_empty():
    for key in (
        "first_response_median",
        "resolution_p90",
        "first_contact_resolution",
        "escalation_rate",
        "sla_compliance",
    ):
        assert value(key) is None, key
    assert value("tickets_created") == 0
