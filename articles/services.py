"""Every write to the knowledge base goes through these functions.

Views, the API, the admin and management commands are thin layers over them, so
the rules (rendering, revisions, tallies, visibility) hold whichever door is used.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from kbportal import buffer
from kbportal.accounts.models import User
from kbportal.markdown import render_markdown
from kbportal.pagecache import touch
from kbportal.search import boosts as search_boosts

from .models import (
    Article,
    ArticleRevision,
    Category,
    Feedback,
    FeedbackReason,
    ProductVersion,
    PublishableContent,
    Status,
    Tag,
    Video,
)
from .search import helpfulness_boost

# --- Articles -----------------------------------------------------------------------


def content_slug(title: str) -> str:
    return slugify(title, allow_unicode=True)[:200] or "item"


def article_render(*, article: Article) -> None:
    """Refresh the derived fields (slug, sanitized HTML, table of contents) from the Markdown."""
    rendered = render_markdown(article.body)
    article.body_html = rendered.html
    article.toc = [{"level": e.level, "anchor": e.anchor, "title": e.title} for e in rendered.toc]
    if not article.slug:
        article.slug = content_slug(article.title)


def mark_first_publication(item: PublishableContent, now: datetime | None = None) -> None:
    """Remember when an item first went (or goes, if scheduled) public; later publications keep it."""
    if item.status == Status.PUBLISHED and item.published_at is None:
        item.published_at = item.publish_at or now or timezone.now()


@transaction.atomic
def article_save(*, article: Article, by: User | None) -> Article:
    """Validate, render and save an article whose fields the caller has set.

    Call `article_revision_create` once its tags and versions are saved too
    (the admin saves many-to-many fields after the object).
    """
    article.clean()
    article_render(article=article)
    mark_first_publication(article)
    if article.owner_id is None and by is not None and by.is_staff:
        article.owner = by
    article.save()
    return article


@transaction.atomic
def article_revision_create(*, article: Article, by: User | None, comment: str = "") -> ArticleRevision:
    """Keep the article's full content as a new revision.

    Takes the article row lock, so two saves of one article never get the same number.
    """
    Article.objects.select_for_update().filter(pk=article.pk).first()
    last = article.revisions.order_by("-number").values_list("number", flat=True).first() or 0
    return ArticleRevision.objects.create(
        article=article,
        number=last + 1,
        created_by=by,
        comment=comment[:200],
        title=article.title,
        summary=article.summary,
        body=article.body,
        status=article.status,
        metadata=_article_metadata(article),
    )


def _article_metadata(article: Article) -> dict[str, Any]:
    return {
        "category": article.category_id,
        "type": article.type,
        "language": article.language,
        "tags": sorted(article.tags.values_list("name", flat=True)),
        "product_versions": sorted(article.product_versions.values_list("name", flat=True)),
    }


@transaction.atomic
def article_create(
    *,
    by: User | None,
    title: str,
    category: Category,
    body: str = "",
    summary: str = "",
    language: str = "en",
    type: str = "how-to",  # noqa: A002 - the field's name
    status: str = Status.DRAFT,
    publish_at: datetime | None = None,
    tags: Iterable[str] = (),
    product_versions: Iterable[str] = (),
    translation_of: Article | None = None,
    external_id: str | None = None,
) -> Article:
    article = Article(
        title=title,
        category=category,
        body=body,
        summary=summary,
        language=language,
        type=type,
        status=status,
        publish_at=publish_at,
        translation_of=translation_of,
        external_id=external_id,
    )
    article.full_clean(exclude=["slug", "owner", "tags", "product_versions"])
    article_save(article=article, by=by)
    article.tags.set(tags_get_or_create(names=tags))
    article.product_versions.set(product_versions_get_or_create(names=product_versions))
    article_revision_create(article=article, by=by, comment=_("Created"))
    return article


@transaction.atomic
def article_update(*, article: Article, by: User | None, comment: str = "", **fields: Any) -> Article:
    """Change the given fields (tags and product_versions take names) and keep a revision."""
    tags = fields.pop("tags", None)
    versions = fields.pop("product_versions", None)
    for name, value in fields.items():
        setattr(article, name, value)
    article.full_clean(exclude=["slug", "owner", "tags", "product_versions"])
    article_save(article=article, by=by)
    if tags is not None:
        article.tags.set(tags_get_or_create(names=tags))
    if versions is not None:
        article.product_versions.set(product_versions_get_or_create(names=versions))
    article_revision_create(article=article, by=by, comment=comment)
    return article


def _article_set_status(*, article: Article, status: str, by: User | None, comment: str, **extra: Any) -> Article:
    return article_update(article=article, by=by, comment=comment, status=status, **extra)


def article_submit_for_review(*, article: Article, by: User | None) -> Article:
    return _article_set_status(article=article, status=Status.REVIEW, by=by, comment=_("Submitted for review"))


def article_publish(*, article: Article, by: User | None, publish_at: datetime | None = None) -> Article:
    """Publish now, or at `publish_at`: until then customers cannot see it."""
    comment = _("Scheduled") if publish_at and publish_at > timezone.now() else _("Published")
    return _article_set_status(article=article, status=Status.PUBLISHED, by=by, comment=comment, publish_at=publish_at)


def article_archive(*, article: Article, by: User | None) -> Article:
    return _article_set_status(article=article, status=Status.ARCHIVED, by=by, comment=_("Archived"))


@transaction.atomic
def article_revert(*, article: Article, revision: ArticleRevision, by: User | None) -> Article:
    """Bring back a revision's content as a new revision; history is never rewritten."""
    if revision.article_id != article.pk:
        raise ValidationError(_("That revision belongs to another article."))
    metadata = revision.metadata or {}
    fields: dict[str, Any] = {"title": revision.title, "summary": revision.summary, "body": revision.body}
    if metadata.get("type"):
        fields["type"] = metadata["type"]
    category_id = metadata.get("category")
    category = Category.objects.filter(pk=category_id).first() if category_id is not None else None
    if category is not None:
        fields["category"] = category
    return article_update(
        article=article,
        by=by,
        comment=_("Reverted to revision %(number)s") % {"number": revision.number},
        tags=metadata.get("tags"),
        product_versions=metadata.get("product_versions"),
        **fields,
    )


