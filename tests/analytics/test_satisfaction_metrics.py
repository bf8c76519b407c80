"""Satisfaction figures on hand-computed answers: averages, shares, NPS rounding, the period in Shanghai, filters."""

from datetime import timedelta

import pytest

from articles.models import ProductVersion
from kbportal.analytics.metrics.satisfaction import net_promoter_score
from kbportal.analytics.registry import registry
from kbportal.choices import Language
from tests.analytics.factories import MARCH, at, follow_up_case, response, scope
from tests.tickets.factories import OrganisationFactory
from tickets.models import Plan, Tier

pytestmark = pytest.mark.django_db


def value(key: str, in_scope=MARCH):
    return registry.metrics[key].value(in_scope)


def row_ids(key: str, in_scope=MARCH) -> list[int]:
    return [record.pk for record in registry.metrics[key].rows(in_scope)]


def table(key: str, in_scope=MARCH) -> dict:
    return dict(registry.breakdowns[key].table(in_scope).rows)


@pytest.fixture
def five():
    """CSAT 5, 4, 4, 2, 1 in March; one flagged burst answer and one from February are not counted."""
    counted = [
        response(when=at(2), csat=5, ces=1, service_index="100.0", ratings={"resolution": 1, "attitude": 2}),
        response(when=at(5), csat=4, ces=2, service_index="75.0", ratings={"resolution": 2, "attitude": 2}),
        response(when=at(12), csat=4, ces=3, service_index="50.0", ratings={"resolution": 3, "attitude": 3}),
        response(when=at(20), csat=2, ces=4, service_index="25.0", ratings={"resolution": 4, "attitude": 3}),
        response(when=at(28), csat=1, ces=5, service_index="0.0", ratings={"resolution": 5, "attitude": 3}),
    ]
    response(when=at(15), csat=5, ces=1, service_index="100.0", flagged=True)
    response(when=at(20, month=2), csat=5, ces=1, service_index="100.0")
    return counted


def test_csat_satisfied_service_index_and_ces_averages(five):
    # (5 + 4 + 4 + 2 + 1) ÷ 5 = 3.2; CSAT 4–5: 3 of 5; (100 + 75 + 50 + 25 + 0) ÷ 5 = 50; (1 + … + 5) ÷ 5 = 3.
    assert value("csat_average") == pytest.approx(3.2)
    assert value("csat_satisfied") == pytest.approx(0.6)
    assert value("service_index") == pytest.approx(50.0)
    assert value("ces_average") == pytest.approx(3.0)


def test_the_rows_are_the_answers_counted(five):
    newest_first = [answer.pk for answer in reversed(five)]

    for key in ("csat_average", "service_index", "ces_average"):
        assert row_ids(key) == newest_first
    assert row_ids("csat_satisfied") == [five[2].pk, five[1].pk, five[0].pk]


def test_the_dimensions_are_averaged_one_by_one(five):
    dimensions = table("service_index_dimensions")

    # Unset ratings are 4; resolution 1…5 → 3; attitude 2, 2, 3, 3, 3 → 13 ÷ 5 = 2.6.
    assert list(dimensions.values()) == [[4.0], [3.0], [4.0], [pytest.approx(2.6)], [4.0]]
    assert list(dimensions) == ["response speed", "resolution", "expertise", "attitude", "follow-up"]


def test_without_answers_averages_and_shares_are_empty_not_zero():
    assert value("csat_average") is None
    assert value("csat_satisfied") is None
    assert value("nps") is None
    assert value("follow_up_closed") is None
    assert table("service_index_dimensions")["resolution"] == [None]


def test_nps_is_promoters_minus_detractors_among_those_who_answered_it():
    # 10, 9 promote, 8, 7 are passive, 6, 3 detract: 2/6 − 2/6 = 0. An answer without NPS is not counted.
    answers = [response(when=at(day), nps=nps) for day, nps in zip(range(1, 7), (10, 9, 8, 7, 6, 3), strict=True)]
    response(when=at(8), nps=None)

    assert value("nps") == 0
    assert set(row_ids("nps")) == {answer.pk for answer in answers}


