"""The managers' dashboard: who reaches it, what it costs, the lists behind the figures, exports, time zones."""

import csv
import io
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from kbportal.accounts.roles import Role
from kbportal.analytics.charts import draw
from kbportal.analytics.forms import ScopeForm
from kbportal.analytics.registry import Table, Unit, registry
from kbportal.analytics.scope import Scope
from kbportal.helpcenter.models import HelpEventKind, HelpOutcome, HelpSession, HelpSessionEvent
from tests.accounts.factories import StaffFactory, UserFactory
from tests.community.factories import AnswerFactory, QuestionFactory
from tests.queries import page_queries
from tests.tickets.factories import TicketFactory

pytestmark = pytest.mark.django_db

DASHBOARD = "/staff/analytics/"


@pytest.fixture
def manager_client(client):
    client.force_login(StaffFactory(username="boss", role=Role.SUPPORT_MANAGER))
    return client


def _session(outcome=HelpOutcome.OPEN, *, started_at=None, language="en", query="sync stops", results=3):
    session = HelpSession.objects.create(
        outcome=outcome, started_at=started_at or timezone.now(), language=language, search_count=1
    )
    HelpSessionEvent.objects.create(
        session=session, kind=HelpEventKind.SEARCH, query=query, normalised_query=query, result_count=results,
        created_at=session.started_at,
    )  # fmt: skip
    return session


def _escalated_session() -> HelpSession:
    session = _session(HelpOutcome.ESCALATED)
    session.ticket = TicketFactory()
    session.save(update_fields=["ticket"])
    return session


def _data(count: int) -> None:
    """`count` of everything the dashboard reads."""
    for n in range(count):
        _session(HelpOutcome.DEFLECTED if n % 2 else HelpOutcome.ESCALATED, query=f"query {n}", results=n % 3)
        TicketFactory()
        AnswerFactory(question=QuestionFactory())


# --- Who reaches it --------------------------------------------------------------------------------


@pytest.mark.parametrize("role", [None, Role.AGENT_TIER_1, Role.AGENT_TIER_3, Role.CONTENT_EDITOR, Role.MODERATOR])
def test_only_support_managers_reach_the_dashboard_its_lists_and_exports(client, role):
    user = StaffFactory(role=role) if role else UserFactory()
    client.force_login(user)
    for url in (DASHBOARD, reverse("analytics:metric", args=["help_sessions"]),
                reverse("analytics:export", args=["sessions_by_day"])):  # fmt: skip
        assert client.get(url).status_code == 403


def test_visitors_are_sent_to_sign_in(client):
    response = client.get(DASHBOARD)
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


def test_a_manager_sees_every_section_and_every_figure_with_its_formula(manager_client):
    _data(3)

    html = manager_client.get(DASHBOARD).content.decode()

    for metric in registry.metrics.values():
        assert str(metric.label) in html
        assert reverse("analytics:metric", args=[metric.key]) in html
    for breakdown in registry.breakdowns.values():
        assert str(breakdown.title) in html
        assert reverse("analytics:export", args=[breakdown.key]) in html
    assert str(registry.metrics["deflection_rate"].formula) in html


# --- Speed -----------------------------------------------------------------------------------------


def test_the_dashboard_costs_the_same_queries_for_3_and_30_of_everything(manager_client):
    _data(3)
    few = page_queries(manager_client, DASHBOARD)
    _data(27)

    assert page_queries(manager_client, DASHBOARD) == few
    assert few < 150  # bounded: a fixed number per figure


def test_a_drill_down_list_costs_the_same_for_3_and_60_records(manager_client):
    url = reverse("analytics:metric", args=["help_sessions"])
    for _ in range(3):
        _escalated_session()
    few = page_queries(manager_client, url)
    for _ in range(57):
        _escalated_session()

    assert page_queries(manager_client, url) == few


# --- The lists behind the figures and the exports ----------------------------------------------


def test_a_figure_links_to_exactly_the_records_it_counts(manager_client):
    counted = [_session(HelpOutcome.DEFLECTED), _session(HelpOutcome.ESCALATED)]
    _session(HelpOutcome.DEFLECTED, started_at=timezone.now() - timedelta(days=60))  # before the period

    page = manager_client.get(reverse("analytics:metric", args=["help_sessions"]))

    assert page.context["value"] == 2
    assert [session.pk for session in page.context["page"]] == [session.pk for session in reversed(counted)]


def test_a_chart_exports_its_table_as_csv(manager_client):
    _session(HelpOutcome.DEFLECTED)
    _session(HelpOutcome.ESCALATED)

    response = manager_client.get(reverse("analytics:export", args=["sessions_by_day"]))

    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode().lstrip("\ufeff"))))
    assert rows[0] == ["", "solved by self-service", "escalated to a ticket", "no verdict", "solved after sending"]
    assert rows[-1] == [timezone.localdate().isoformat(), "1", "1", "0", "0"]
    assert len(rows) == 1 + 30


