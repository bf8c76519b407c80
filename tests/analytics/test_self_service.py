"""The dashboard's self-service section is the deflection report: one definition of the deflection rate and the
click-through (the registry), one chart module, and `/staff/deflection/` a preset of the dashboard that everyone
who read the old report still reads — the daily figures, the top searches and the content gaps included."""

from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from kbportal.accounts.roles import Role
from kbportal.analytics.charts import draw
from kbportal.analytics.registry import Table, Unit, registry
from kbportal.analytics.scope import default_scope, one_computation
from kbportal.helpcenter import services as help_services
from kbportal.helpcenter.models import HelpOutcome, HelpSession
from tests.accounts.factories import StaffFactory, UserFactory

pytestmark = pytest.mark.django_db

PRESET = "/staff/analytics/?section=self-service"


def _sessions(count: int, day_offset: int = 0) -> None:
    """Sessions with every outcome, spread over the month, through the services."""
    outcomes = [HelpOutcome.DEFLECTED, HelpOutcome.ESCALATED, HelpOutcome.WITHDRAWN, HelpOutcome.OPEN]
    for n in range(count):
        session = HelpSession.objects.create(language="en")
        help_services.help_session_record_search(session=session, query=f"query {n % 7}", results=[])
        if n % 2:
            help_services.help_session_record_open(session=session, item_kind="article", item_id=n + 1, item_title="A")
        outcome = outcomes[n % 4]
        if outcome == HelpOutcome.DEFLECTED:
            help_services.help_session_resolve(session=session, helpful=True)
        elif outcome != HelpOutcome.OPEN:
            HelpSession.objects.filter(pk=session.pk).update(outcome=outcome, verdict_at=timezone.now())
        HelpSession.objects.filter(pk=session.pk).update(
            started_at=timezone.now() - timedelta(days=(n + day_offset) % 30)
        )


def _sections(response) -> dict:
    return {section.key: section for section in response.context["sections"]()}


# --- /staff/deflection/ is the dashboard's self-service section ----------------------------------------------


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("anonymous", "→sign-in"),
        ("customer", 403),
        (Role.AGENT_TIER_1, 403),
        (Role.MODERATOR, 403),
        (Role.CONTENT_EDITOR, 200),
        (Role.SUPPORT_MANAGER, 200),
    ],
    ids=lambda value: str(value),
)
def test_only_managers_and_editors_read_the_deflection_report(client, who, expected):
    if who == "customer":
        client.force_login(UserFactory())
    elif who != "anonymous":
        client.force_login(StaffFactory(role=who))

    response = client.get("/staff/deflection/")

    if expected == "→sign-in":
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:login"))
    elif expected == 403:
        assert response.status_code == 403
        assert client.get(PRESET).status_code == 403
    else:
        assert response.status_code == 302
        assert response["Location"] == PRESET
        assert client.get(response["Location"]).status_code == 200


def test_the_old_address_keeps_the_filters_it_is_given(client, manager):
    client.force_login(manager)
    since, until = timezone.localdate() - timedelta(days=60), timezone.localdate() - timedelta(days=31)

    response = client.get("/staff/deflection/", {"since": since, "until": until, "language": "zh-hans"})

    target = urlsplit(response["Location"])
    assert target.path == reverse("analytics:dashboard")
    assert parse_qs(target.query) == {
        "since": [since.isoformat()], "until": [until.isoformat()], "language": ["zh-hans"],
        "section": ["self-service"],
    }  # fmt: skip
    scope = client.get(response["Location"]).context["scope"]
    assert (scope.since, scope.until, scope.language) == (since, until, "zh-hans")


def test_an_editor_reads_the_section_without_the_lists_behind_it_and_nothing_else(client):
    client.force_login(StaffFactory(role=Role.CONTENT_EDITOR))
    _sessions(4)

    page = client.get(PRESET)
    html = page.content.decode()

    assert list(_sections(page)) == ["self-service"]
    assert reverse("analytics:metric", args=["help_sessions"]) not in html
    assert "/staff/analytics/export/" not in html
    assert 'role="img"' in html  # without drill-down links the charts are images
    assert '<input type="hidden" name="section" value="self-service">' in html
    for url in ("/staff/analytics/", "/staff/analytics/?section=tickets", "/staff/analytics/?section=nonsense"):
        assert client.get(url).status_code == 403, url
    for key in ("help_sessions", "deflection_rate"):
        assert client.get(reverse("analytics:metric", args=[key])).status_code == 403
    assert client.get(reverse("analytics:export", args=["content_gaps"])).status_code == 403


def test_a_manager_reads_the_section_with_its_lists_and_exports(client, manager):
    client.force_login(manager)
    _sessions(4)

    html = client.get(PRESET).content.decode()

    assert reverse("analytics:metric", args=["deflection_rate"]) in html
    assert reverse("analytics:export", args=["top_searches"]) in html
    assert "<h1>Self-service</h1>" in html


