"""Demo knowledge base: categories, articles (through import_kb's importer) and videos."""

import hashlib
import json
from datetime import timedelta
from pathlib import Path

from django.db import transaction
from django.utils import timezone

from articles import services
from articles.importing import import_articles
from articles.models import Article, ProductVersion, Status, Video, VideoChapter

DATA_DIR = Path(__file__).parent / "data"
VERSIONS = [("3.8", "2024-03-12"), ("4.0", "2025-01-20"), ("4.1", "2025-07-08"), ("4.2", "2026-02-17")]


@transaction.atomic
def load_categories() -> int:
    entries = json.loads((DATA_DIR / "categories.json").read_text(encoding="utf-8"))
    for entry in entries:
        category = services.category_get_or_create_path(path=entry["path"])
        category.name_zh_hans = entry["name_zh_hans"]
        category.description = entry["description"]
        category.description_zh_hans = entry["description_zh_hans"]
        category.ordering = entry["ordering"]
        category.save()
    return len(entries)


def load_versions() -> None:
    for ordering, (name, released_on) in enumerate(VERSIONS):
        ProductVersion.objects.update_or_create(name=name, defaults={"released_on": released_on, "ordering": ordering})


def load_articles(stdout=None):
    lines = []
    for path in sorted(DATA_DIR.glob("articles-*.jsonl")):
        lines.extend(path.read_text(encoding="utf-8").splitlines())
    return import_articles(lines=lines)


@transaction.atomic
def load_videos() -> int:
    entries = json.loads((DATA_DIR / "videos.json").read_text(encoding="utf-8"))
    by_external_id: dict[str, Video] = {}
    for entry in entries:  # originals come before their translations in the file
        video = Video.objects.filter(external_id=entry["external_id"]).first() or Video(
            external_id=entry["external_id"]
        )
        video.title = entry["title"]
        video.slug = services.content_slug(entry["title"])
        video.description = entry["description"]
        video.language = entry["language"]
        video.category = services.category_get_or_create_path(path=entry["category"])
        video.duration_seconds = entry["duration_seconds"]
        video.provider = entry["provider"]
        video.provider_video_id = entry["provider_video_id"]
        video.transcript = entry["transcript"]
        video.status = entry.get("status", "published")
        video.translation_of = by_external_id.get(entry.get("translation_of") or "")
        services.video_save(video=video, by=None)
        video.tags.set(services.tags_get_or_create(names=entry.get("tags", [])))
        video.related_articles.set(Article.objects.filter(external_id__in=entry.get("related_articles", [])))
        video.chapters.all().delete()
        VideoChapter.objects.bulk_create(
            VideoChapter(video=video, start_seconds=c["start"], title=c["title"]) for c in entry["chapters"]
        )
        by_external_id[video.external_id] = video
    return len(entries)


def _stable_number(text: str, low: int, high: int) -> int:
    """A number that is the same on every run, so reloading the demo changes nothing."""
    digest = int(hashlib.sha256(text.encode()).hexdigest()[:8], 16)
    return low + digest % (high - low + 1)


@transaction.atomic
def load_activity() -> None:
    """Views, dates and "Was this helpful?" answers from made-up anonymous sessions."""
    now = timezone.now()
    for model in (Article, Video):
        for item in model.objects.filter(external_id__isnull=False).exclude(status=Status.DRAFT):
            age_days = _stable_number(item.external_id + ":age", 1, 240)
            model.objects.filter(pk=item.pk).update(
                view_count=_stable_number(item.external_id, 40, 2400),
                updated_at=now - timedelta(days=age_days, hours=_stable_number(item.external_id, 0, 23)),
                published_at=now - timedelta(days=age_days + 30),
                # About one in six was last reviewed over a year ago, so "Needs review" has work to show.
                last_reviewed_at=(now - timedelta(days=_stable_number(item.external_id + ":review", 20, 440))).date(),
            )
            votes = _stable_number(item.external_id + ":votes", 0, 24)
            helpful_share = _stable_number(item.external_id + ":share", 35, 98)
            for n in range(votes):
                helpful = (n * 100 // max(votes, 1)) < helpful_share
                services.feedback_submit(
                    item=item,
                    voter=services.Voter(session_key=f"demo-session-{n:03d}"),
                    helpful=helpful,
                    reason="" if helpful else ("unclear", "outdated", "not-solved")[n % 3],
                )