def test_a_figure_s_records_export_as_csv(manager_client):
    _session(HelpOutcome.DEFLECTED, query="vpn drops")

    url = reverse("analytics:metric", args=["searches"]) + "?format=csv"
    text = b"".join(manager_client.get(url).streaming_content).decode()

    assert "vpn drops" in text


def test_an_unknown_figure_is_not_found(manager_client):
    assert manager_client.get(reverse("analytics:metric", args=["nope"])).status_code == 404
    assert manager_client.get(reverse("analytics:export", args=["nope"])).status_code == 404


# --- Filters and time zones --------------------------------------------------------------------


def test_a_period_that_ends_before_it_starts_is_an_error_and_the_default_period_is_shown(manager_client):
    response = manager_client.get(DASHBOARD, {"since": "2026-05-10", "until": "2026-05-01", "tier": "9"})

    assert response.status_code == 200
    assert "The period starts after it ends." in response.content.decode()
    assert response.context["scope"].until == timezone.localdate()


def test_filters_narrow_the_figures_they_apply_to_and_say_which_they_ignore(manager_client):
    _session(HelpOutcome.DEFLECTED, language="en")
    _session(HelpOutcome.DEFLECTED, language="zh-hans")

    response = manager_client.get(
        reverse("analytics:metric", args=["help_sessions"]), {"language": "zh-hans", "tier": "2"}
    )

    assert response.context["value"] == 1
    assert "Not filtered by tier." in response.content.decode()


def test_days_are_counted_in_the_viewer_s_time_zone(manager_client):
    shanghai = ZoneInfo("Asia/Shanghai")
    today = timezone.now().astimezone(shanghai).date()
    late_yesterday = datetime.combine(today - timedelta(days=1), datetime.min.time(), tzinfo=shanghai) + timedelta(
        hours=23, minutes=30
    )
    _session(HelpOutcome.DEFLECTED, started_at=late_yesterday)  # 15:30 UTC the day before
    manager_client.cookies["tz"] = "Asia/Shanghai"

    response = manager_client.get(DASHBOARD)

    assert "times in Asia/Shanghai" in response.content.decode()
    block = next(chart for section in response.context["sections"]() for chart in section.charts
                 if chart.breakdown.key == "sessions_by_day")  # fmt: skip
    counts = dict(block.table.rows)
    assert counts[(today - timedelta(days=1)).isoformat()][0] == 1


def test_an_unknown_time_zone_cookie_falls_back_to_the_site_s(manager_client):
    manager_client.cookies["tz"] = "Mars/Olympus_Mons"

    assert "times in UTC" in manager_client.get(DASHBOARD).content.decode()


def test_the_scope_form_defaults_to_the_last_30_days_and_refuses_more_than_a_year():
    today = timezone.localdate()
    assert ScopeForm({}).scope().since == today - timedelta(days=29)
    form = ScopeForm({"since": "2024-01-01", "until": "2026-01-01"})
    assert not form.is_valid()
    assert "since" in form.errors


def test_a_scope_covers_whole_days_in_its_time_zone():
    scope = Scope(since=date(2026, 3, 1), until=date(2026, 3, 2), tz=ZoneInfo("Asia/Shanghai"))

    assert scope.start.isoformat() == "2026-03-01T00:00:00+08:00"
    assert scope.end.isoformat() == "2026-03-03T00:00:00+08:00"
    assert scope.days == [date(2026, 3, 1), date(2026, 3, 2)]


# --- Charts -------------------------------------------------------------------------------------


def test_stacked_bars_are_as_tall_as_their_values_on_a_round_scale():
    table = Table(columns=["solved", "escalated"], rows=[("2026-03-01", [3, 1]), ("2026-03-02", [0, 0])])

    chart = draw(table, "stacked", Unit.COUNT)

    assert [tick.label for tick in chart.y_ticks] == ["0", "1", "2", "3", "4"]
    solved, escalated = chart.rects
    assert solved.height == pytest.approx(3 * escalated.height)
    assert escalated.y + escalated.height == pytest.approx(solved.y)  # stacked on top
    assert [tick.label for tick in chart.x_ticks] == ["March 1", "March 2"]


def test_a_line_breaks_where_there_is_no_value_and_shares_use_a_percent_scale():
    table = Table(columns=["CSAT satisfied"], rows=[("W1", [0.5]), ("W2", [0.75]), ("W3", [None]), ("W4", [1.0])])

    chart = draw(table, "line", Unit.PERCENT)

    assert len(chart.lines) == 1  # W1–W2; W4 stands alone as a dot
    assert len(chart.dots) == 3
    assert chart.y_ticks[-1].label == "100%"


def test_an_empty_table_draws_no_chart():
    assert draw(Table(columns=["x"], rows=[("a", [0]), ("b", [None])]), "bars", Unit.COUNT).empty


