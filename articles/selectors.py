"""Reads for the knowledge-base pages and API, each with a fixed number of queries."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.db.models import Count, F, Prefetch, Q, QuerySet
from django.http import Http404

from .models import Article, Category, Feedback, PublishableContent, Status, Video

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from kbportal.accounts.models import User


@dataclass
class CategoryNode:
    category: Category
    children: list[CategoryNode] = field(default_factory=list)
    article_count: int = 0


def category_tree(*, language: str) -> list[CategoryNode]:
    """All categories as a tree with published-article counts: two queries whatever the size."""
    counts = dict(
        Article.objects.published()
        .in_language(language)
        .values_list("category")
        .annotate(n=Count("pk"))
        .values_list("category", "n")
    )
    # Keyed by id or None, so a root's missing parent is looked up like any other.
    nodes: dict[int | None, CategoryNode] = {
        c.pk: CategoryNode(category=c, article_count=counts.get(c.pk, 0)) for c in Category.objects.all()
    }
    roots: list[CategoryNode] = []
    for node in nodes.values():
        parent = nodes.get(node.category.parent_id)
        (parent.children if parent else roots).append(node)
    for node in _walk(roots):
        node.article_count += sum(child.article_count for child in _walk(node.children))
    return roots


def _walk(nodes: list[CategoryNode]) -> Iterator[CategoryNode]:
    for node in nodes:
        yield node
        yield from _walk(node.children)


def category_ancestors(*, category: Category) -> list[Category]:
    """The path from the root down to the category's parent, for breadcrumbs (one query)."""
    # Unordered: the chain is walked by parent, and an ORDER BY costs the ORM more than the query itself.
    by_pk: dict[int | None, Category] = {
        c.pk: c for c in Category.objects.only("pk", "parent_id", "name", "name_zh_hans", "slug").order_by()
    }
    chain: list[Category] = []
    current = by_pk.get(category.parent_id)
    while current is not None and current not in chain:
        chain.append(current)
        current = by_pk.get(current.parent_id)
    return list(reversed(chain))


def category_descendant_ids(*, category: Category) -> list[int]:
    parents = dict(Category.objects.values_list("pk", "parent_id"))
    ids = {category.pk}
    changed = True
    while changed:
        before = len(ids)
        ids |= {pk for pk, parent in parents.items() if parent in ids}
        changed = len(ids) != before
    return sorted(ids)


def article_list(*, user: User | AnonymousUser, language: str | None = None) -> QuerySet[Article]:
    """Articles a visitor may see, ready for a list: category and tags come with them."""
    articles = Article.objects.visible_to(user).select_related("category")  # the category badge per row
    articles = articles.prefetch_related("tags")  # the tag chips per row
    return articles.in_language(language) if language else articles


def video_list(*, user: User | AnonymousUser, language: str | None = None) -> QuerySet[Video]:
    videos = Video.objects.visible_to(user).select_related("category")  # the category badge per card
    return videos.in_language(language) if language else videos


def article_get(*, pk: int, user: User | AnonymousUser) -> Article:
    """One article for its page, or 404 when the visitor may not see it.

    Only what the page shows comes with it: the page needs the original's id (`translation_of_id`), not the
    original, and no owner; no ORDER BY either (Django hashes every selected column to build one, a
    millisecond on this wide row)."""
    queryset = (
        Article.objects.visible_to(user)
        .select_related("category")  # the breadcrumb
        .prefetch_related(
            "tags",
            "product_versions",
            Prefetch("videos", queryset=Video.objects.visible_to(user).only("pk", "title", "slug", "duration_seconds")),
        )
    )
    try:
        return queryset.get(pk=pk)
    except Article.DoesNotExist:
        raise Http404 from None


def video_get(*, pk: int, user: User | AnonymousUser) -> Video:
    video = (
        Video.objects.visible_to(user)
        .select_related("category", "translation_of")
        .prefetch_related(
            "chapters",
            "tags",
            Prefetch("related_articles", queryset=Article.objects.visible_to(user).only("pk", "title", "slug")),
        )
        .filter(pk=pk)
        .first()
    )
    if video is None:
        raise Http404
    return video


def translations_of(*, item: PublishableContent, user: User | AnonymousUser) -> list[PublishableContent]:
    """The other-language versions of an item that the visitor may see."""
    root_id = item.translation_root_id
    model = type(item)
    return list(
        model.objects.visible_to(user)
        .filter(Q(pk=root_id) | Q(translation_of_id=root_id))
        .exclude(pk=item.pk)
        .only("pk", "title", "slug", "language")
    )


def translation_in(*, item: PublishableContent, language: str, user: User | AnonymousUser) -> PublishableContent | None:
    """The version of an item in `language` that the visitor may see: itself, its original or a sibling.

    None when there is none the visitor may see: a draft, scheduled or archived translation stays hidden
    from customers exactly as on its own page.
    """
    if item.language == language:
        return item
    root_id = item.translation_root_id
    return (
        type(item)
        .objects.visible_to(user)
        .filter(Q(pk=root_id) | Q(translation_of_id=root_id), language=language)
        # The original first, should an editor have left one in the same language as a translation.
        .order_by(F("translation_of_id").asc(nulls_first=True), "pk")
        .only("pk", "slug", "language")
        .first()
    )


def related_articles(*, article: Article, user: User | AnonymousUser, limit: int = 5) -> list[Article]:
    """Articles of the same language sharing tags, then the same category, most viewed first."""
    tag_ids = [tag.pk for tag in article.tags.all()]
    candidates = (
        Article.objects.visible_to(user)
        .in_language(article.language)
        .exclude(pk=article.pk)
        .filter(Q(tags__in=tag_ids) | Q(category_id=article.category_id))
        .annotate(shared_tags=Count("tags", filter=Q(tags__in=tag_ids), distinct=True))
        .order_by("-shared_tags", "-view_count", "pk")
        .only("pk", "title", "slug", "summary")
    )
    return list(candidates[:limit])


def popular_articles(*, user: User | AnonymousUser, language: str, limit: int = 6) -> list[Article]:
    return list(article_list(user=user, language=language).order_by("-view_count", "pk")[:limit])


def recent_articles(*, user: User | AnonymousUser, language: str, limit: int = 6) -> list[Article]:
    return list(article_list(user=user, language=language).order_by("-updated_at", "pk")[:limit])


def featured_videos(*, user: User | AnonymousUser, language: str, limit: int = 4) -> list[Video]:
    return list(video_list(user=user, language=language).order_by("-view_count", "pk")[:limit])


def feedback_of(*, item: PublishableContent, user: User | AnonymousUser, session_key: str) -> Feedback | None:
    """The visitor's own earlier answer for an item, to show it selected."""
    target = {"article": item} if isinstance(item, Article) else {"video": item}
    if user.is_authenticated:
        return Feedback.objects.filter(**target, user=user).first()
    if session_key:
        return Feedback.objects.filter(**target, user=None, session_key=session_key).first()
    return None


def content_needing_review() -> tuple[QuerySet[Article], QuerySet[Video]]:
    """Published items that are poorly rated or not reviewed for too long, for editors."""
    articles = Article.objects.filter(status=Status.PUBLISHED).needs_review().with_helpfulness()
    videos = Video.objects.filter(status=Status.PUBLISHED).needs_review().with_helpfulness()
    return (
        # F(): the plugin cannot see the annotation a queryset method adds, and would refuse the name.
        articles.select_related("category", "owner").order_by(F("helpful_share").asc(), "last_reviewed_at"),
        videos.select_related("category", "owner").order_by(F("helpful_share").asc(), "last_reviewed_at"),
    )
