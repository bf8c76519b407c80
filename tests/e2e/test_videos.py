"""Journey 8: a video tutorial — chapters jump the player, the transcript reads along."""

import re

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e")]


def test_chapters_jump_the_player_and_the_transcript_opens(journey):
    page = journey.page
    journey.go("/videos/")
    expect(page.get_by_role("heading", level=1)).to_have_text(journey.t("Video tutorials"))
    journey.look("video list")

    page.locator("main h2 a").first.click()
    expect(page.get_by_role("heading", name=journey.t("Chapters"))).to_be_visible()
    frame = page.locator("[data-player] iframe")
    expect(frame).to_have_attribute("src", re.compile(r"^https://"))
    journey.look("video page")

    chapter = page.locator(".chapters a[data-seek]").nth(1)
    seconds = chapter.get_attribute("data-seek")
    chapter.click()
    expect(chapter).to_have_attribute("aria-current", "true")
    expect(frame).to_have_attribute("src", re.compile(rf"(start|t)={seconds}(?!\d)"))
    assert "?t=" not in page.url  # The script seeks the player; the link's ?t= is for pages without it.
    journey.look("jumped to a chapter")

    transcript = page.locator("details.transcript")
    transcript.locator("summary").click()
    expect(transcript.locator(".prose")).to_be_visible()
    journey.look("transcript")

    # Every line shows its time; a click on the line's words plays from there and marks the line.
    line = transcript.locator(".transcript-line").nth(2)
    time = line.locator("a.transcript-time")
    seconds = time.get_attribute("data-seek")
    expect(time).to_have_attribute("href", f"?t={seconds}")
    expect(time).to_have_text(re.compile(r"^\d+:\d\d$"))
    line.locator(".transcript-text").click()
    expect(line).to_have_class(re.compile(r"\bis-current\b"))
    expect(frame).to_have_attribute("src", re.compile(rf"(start|t)={seconds}(?!\d)"))
    assert "?t=" not in page.url
    journey.look("played from a transcript line")