def test_the_cached_section_is_not_shared_between_readers_with_and_without_drill_downs(client, manager, settings):
    settings.KBPORTAL_ANALYTICS_CACHE_SECONDS = 300
    _sessions(4)
    client.force_login(StaffFactory(role=Role.CONTENT_EDITOR))
    client.get(PRESET)
    client.force_login(manager)

    html = client.get(PRESET).content.decode()

    assert reverse("analytics:metric", args=["deflection_rate"]) in html


# --- What the old report showed, on the dashboard ------------------------------------------------------------


def test_the_section_counts_rates_by_day_in_tables_and_accessible_charts(client, manager):
    _sessions(8)  # 2 deflected, 2 escalated, 2 withdrawn, 2 without a verdict; all searched, 4 opened
    HelpSession.objects.create(language="en", started_at=timezone.now() - timedelta(days=45))  # outside the period
    scope = default_scope()
    client.force_login(manager)

    page = client.get(PRESET)
    html = page.content.decode()

    with one_computation():
        values = {key: registry.metrics[key].value(scope) for key in registry.metrics}
        by_day = registry.breakdowns["sessions_by_day"].table(scope)
        rates = registry.breakdowns["self_service_rates_by_day"].table(scope)
        top = registry.listings["top_searches"].rows(scope)
        gaps = registry.listings["content_gaps"].rows(scope)
    assert values["help_sessions"] == 8
    assert (values["deflection_rate"], values["deflection_rate_all"], values["click_through"]) == (4 / 6, 4 / 8, 4 / 8)
    assert len(by_day.rows) == len(rates.rows) == 30
    assert [sum(column) for column in zip(*(values for _day, values in by_day.rows), strict=True)] == [2, 2, 2, 2]
    assert {row["query"] for row in top} >= {"query 0", "query 1"}
    assert all(row["without_results"] for row in gaps)
    assert "66.7%" in html
    assert "50.0%" in html
    assert 'aria-label="Help sessions by day and how they ended"' in html
    assert 'aria-label="Deflection rate and click-through by day"' in html
    assert "<polyline" in html or "<circle" in html
    assert html.count("<rect ") >= 8
    assert "<script" not in html.split("<main", 1)[1]


def test_a_day_s_rates_follow_the_figures_definitions():
    today = timezone.localdate()
    for outcome in (HelpOutcome.DEFLECTED, HelpOutcome.WITHDRAWN, HelpOutcome.ESCALATED, HelpOutcome.OPEN):
        HelpSession.objects.create(language="en", outcome=outcome, search_count=1, open_count=int(outcome == "open"))

    rows = dict(registry.breakdowns["self_service_rates_by_day"].table(default_scope()).rows)

    assert rows[today.isoformat()] == [2 / 3, 2 / 4, 1 / 4]
    assert rows[(today - timedelta(days=1)).isoformat()] == [None, None, None]  # a gap, not 0 %


def test_top_searches_and_content_gaps_name_the_query_its_language_and_when_it_was_last_seen():
    _sessions(8)
    zh = HelpSession.objects.create(language="zh-hans")
    help_services.help_session_record_search(session=zh, query="query 0", results=[])

    top = {row["query"]: row for row in registry.listings["top_searches"].rows(default_scope())}
    gaps = registry.listings["content_gaps"]
    cells = [[str(column.value(row)) for column in gaps.columns] for row in gaps.rows(default_scope())]

    assert (top["query 0"]["searches"], top["query 0"]["sessions"], top["query 0"]["without_results"]) == (3, 3, 3)
    assert ["query 0", "English", "2", "0"] in [cell[:4] for cell in cells]
    assert ["query 1", "English", "1", "1"] in [cell[:4] for cell in cells]  # its session ended in a ticket
    assert ["query 0", "Simplified Chinese", "1", "0"] in [cell[:4] for cell in cells]
    assert all(cell[4] for cell in cells)


def test_the_section_costs_the_same_for_little_and_much_data(client, manager):
    client.force_login(manager)
    counts = []
    for total in (4, 60):
        _sessions(total - (4 if counts else 0))
        client.get(PRESET)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(PRESET).status_code == 200
        counts.append(len(queries))

    assert counts[0] == counts[1]


def test_the_chart_s_days_are_written_as_the_language_writes_them():
    table = Table(columns=["sessions"], rows=[("2030-11-26", [1])])

    with translation.override("en"):
        english = draw(table, "stacked", Unit.COUNT).x_ticks[0].label
    with translation.override("zh-hans"):
        chinese = draw(table, "stacked", Unit.COUNT).x_ticks[0].label

    assert english == "Nov. 26"
    assert chinese == "11月26日"
