"""Journey 5: an editor writes an article in the admin with the live preview, compares revisions, reverts, publishes."""

import uuid

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e")]

CATEGORY = {"en": "Troubleshooting", "zh-hans": "Troubleshooting"}


def test_an_editor_previews_compares_reverts_and_publishes_an_article(journey):
    page = journey.page
    sign_in(journey, "editor")
    journey.go("/admin/articles/article/add/")
    journey.look("add article", admin=True)

    title = f"Clear the desktop app's cache {uuid.uuid4().hex[:6]}"
    page.locator("#id_title").fill(title)
    page.locator("#id_summary").fill("When the app shows stale data, clearing its cache helps.")
    page.locator("#id_body").fill("## Steps\n\n1. Quit the app.\n2. Delete the cache folder.\n")
    preview = page.locator(".kb-preview")
    expect(preview.get_by_role("heading", name="Steps")).to_be_visible()
    expect(preview.locator("ol li")).to_have_count(2)

    page.locator("#id_category").locator("xpath=following-sibling::span[contains(@class,'select2')]").click()
    page.locator(".select2-search__field").last.fill(CATEGORY[journey.language][:6])
    page.locator(".select2-results__option--highlighted, .select2-results__option").first.click()
    page.locator("#id_status").select_option("draft")
    page.locator("input[name=_continue]").click()
    expect(page.locator(".messagelist")).to_be_visible()
    journey.look("saved as a draft", admin=True)

    # A second revision, previewed while typing.
    page.locator("#id_body").press("End")
    page.locator("#id_body").fill(
        "## Steps\n\n1. Quit the app.\n2. Delete the cache folder.\n3. Start the app again.\n"
    )
    expect(preview.locator("ol li")).to_have_count(3)
    page.locator("input[name=_continue]").click()
    expect(page.locator(".messagelist")).to_be_visible()

    page.get_by_role("link", name=journey.t("History, compare and revert")).first.click()
    page.get_by_role("button", name=journey.t("Compare selected revisions")).click()
    expect(page.locator(".kb-diff").first).to_contain_text("Start the app again")
    journey.look("compared revisions", admin=True)

    # The word-level diff: the added step underlined in <ins>, no difflib table.
    expect(page.locator(".kb-diff ins.kb-ins").first).to_contain_text("3. Start the app again.")
    expect(page.locator("table.diff")).to_have_count(0)
    page.get_by_role("button", name=journey.t("Revert to r%(number)s", number=1), exact=True).click()
    # Reverting asks first, showing what would change; only the confirmation's POST reverts.
    expect(page.locator(".kb-revert-confirm .kb-diff del.kb-del").first).to_contain_text("3. Start the app again.")
    journey.look("revert confirmation", admin=True)
    page.get_by_role("button", name=journey.t("Yes, revert to r%(number)s", number=1)).click()
    expect(page.locator(".messagelist")).to_be_visible()
    expect(page.locator("#id_body")).not_to_contain_text("Start the app again")
    journey.look("reverted", admin=True)

    page.locator("#id_status").select_option("published")
    page.locator("input[name=_continue]").click()
    expect(page.locator(".messagelist")).to_be_visible()
    with page.context.expect_page() as opened:
        page.get_by_role("link", name=journey.t("View on site")).first.click()
    public = opened.value
    public.wait_for_load_state()
    expect(public.get_by_role("heading", level=1)).to_have_text(title)
