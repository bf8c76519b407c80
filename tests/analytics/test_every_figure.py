"""Every registered figure computes on an empty database (and on the demo: tests/kbportal/test_demo.py), and costs
the same queries for 3 or 30 records of everything it reads — the rows behind it and their columns included."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from community.models import PostState
from kbportal.analytics.registry import Metric, registry
from kbportal.analytics.scope import Scope
from kbportal.helpcenter.models import HelpEventKind, HelpOutcome, HelpSession, HelpSessionEvent
from tests.analytics.factories import MARCH, at, follow_up_case, question, response, ticket
from tickets.models import Channel, Priority, Status, Tier

pytestmark = pytest.mark.django_db

ROW_SAMPLE = 50


def compute_everything(scope: Scope) -> dict:
    """Every figure, and every column of (a sample of) the rows behind each metric, as the pages would show them."""
    computed = {}
    for key, metric in registry.metrics.items():
        computed[key] = metric.value(scope)
        if metric.rows is not None:
            computed[f"{key} rows"] = [_cells(metric, row) for row in metric.rows(scope)[:ROW_SAMPLE]]
    for key, breakdown in registry.breakdowns.items():
        table = breakdown.table(scope)
        assert all(len(values) == len(table.columns) for _label, values in table.rows), key
        assert not table.links or len(table.links) == len(table.rows), key
        computed[key] = table
    for key, listing in registry.listings.items():
        computed[key] = [[column.value(row) for column in listing.columns] for row in listing.rows(scope)]
    return computed


def _cells(metric: Metric, row) -> list:
    return [(column.value(row), column.link(row) if column.link else "") for column in metric.columns]


def test_every_figure_is_defined_with_its_formula_and_filters():
    assert list(dict.fromkeys(metric.section for metric in registry.metrics.values())) == [
        "self-service",
        "tickets",
        "satisfaction",
        "community",
    ]
    for key, metric in registry.metrics.items():
        assert str(metric.formula), key
        assert str(metric.label), key
        assert metric.rows is not None, key
        assert metric.columns, key
        assert metric.filters <= {
            "product_version", "organisation", "plan", "tier", "language", "priority", "channel"
        }, key  # fmt: skip
    for key, breakdown in registry.breakdowns.items():
        assert breakdown.chart in {"bars", "stacked", "line"}, key
        assert str(breakdown.help), key


def test_every_figure_computes_on_an_empty_database():
    computed = compute_everything(MARCH)

    assert computed["tickets_created"] == 0
    assert computed["nps"] is None
    assert computed["community_first_answer_median"] is None


def _records(count: int, offset: int = 0) -> None:
    """`count` of everything the figures read, spread over March and over every kind they break down by."""
    for n in range(offset, offset + count):
        day = 1 + n % 28
        resolved = ticket(
            created_at=at(day, 9),
            channel=Channel.values[n % len(Channel.values)],
            priority=Priority.values[n % 4],
            tier=Tier.values[n % 3],
            escalation_count=n % 2,
            reopen_count=n % 3 == 0,
            status=Status.RESOLVED,
            first_response_at=at(day, 10),
            first_response_seconds=600 + n,
            first_response_met=n % 2 == 0,
            resolved_at=at(day, 15),
            resolution_seconds=3600 + n,
            resolution_met=n % 3 != 0,
        )
        response(when=at(day, 16), csat=1 + n % 5, ces=1 + n % 5, nps=n % 11 if n % 2 else None)
        follow_up_case(when=at(day, 17), closed=n % 2 == 0)
        question(
            when=at(day, 11),
            answers=((60 * (n + 1), PostState.VISIBLE), (30, PostState.HIDDEN)),
            accepted=0 if n % 2 else None,
            escalated=n % 3 == 0,
        )
        session = HelpSession.objects.create(
            outcome=(HelpOutcome.DEFLECTED, HelpOutcome.ESCALATED, HelpOutcome.OPEN)[n % 3],
            started_at=at(day, 8),
            search_count=1,
            open_count=1,
            ticket=resolved if n % 3 == 1 else None,
        )
        HelpSessionEvent.objects.create(
            session=session,
            kind=HelpEventKind.SEARCH,
            query=f"query {n % 5}",
            normalised_query=f"query {n % 5}",
            result_count=n % 3,
            created_at=at(day, 8),
        )
        HelpSessionEvent.objects.create(
            session=session,
            kind=HelpEventKind.OPEN,
            item_kind=("article", "video")[n % 2],
            item_id=n,
            item_title=f"Item {n}",
            item_url=f"/kb/item-{n}/",
            created_at=at(day, 8, 5),
        )


def _queries(scope: Scope) -> int:
    with CaptureQueriesContext(connection) as queries:
        compute_everything(scope)
    return len(queries)


def test_computing_everything_costs_the_same_queries_for_3_and_30_records():
    _records(3)
    compute_everything(MARCH)  # warm process-wide caches (content types, translations) first
    few = _queries(MARCH)
    _records(27, offset=3)
    many = _queries(MARCH)

    assert few == many