def content_mark_reviewed(*, items: Iterable[PublishableContent], by: User | None) -> int:
    """Record that staff checked the items today; returns how many were marked."""
    today = timezone.localdate()
    count = 0
    for model in (Article, Video):
        pks = [item.pk for item in items if isinstance(item, model)]
        count += model.objects.filter(pk__in=pks).update(last_reviewed_at=today)
    touch("kb")  # an update sends no signal; pages show when an item was last reviewed
    return count


# --- Videos ---------------------------------------------------------------------------


@transaction.atomic
def video_save(*, video: Video, by: User | None) -> Video:
    """Validate and save a video whose fields the caller has set."""
    if not video.slug:
        video.slug = content_slug(video.title)
    mark_first_publication(video)
    if video.owner_id is None and by is not None and by.is_staff:
        video.owner = by
    video.full_clean(exclude=["owner", "tags", "product_versions", "related_articles"])
    video.save()
    return video


def _video_set_status(*, video: Video, status: str, by: User | None, publish_at: datetime | None = None) -> Video:
    video.status = status
    if status == Status.PUBLISHED:
        video.publish_at = publish_at
    return video_save(video=video, by=by)


def video_publish(*, video: Video, by: User | None, publish_at: datetime | None = None) -> Video:
    return _video_set_status(video=video, status=Status.PUBLISHED, by=by, publish_at=publish_at)


def video_archive(*, video: Video, by: User | None) -> Video:
    return _video_set_status(video=video, status=Status.ARCHIVED, by=by)


# --- Taxonomy ----------------------------------------------------------------------------


def tags_get_or_create(*, names: Iterable[str]) -> list[Tag]:
    """Tags by name (lower-cased); names that slugify alike ("C" and "C++") get distinct slugs."""
    tags = []
    for name in {n.strip().lower()[:60] for n in names if n and n.strip()}:
        tag = Tag.objects.filter(name=name).first()
        if tag is None:
            tag = Tag.objects.create(name=name, slug=_unique_slug(Tag, content_slug(name)[:74]))
        tags.append(tag)
    return tags


def product_versions_get_or_create(*, names: Iterable[str]) -> list[ProductVersion]:
    return [ProductVersion.objects.get_or_create(name=n.strip()[:40])[0] for n in names if n and n.strip()]


@transaction.atomic
def category_get_or_create_path(*, path: str) -> Category:
    """The category at a path such as "Troubleshooting/Network", creating missing levels."""
    parent: Category | None = None
    names = [part.strip() for part in path.split("/") if part.strip()]
    if not names:
        raise ValidationError(_("Give a category, e.g. “Troubleshooting/Network”."))
    for name in names:
        category = Category.objects.filter(parent=parent, name=name).first()
        if category is None:
            category = Category.objects.create(
                parent=parent, name=name[:120], slug=_unique_slug(Category, content_slug(name)[:120])
            )
        parent = category
    if parent is None:
        raise AssertionError("unreachable: `names` is not empty")
    return parent


