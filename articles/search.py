"""What the knowledge base puts in the search index: published articles and videos."""

from __future__ import annotations

import re
from html import unescape

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from kbportal.search.registry import IndexedItem, SearchSource, register

from .models import Article, ArticleRevision, Status, Video, VideoChapter
from .transcripts import transcript_text


def helpfulness_boost(helpful: int, not_helpful: int) -> float:
    """-1 … +1 from helpfulness once an item shows its helpful share; 0 without an opinion."""
    votes = helpful + not_helpful
    if votes < settings.KBPORTAL_HELPFULNESS_MIN_VOTES:
        return 0.0
    return (helpful - not_helpful) / votes


def _boost(item) -> float:
    return helpfulness_boost(item.helpful_count, item.not_helpful_count)


def _versions(item) -> tuple[str, ...]:
    return tuple(version.name for version in item.product_versions.all())


# A tag of the renderer's sanitised HTML: quoted attribute values may hold ">", comments never survive it.
_TAG = re.compile(r"""<(?:[^>"']|"[^"]*"|'[^']*')*>""")


def plain_text(html: str) -> str:
    """The words of rendered HTML, for matching and snippets: no Markdown marks, no tags.

    One regular expression over the sanitised HTML rather than `strip_tags`'s HTML parser, which was an
    eighth of indexing's time; `tests/articles/test_search_text.py` holds it to the parser's text.
    """
    return unescape(_TAG.sub("", html.replace("</", "\n</")))


def _blocks(*parts: str) -> str:
    """The texts as blocks of their own, a blank line between them, as the transcript's cues are.

    One line break is what `plain_text` leaves of a closing tag, or a soft line break, and a snippet shows it as
    nothing between two Chinese words: a chapter title or a summary followed by one would run on into the next."""
    return "\n\n".join(part for part in parts if part)


def describe_article(article: Article) -> IndexedItem:
    return IndexedItem(
        object_id=article.pk,
        language=article.language,
        title=article.title,
        body=_blocks(article.summary, plain_text(article.body_html)),
        url=article.get_absolute_url(),
        updated_at=article.updated_at,
        external_id=article.external_id or "",
        category_id=article.category_id,
        product_versions=_versions(article),
        boost=_boost(article),
        visible_from=article.publish_at,
    )


def describe_video(video: Video) -> IndexedItem:
    chapters = _blocks(*(chapter.title for chapter in video.chapters.all()))
    return IndexedItem(
        object_id=video.pk,
        language=video.language,
        title=video.title,
        body=_blocks(video.description, chapters, transcript_text(video.transcript)),
        url=video.get_absolute_url(),
        updated_at=video.updated_at,
        external_id=video.external_id or "",
        category_id=video.category_id,
        product_versions=_versions(video),
        boost=_boost(video),
        visible_from=video.publish_at,
    )


def register_sources() -> None:
    register(
        SearchSource(
            kind="article",
            label=lambda: _("Article"),
            model=Article,
            # Scheduled ones included: the index hides them until their publish_at.
            findable=lambda: Article.objects.filter(status=Status.PUBLISHED).prefetch_related("product_versions"),
            describe=describe_article,
            dependents={ArticleRevision: lambda revision: [revision.article_id]},
        )
    )
    register(
        SearchSource(
            kind="video",
            label=lambda: _("Video"),
            model=Video,
            findable=lambda: Video.objects.filter(status=Status.PUBLISHED).prefetch_related(
                "product_versions", "chapters"
            ),
            describe=describe_video,
            dependents={VideoChapter: lambda chapter: [chapter.video_id]},
        )
    )
