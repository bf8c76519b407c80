"""Journey 7: a support manager reads the analytics dashboard, drills into a figure and downloads a CSV."""

import csv
import io
import re

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e")]


def test_a_manager_reads_the_dashboard_drills_down_and_exports_csv(journey):
    page = journey.page
    sign_in(journey, "manager")
    journey.go("/staff/analytics/")
    expect(page.get_by_role("heading", level=1)).to_have_text(journey.t("Service analytics"))
    expect(page.locator("main svg").first).to_be_visible()
    journey.look("dashboard")

    # A chart's table view, for those who cannot read the chart.
    page.locator("details").filter(has_text=journey.t("Table")).first.locator("summary").click()
    expect(page.locator("details[open] table").first).to_be_visible()
    journey.look("chart as a table")

    with page.expect_download() as download:
        page.get_by_role("link", name=journey.t("Download CSV")).first.click()
    rows = list(csv.reader(io.StringIO(download.value.path().read_text(encoding="utf-8-sig"))))
    assert len(rows) > 1, rows
    assert download.value.suggested_filename.endswith(".csv")

    figure = page.locator(".figure-value a").first
    figure.click()
    expect(page).to_have_url(re.compile(r"/staff/analytics/metrics/"))
    expect(page.locator("main table, main .empty").first).to_be_visible()
    journey.look("drill-down")