def test_figures_are_reused_for_a_few_minutes_for_the_same_filters(manager_client, settings):
    settings.KBPORTAL_ANALYTICS_CACHE_SECONDS = 300
    _data(3)
    first = page_queries(manager_client, DASHBOARD)  # the second of two renders: already from the cache
    with CaptureQueriesContext(connection) as fresh:
        manager_client.get(DASHBOARD, {"language": "en"})  # other filters: computed

    assert first < 15
    assert len(fresh) > 2 * first + 10


def test_axes_end_on_a_round_step_and_ratings_on_5():
    counts = draw(Table(columns=["n"], rows=[("a", [47]), ("b", [3])]), "bars", Unit.COUNT)
    ratings = draw(Table(columns=["CSAT"], rows=[("a", [4.4]), ("b", [3.9])]), "bars", Unit.SCORE)

    assert [tick.label for tick in counts.y_ticks] == ["0", "20", "40", "60"]
    assert ratings.y_ticks[-1].label == "5"


def test_the_last_day_is_labelled_only_when_it_does_not_crowd_the_one_before():
    days = [(f"2026-11-{day:02d}", [1]) for day in range(1, 31)]  # every 4th day labelled

    labels = [tick.label for tick in draw(Table(columns=["n"], rows=days), "bars", Unit.COUNT).x_ticks]

    assert labels[-2:] == ["Nov. 25", "Nov. 29"]


def test_a_bar_links_to_the_records_behind_it(manager_client):
    from kbportal.analytics.forms import ScopeForm
    from tickets.models import Priority

    urgent = TicketFactory(proposed_priority=Priority.P1)
    urgent.priority = Priority.P1
    urgent.save(update_fields=["priority"])
    TicketFactory()
    table = registry.breakdowns["tickets_by_priority"].table(ScopeForm({}).scope())
    link = table.links[[label for label, _values in table.rows].index(Priority.P1.label)]

    page = manager_client.get(link)
    html = manager_client.get(DASHBOARD).content.decode()

    assert [ticket.pk for ticket in page.context["page"]] == [urgent.pk]
    assert f'<a href="{link.replace("&", "&amp;")}" aria-label=' in html


@pytest.mark.parametrize("key", [*registry.metrics, *registry.breakdowns, *registry.listings], ids=lambda key: key)
def test_every_figure_chart_and_list_exports_as_csv(manager_client, key):
    _data(2)

    response = manager_client.get(reverse("analytics:export", args=[key]))

    assert response.status_code == 200
    assert b"".join(response.streaming_content).decode().count("\n") >= 1


def test_exported_text_that_looks_like_a_formula_is_kept_as_text(manager_client):
    _session(HelpOutcome.ESCALATED, query='=HYPERLINK("http://evil.example","x")', results=0)
    _session(HelpOutcome.ESCALATED, query="-2+3", results=0)

    searches = b"".join(
        manager_client.get(reverse("analytics:metric", args=["searches"]), {"format": "csv"}).streaming_content
    ).decode()
    gaps = b"".join(manager_client.get(reverse("analytics:export", args=["content_gaps"])).streaming_content).decode()

    assert "'=HYPERLINK" in searches
    assert "\n=HYPERLINK" not in searches
    assert ",=HYPERLINK" not in searches
    assert "'-2+3" in gaps
    assert ",0," in searches  # numbers stay numbers


@pytest.mark.parametrize("until", ["0001-01-01", "9999-12-31"])
def test_dates_out_of_any_sensible_range_are_an_error_not_a_crash(manager_client, until):
    for url in (DASHBOARD, reverse("analytics:metric", args=["tickets_created"]),
                reverse("analytics:export", args=["sessions_by_day"])):  # fmt: skip
        assert manager_client.get(url, {"until": until}).status_code == 200
    assert (
        "Choose dates between 2000 and next year." in manager_client.get(DASHBOARD, {"until": until}).content.decode()
    )


def test_a_list_says_when_the_filters_in_its_address_were_not_understood(manager_client):
    url = reverse("analytics:metric", args=["tickets_created"])

    assert "were not understood" in manager_client.get(url, {"tier": "abc"}).content.decode()
    assert "were not understood" not in manager_client.get(url, {"tier": "2"}).content.decode()


def test_charts_with_drill_down_links_are_groups_of_named_links_not_images(manager_client):
    """axe's nested-interactive: an SVG labelled as an image may hold nothing focusable."""
    import re

    _data(5)
    page = manager_client.get(DASHBOARD).content.decode()

    charts = re.findall(r"<svg class=\"dashboard-chart[^>]*>.*?</svg>", page, flags=re.S)
    linked = [chart for chart in charts if "<a " in chart]
    assert linked  # some breakdowns drill down from their bars
    assert all('role="group"' in chart.split(">", 1)[0] for chart in linked)
    assert all(link.count("aria-label=") == 1 for chart in linked for link in re.findall(r"<a [^>]*>", chart))
    assert all('role="img"' in chart.split(">", 1)[0] for chart in charts if chart not in linked)