def _unique_slug(model: type[Category] | type[Tag], base: str) -> str:
    slug, suffix = base, 2
    while model.objects.filter(slug=slug).exists():
        slug, suffix = f"{base}-{suffix}", suffix + 1
    return slug


# --- Views and helpfulness -------------------------------------------------------------------


VIEW_RECORD = "articles.view"
_VIEW_KINDS: dict[str, type[Article] | type[Video]] = {"article": Article, "video": Video}


def content_register_view(*, item: PublishableContent) -> None:
    """Count a page view, later: the page writes nothing (kbportal/buffer.py); `content_views_write` adds the
    views of a batch with one UPDATE per item."""
    kind = "video" if isinstance(item, Video) else "article"
    buffer.record(VIEW_RECORD, {"kind": kind, "id": item.pk})


def content_views_write(records: list[dict[str, Any]]) -> None:
    """The buffer's writer of page views: `view_count = view_count + n`, one F() UPDATE per item and batch, so
    concurrent batches lose no count and a popular article's row is written once per batch, not once per view."""
    views: Counter[tuple[str, int]] = Counter()
    for record in records:
        kind, pk = record.get("kind"), record.get("id")
        if kind in _VIEW_KINDS and isinstance(pk, int):
            views[(kind, pk)] += 1
    for (kind, pk), count in sorted(views.items()):
        _VIEW_KINDS[kind].objects.filter(pk=pk).update(view_count=F("view_count") + count)


@dataclass(frozen=True)
class Voter:
    """Who gives feedback: a signed-in user, or else an anonymous browser session."""

    user: User | None = None
    session_key: str = ""

    def lookup(self) -> dict[str, Any]:
        if self.user is not None and self.user.is_authenticated:
            return {"user": self.user}
        if not self.session_key:
            raise ValidationError(_("Your browser did not keep a session. Enable cookies and try again."))
        return {"user": None, "session_key": self.session_key}


def feedback_submit(
    *,
    item: Article | Video,
    voter: Voter,
    helpful: bool,
    reason: str = "",
    comment: str = "",
) -> Feedback:
    """Record or change a voter's "Was this helpful?" answer; tallies stay exact under concurrency.

    One row per voter and item (unique constraints); the item's counters move by
    F() deltas inside the same transaction, so concurrent votes never overwrite
    each other's counts.
    """
    if reason and reason not in FeedbackReason.values:
        raise ValidationError({"reason": _("Choose one of the listed reasons.")})
    if helpful:
        reason = ""
    target = {"article": item} if isinstance(item, Article) else {"video": item}
    identity = {**target, **voter.lookup()}
    values = {"helpful": helpful, "reason": reason, "comment": comment.strip()[:2000]}
    for attempt in range(3):
        try:
            return _feedback_upsert(item=item, identity=identity, values=values)
        except IntegrityError:
            # The same voter's other request inserted the row first: retry as a change.
            if attempt == 2:
                raise
    raise AssertionError("unreachable")


@transaction.atomic
def _feedback_upsert(*, item: Article | Video, identity: dict[str, Any], values: dict[str, Any]) -> Feedback:
    existing = Feedback.objects.select_for_update().filter(**identity).first()
    if existing is None:
        with transaction.atomic():
            feedback = Feedback.objects.create(**identity, **values)
        _move_tallies(item=item, helpful_delta=int(values["helpful"]), not_helpful_delta=int(not values["helpful"]))
        return feedback
    if existing.helpful != values["helpful"]:
        change = 1 if values["helpful"] else -1
        _move_tallies(item=item, helpful_delta=change, not_helpful_delta=-change)
    for name, value in values.items():
        setattr(existing, name, value)
    existing.save(update_fields=[*values, "updated_at"])
    return existing


def _move_tallies(*, item: Article | Video, helpful_delta: int, not_helpful_delta: int) -> None:
    model = type(item)
    model.objects.filter(pk=item.pk).update(
        helpful_count=F("helpful_count") + helpful_delta,
        not_helpful_count=F("not_helpful_count") + not_helpful_delta,
    )
    # Helpfulness is a ranking signal and nothing else of the item changed: move the signal alone, in this
    # transaction. The UPDATE above holds the item's row, so the tallies read here are the ones that commit.
    helpful, not_helpful = model.objects.values_list("helpful_count", "not_helpful_count").get(pk=item.pk)
    kind = "article" if isinstance(item, Article) else "video"
    search_boosts.set_boost(kind, item.pk, helpfulness_boost(helpful, not_helpful))
