"""Video transcripts show their times; a time is a link that starts the player there, with or without JS."""

import json
import re
from pathlib import Path

import pytest
from django.conf import settings

from articles.search import describe_video
from articles.transcripts import Cue, current_cue, parse_transcript, transcript_text
from tests.articles.factories import VideoChapterFactory, VideoFactory

TIMED = "[0:00] Hi, and welcome.\n\n[1:35] Open Settings,\nthen Security.\n\n[1:02:03] Thanks for watching!"


def test_a_time_at_the_start_of_a_line_opens_a_cue():
    assert parse_transcript(TIMED) == [
        Cue(start=0, text="Hi, and welcome."),
        Cue(start=95, text="Open Settings,\nthen Security."),
        Cue(start=3723, text="Thanks for watching!"),
    ]


def test_a_time_alone_on_its_line_times_the_words_below_it():
    copied_from_youtube = "0:00\nHi, and welcome.\n1:35\n\nOpen Settings."

    assert parse_transcript(copied_from_youtube) == [
        Cue(start=0, text="Hi, and welcome."),
        Cue(start=95, text="Open Settings."),
    ]


def test_a_transcript_without_times_stays_paragraphs():
    assert parse_transcript("First paragraph.\n\nSecond one,\nwrapped.") == [
        Cue(start=None, text="First paragraph."),
        Cue(start=None, text="Second one,\nwrapped."),
    ]


def test_a_time_inside_a_sentence_is_just_text():
    assert parse_transcript("The meeting starts at [9:30] sharp.") == [
        Cue(start=None, text="The meeting starts at [9:30] sharp.")
    ]


def test_the_cue_being_spoken_is_the_last_one_started():
    cues = parse_transcript(TIMED)

    assert current_cue(cues, 0) == 0
    assert current_cue(cues, 94) == 0
    assert current_cue(cues, 95) == 1
    assert current_cue(cues, 4000) == 2


def test_the_search_index_gets_the_words_without_the_times():
    assert transcript_text(TIMED) == "Hi, and welcome.\n\nOpen Settings,\nthen Security.\n\nThanks for watching!"


@pytest.mark.django_db
def test_a_video_is_indexed_without_its_transcript_times():
    video = VideoFactory(description="", transcript=TIMED)

    body = describe_video(video).body

    assert "Open Settings" in body
    assert "1:35" not in body
    assert "[0:00]" not in body


@pytest.mark.django_db
def test_the_transcript_shows_each_time_as_a_link_that_starts_the_player_there(client):
    video = VideoFactory(provider="youtube", provider_video_id="dQw4w9WgXcQ", duration_seconds=600, transcript=TIMED)

    page = client.get(video.get_absolute_url()).content.decode()

    assert re.search(r'<a class="transcript-time" href="\?t=95" data-seek="95"[^>]*>\s*1:35\s*</a>', page)
    assert re.search(r'<a class="transcript-time" href="\?t=0" data-seek="0"[^>]*>\s*0:00\s*</a>', page)
    assert 'aria-label="Play from 1:35"' in page
    assert "Open Settings,<br>then Security." in page


@pytest.mark.django_db
def test_following_a_transcript_link_without_javascript_starts_the_embed_there(client):
    video = VideoFactory(provider="youtube", provider_video_id="dQw4w9WgXcQ", duration_seconds=600, transcript=TIMED)

    page = client.get(video.get_absolute_url(), {"t": "95"}).content.decode()

    assert 'src="https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ?start=95"' in page
    assert re.search(r'<details class="transcript card" open>', page)  # the reader sees where they are
    assert re.search(r'<p class="transcript-line is-current"[^>]*><a class="transcript-time" href="\?t=95"', page)


@pytest.mark.django_db
def test_the_transcript_and_the_chapters_seek_the_same_player(client):
    video = VideoFactory(provider="vimeo", provider_video_id="76979871", duration_seconds=600, transcript=TIMED)
    VideoChapterFactory(video=video, start_seconds=95, title="Security settings")

    page = client.get(video.get_absolute_url()).content.decode()

    assert page.count('href="?t=95" data-seek="95"') == 2  # the chapter and the transcript line
    assert "js/transcript.js" in page


@pytest.mark.django_db
def test_an_untimed_transcript_is_shown_as_paragraphs(client):
    video = VideoFactory(transcript="Open the installer.\n\nClick Next.")

    page = client.get(video.get_absolute_url()).content.decode()

    assert "<p>Open the installer.</p>" in page
    assert "<p>Click Next.</p>" in page
    assert "transcript-time" not in page


@pytest.mark.django_db
def test_the_chinese_page_labels_the_links_in_chinese(client):
    video = VideoFactory(language="zh-hans", duration_seconds=600, transcript="[1:35] 打开“设置”。")

    page = client.get(video.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="zh-CN").content.decode()

    assert 'aria-label="从 1:35 开始播放"' in page


def test_every_demo_transcript_is_timed_within_its_video():
    videos = json.loads((Path(settings.BASE_DIR) / "kbportal" / "demo" / "data" / "videos.json").read_text())

    for video in videos:
        cues = parse_transcript(video["transcript"])
        starts = [cue.start for cue in cues]
        assert None not in starts, video["external_id"]
        assert starts == sorted(starts), video["external_id"]
        assert starts[0] == 0, video["external_id"]
        assert starts[-1] < video["duration_seconds"], video["external_id"]
        chapter_starts = {chapter["start"] for chapter in video["chapters"]}
        assert chapter_starts <= set(starts), video["external_id"]  # every chapter opens a paragraph