@pytest.mark.parametrize(
    ("promoters", "passives", "detractors", "expected"),
    # (20 − 3) ÷ 40 = 42.5 % → 43, not 42 as round() would give; the mirror image → −43.
    [(20, 17, 3, 43), (3, 17, 20, -43)],
    ids=["plus-42.5", "minus-42.5"],
)
def test_nps_rounds_halves_away_from_zero(promoters, passives, detractors, expected):
    scores = [9, 10] * (promoters // 2) + [9] * (promoters % 2) + [7, 8] * (passives // 2) + [8] * (passives % 2)
    scores += [0, 6] * (detractors // 2) + [5] * (detractors % 2)
    assert len(scores) == 40
    for n, nps in enumerate(scores):
        response(when=at(1 + n % 28, 10 + n % 12), nps=nps)

    assert value("nps") == expected
    assert net_promoter_score(promoters, detractors, 40) == expected


def test_the_period_is_whole_days_in_the_viewers_time_zone():
    # Shanghai is UTC+8: 23:30 on 31 March is 15:30 UTC, 00:30 on 1 April is 16:30 UTC on 31 March.
    first = response(when=at(1, 0, 30), csat=5)
    last = response(when=at(31, 23, 30), csat=3)
    response(when=at(28, 23, 30, month=2), csat=1)
    response(when=at(1, 0, 30, month=4), csat=1)

    assert value("csat_average") == pytest.approx(4.0)
    assert row_ids("csat_average") == [last.pk, first.pk]


def test_the_filters_narrow_through_the_ticket(five):
    other = OrganisationFactory(plan=Plan.ENTERPRISE)
    version = ProductVersion.objects.create(name="analytics-9.1")
    chinese = response(when=at(3), csat=1, language=Language.ZH_HANS)
    elsewhere = response(when=at(3), csat=2, organisation=other, plan=Plan.ENTERPRISE, tier=Tier.TIER_3)
    on_version = response(when=at(3), csat=3, product_version=version)

    assert value("csat_average", scope(language=Language.ZH_HANS)) == 1.0
    assert row_ids("csat_average", scope(organisation_id=other.pk)) == [elsewhere.pk]
    assert row_ids("csat_average", scope(plan=Plan.ENTERPRISE)) == [elsewhere.pk]
    assert row_ids("csat_average", scope(tier=Tier.TIER_3)) == [elsewhere.pk]
    assert row_ids("csat_average", scope(product_version_id=version.pk)) == [on_version.pk]
    # Unfiltered: the five, the three, 18 ÷ 8.
    assert value("csat_average") == pytest.approx((16 + 1 + 2 + 3) / 8)
    assert chinese.pk in row_ids("csat_average")


def test_follow_up_cases_opened_in_the_period_and_how_many_are_closed():
    cases = [follow_up_case(when=at(3), closed=True), follow_up_case(when=at(9)), follow_up_case(when=at(31, 23))]
    follow_up_case(when=at(28, month=2), closed=True)
    follow_up_case(when=at(1, 0, 30, month=4))

    assert value("follow_up_cases") == 3
    assert value("follow_up_closed") == pytest.approx(1 / 3)
    assert row_ids("follow_up_cases") == [case.pk for case in reversed(cases)]
    assert row_ids("follow_up_closed") == [cases[0].pk]


def test_the_weekly_trend_uses_iso_weeks_in_the_viewers_time_zone():
    # 1 March 2025 is a Saturday: the period touches the weeks of Monday 24 February … Monday 31 March.
    response(when=at(1), csat=5)
    response(when=at(4), csat=4)
    response(when=at(9, 23, 30), csat=2)  # Sunday night in Shanghai: still week 10.
    response(when=at(10, 0, 30), csat=1)  # Monday 00:30 in Shanghai (Sunday in UTC): week 11.
    response(when=at(31, 9), csat=5)

    csat, satisfied = table("csat_by_week"), table("satisfied_by_week")

    assert list(csat) == ["2025-W09", "2025-W10", "2025-W11", "2025-W12", "2025-W13", "2025-W14"]
    assert csat == {
        "2025-W09": [5.0],
        "2025-W10": [3.0],
        "2025-W11": [1.0],
        "2025-W12": [None],
        "2025-W13": [None],
        "2025-W14": [5.0],
    }
    assert satisfied == {
        "2025-W09": [1.0],
        "2025-W10": [0.5],
        "2025-W11": [0.0],
        "2025-W12": [None],
        "2025-W13": [None],
        "2025-W14": [1.0],
    }


def test_a_response_counts_on_the_day_it_was_given_not_when_its_ticket_was_created():
    given = response(when=at(2), csat=5, created_at=at(20, month=2))
    response(when=at(2, month=4), csat=1, created_at=at(20))

    assert row_ids("csat_average") == [given.pk]
    assert given.created_at - given.ticket.created_at == timedelta(days=10)
