"""Community figures on a hand-built forum: visible questions only, answers that count, waits by nearest rank."""

from datetime import date

import pytest

from articles.models import ProductVersion
from community.models import PostState
from kbportal.analytics.registry import registry
from kbportal.choices import Language
from tests.analytics.factories import MARCH, at, question, scope
from tickets.models import Plan, Tier

pytestmark = pytest.mark.django_db

VISIBLE, HIDDEN = PostState.VISIBLE, PostState.HIDDEN


def value(key: str, in_scope=MARCH):
    return registry.metrics[key].value(in_scope)


def row_ids(key: str, in_scope=MARCH) -> list[int]:
    return [record.pk for record in registry.metrics[key].rows(in_scope)]


@pytest.fixture
def forum():
    """Six visible questions in March; held, hidden and out-of-period ones that do not count."""
    asked = {
        # First visible answers after 60, 120, 180 and 240 seconds; a hidden answer never counts, even if earlier.
        "accepted": question(when=at(2), answers=((60, VISIBLE), (30, HIDDEN)), accepted=0),
        "answered": question(when=at(5), answers=((120, VISIBLE),)),
        "hidden answer accepted": question(when=at(8), answers=((30, HIDDEN),), accepted=0),
        "slow": question(when=at(12), answers=((10, HIDDEN), (240, VISIBLE), (300, VISIBLE))),
        "escalated": question(when=at(20), escalated=True),
        "last night": question(when=at(31, 23, 30), answers=((180, VISIBLE),)),
    }
    question(when=at(3), state=PostState.HELD, answers=((5, VISIBLE),))
    question(when=at(4), state=PostState.HIDDEN, escalated=True)
    question(when=at(28, 23, 30, month=2), answers=((5, VISIBLE),))
    question(when=at(1, 0, 30, month=4), answers=((5, VISIBLE),))
    return asked


def test_answer_accepted_and_escalated_shares_of_visible_questions(forum):
    assert value("community_answer_rate") == pytest.approx(4 / 6)
    assert value("community_accepted_rate") == pytest.approx(1 / 6)
    assert value("community_escalated") == 1
    assert value("community_escalated_share") == pytest.approx(1 / 6)


def test_the_rows_are_the_questions_counted(forum):
    def ids(*names):
        return [forum[name].pk for name in names]

    assert row_ids("community_questions_per_day") == ids(
        "last night", "escalated", "slow", "hidden answer accepted", "answered", "accepted"
    )
    assert row_ids("community_answer_rate") == ids("last night", "slow", "answered", "accepted")
    assert row_ids("community_first_answer_median") == ids("last night", "slow", "answered", "accepted")
    assert row_ids("community_accepted_rate") == ids("accepted")
    assert row_ids("community_escalated") == ids("escalated")
    assert row_ids("community_escalated_share") == ids("escalated")


def test_time_to_first_answer_takes_the_first_visible_answer_by_nearest_rank(forum):
    # Waits 60, 120, 180, 240: the median is the 2nd value (⌈4 × 0.5⌉), the 90th percentile the 4th (⌈3.6⌉).
    assert value("community_first_answer_median") == 120.0
    assert value("community_first_answer_p90") == 240.0
    rows = registry.metrics["community_first_answer_p90"].rows(MARCH)
    waits = {row.pk: row.first_answer_wait.total_seconds() for row in rows}
    expected = {"accepted": 60, "answered": 120, "last night": 180, "slow": 240}
    assert waits == {forum[name].pk: seconds for name, seconds in expected.items()}


def test_the_median_of_one_to_four_is_two():
    for minutes in (4, 1, 3, 2):
        question(when=at(10 + minutes), answers=((60 * minutes, VISIBLE),))

    assert value("community_first_answer_median") == 120.0


def test_questions_per_day_round_half_up_to_one_decimal():
    # Five questions in four days: 1.25 → 1.3 (round() would give 1.2).
    for day, hour in ((1, 0), (1, 23), (2, 9), (4, 12), (4, 23)):
        question(when=at(day, hour, 30 if hour == 23 else 0))
    question(when=at(5, 0, 30))
    first_days = scope(until=date(2025, 3, 4))

    assert value("community_questions_per_day", first_days) == 1.3
    assert registry.breakdowns["community_questions_by_day"].table(first_days).rows == [
        ("2025-03-01", [2]),
        ("2025-03-02", [1]),
        ("2025-03-03", [0]),
        ("2025-03-04", [2]),
    ]


def test_language_and_version_filter_the_questions_and_other_filters_are_ignored(forum):
    version = ProductVersion.objects.create(name="analytics-9.2")
    chinese = question(when=at(6), language=Language.ZH_HANS, answers=((600, VISIBLE),))
    on_version = question(when=at(7), product_version=version)

    assert row_ids("community_answer_rate", scope(language=Language.ZH_HANS)) == [chinese.pk]
    assert value("community_first_answer_median", scope(language=Language.ZH_HANS)) == 600.0
    assert row_ids("community_questions_per_day", scope(product_version_id=version.pk)) == [on_version.pk]
    # A question has no organisation, plan or tier: those filters change nothing here.
    not_applicable = scope(organisation_id=10**6, plan=Plan.ENTERPRISE, tier=Tier.TIER_3)
    for key in registry.metrics:
        if key.startswith("community_"):
            assert value(key, not_applicable) == value(key), key
            assert registry.metrics[key].filters == {"language", "product_version"}


def test_an_empty_period_has_no_rates_and_no_waits():
    assert value("community_questions_per_day") == 0
    assert value("community_answer_rate") is None
    assert value("community_first_answer_median") is None
    assert value("community_escalated") == 0
