"""Video tutorials: embeds from an allowlist with validated ids, uploads checked by content."""

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from articles.models import Video
from articles.video_providers import VideoProvider
from tests.articles.factories import CategoryFactory, VideoChapterFactory, VideoFactory

VALID_IDS = [("youtube", "dQw4w9WgXcQ"), ("vimeo", "76979871"), ("bilibili", "BV1GJ411x7h7")]
INVALID_IDS = [
    ("youtube", "dQw4w9WgXcQ&autoplay=1"),
    ("youtube", "https://www.youtube.com/watch?v=dQw4w9WgXcQ"),
    ("youtube", '"><script>alert(1)</script>'),
    ("vimeo", "76979871/../../evil"),
    ("vimeo", "abc"),
    ("bilibili", "av170001"),
    ("bilibili", "BV1GJ411x7h7&high_quality=1"),
    ("myspace", "12345678"),
]


@pytest.mark.parametrize(("provider", "video_id"), VALID_IDS)
def test_valid_provider_ids_build_https_player_urls(provider, video_id):
    url = VideoProvider.embed_url(provider, video_id, start=90)

    assert url.startswith("https://")
    assert video_id in url
    assert "90" in url


@pytest.mark.parametrize(("provider", "video_id"), INVALID_IDS)
def test_invalid_provider_ids_are_refused_and_never_embedded(provider, video_id):
    with pytest.raises(ValidationError):
        VideoProvider.validate_id(provider, video_id)
    assert VideoProvider.embed_url(provider, video_id) == ""


@pytest.mark.django_db
def test_a_video_needs_a_provider_id_or_a_file():
    video = Video(title="t", slug="t", category=CategoryFactory(), provider="", provider_video_id="")

    with pytest.raises(ValidationError, match="either a provider"):
        video.full_clean()


@pytest.mark.django_db
def test_a_bad_provider_id_is_a_field_error():
    video = Video(title="t", slug="t", category=CategoryFactory(), provider="youtube", provider_video_id="nope")

    with pytest.raises(ValidationError) as caught:
        video.full_clean()
    assert "provider_video_id" in caught.value.message_dict


MP4_HEAD = b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom"
WEBM_HEAD = b"\x1a\x45\xdf\xa3\x9f\x42\x86\x81\x01"


@pytest.mark.parametrize(
    ("name", "content", "accepted"),
    [
        ("demo.mp4", MP4_HEAD + b"\x00" * 64, True),
        ("demo.webm", WEBM_HEAD + b"\x00" * 64, True),
        ("demo.mp4", b"<html><script>alert(1)</script></html>", False),
        ("demo.webm", b"MZ\x90\x00 an executable", False),
        ("demo.html", MP4_HEAD, False),
    ],
    ids=["mp4", "webm", "html-named-mp4", "exe-named-webm", "mp4-named-html"],
)
@pytest.mark.django_db
def test_uploads_are_checked_by_content_not_only_by_name(name, content, accepted):
    video = Video(
        title="Upload",
        slug="upload",
        category=CategoryFactory(),
        video_file=SimpleUploadedFile(name, content, content_type="video/mp4"),
    )

    if accepted:
        video.full_clean()
    else:
        with pytest.raises(ValidationError):
            video.full_clean()


@pytest.mark.django_db
def test_oversized_uploads_are_refused(settings):
    settings.KBPORTAL_MAX_VIDEO_UPLOAD_BYTES = 100
    video = Video(
        title="Big",
        slug="big",
        category=CategoryFactory(),
        video_file=SimpleUploadedFile("big.mp4", MP4_HEAD + b"\x00" * 200),
    )

    with pytest.raises(ValidationError, match="upload at most"):
        video.full_clean()


@pytest.mark.django_db
def test_the_video_page_shows_player_chapters_and_transcript(client):
    video = VideoFactory(provider="youtube", provider_video_id="dQw4w9WgXcQ", transcript="Open the installer.")
    VideoChapterFactory(video=video, start_seconds=0, title="Intro")
    VideoChapterFactory(video=video, start_seconds=75, title="Windows")

    page = client.get(video.get_absolute_url()).content.decode()

    assert 'src="https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ?start=0"' in page
    assert 'href="?t=75" data-seek="75"' in page
    assert "1:15" in page
    assert "Open the installer." in page


@pytest.mark.django_db
def test_a_chapter_link_without_javascript_starts_the_player_there(client):
    video = VideoFactory(provider="vimeo", provider_video_id="76979871", duration_seconds=300)

    page = client.get(video.get_absolute_url(), {"t": "75"}).content.decode()
    out_of_range = client.get(video.get_absolute_url(), {"t": "99999"}).content.decode()

    assert "https://player.vimeo.com/video/76979871#t=75s" in page
    assert "#t=0s" in out_of_range
