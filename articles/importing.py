"""Knowledge-base import and export as JSON Lines: one article per line.

The import is idempotent by `external_id`: a line whose article already holds the
same content changes nothing, a changed line updates the article and keeps an
"Imported" revision. It works in batches (one transaction each, bulk queries,
taxonomy cached in dicts) so a file of 100,000 lines takes minutes, and links
translations only after the last line, because a translation may come before its
original. The rules of `article_save` (rendering, first publication, owner) are
applied here in bulk rather than one save at a time.
"""

from __future__ import annotations

import json
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from itertools import islice
from typing import Any, NamedTuple, Protocol, TypeVar

from django.db import models, transaction
from django.db.models import F, Max, Prefetch, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from kbportal import safejson
from kbportal.accounts.models import User
from kbportal.choices import Language
from kbportal.pagecache import touch
from kbportal.search import indexing as search_index

from .models import Article, ArticleRevision, ArticleType, Category, ProductVersion, Status, Tag
from .services import (
    article_render,
    article_revision_create,
    category_get_or_create_path,
    content_slug,
    mark_first_publication,
)

BATCH_SIZE = 1000
# Lookups by a list of keys are split into chunks this long, under every backend's parameter limit.
LOOKUP_CHUNK = 500
TITLE_MAX = Article._meta.get_field("title").max_length
SUMMARY_MAX = Article._meta.get_field("summary").max_length
EXTERNAL_ID_MAX = Article._meta.get_field("external_id").max_length
CATEGORY_NAME_MAX = Category._meta.get_field("name").max_length
TAG_MAX = Tag._meta.get_field("name").max_length
VERSION_MAX = ProductVersion._meta.get_field("name").max_length

UPDATED_FIELDS = [
    "title", "summary", "body", "body_html", "toc", "slug", "language", "type", "status",
    "publish_at", "published_at", "category", "owner", "translation_of", "updated_at",
]  # fmt: skip

TagLink = Article.tags.through
VersionLink = Article.product_versions.through

T = TypeVar("T")


class LineError(ValueError):
    """A line that cannot be imported; the message is one sentence saying what to fix."""


@dataclass(frozen=True)
class ArticleLine:
    """One valid line of an import file, normalised the way the services store it."""

    number: int
    external_id: str
    title: str
    summary: str
    body: str
    language: str
    category: tuple[str, ...]
    tags: frozenset[str]
    product_versions: frozenset[str]
    type: str
    status: str
    publish_at: datetime | None
    translation_of: str | None


@dataclass(frozen=True)
class LineProblem:
    number: int
    message: str

    def __str__(self) -> str:
        return _("line %(number)s: %(message)s") % {"number": self.number, "message": self.message}


@dataclass
class ImportReport:
    dry_run: bool = False
    lines: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    # Rejected lines, and lines imported without their translation link.
    problems: list[LineProblem] = field(default_factory=list)
    started: float = field(default_factory=time.perf_counter)

    @property
    def seconds(self) -> float:
        return time.perf_counter() - self.started

    def reject(self, number: int, message: str) -> None:
        self.rejected += 1
        self.problems.append(LineProblem(number, message))


# --- Reading one line ------------------------------------------------------------------


def parse_line(*, text: str | bytes, number: int) -> ArticleLine:
    """Validate one line; raises LineError naming the first problem."""
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8")
        except UnicodeDecodeError as error:
            raise LineError(_("The line is not valid UTF-8; save the file as UTF-8.")) from error
    try:
        data = safejson.loads(text)  # a line of the file is as untrusted as a request body
    except json.JSONDecodeError as error:
        raise LineError(
            _("The line is not valid JSON (%(error)s at column %(column)s).")
            % {"error": error.msg, "column": error.colno}
        ) from error
    if not isinstance(data, dict):
        raise LineError(_("The line must be a JSON object holding one article's fields."))

    external_id = _text(data, "external_id", max_length=EXTERNAL_ID_MAX).strip()
    translation_of = _text(data, "translation_of", max_length=EXTERNAL_ID_MAX, required=False).strip() or None
    if translation_of == external_id:
        raise LineError(_("The field “translation_of” names the article itself; name its original or leave it out."))
    return ArticleLine(
        number=number,
        external_id=external_id,
        title=_text(data, "title", max_length=TITLE_MAX).strip(),
        summary=_text(data, "summary", max_length=SUMMARY_MAX, required=False).strip(),
        body=_text(data, "body"),
        language=_choice(data, "language", Language),
        category=_category_path(data),
        tags=_names(data, "tags", max_length=TAG_MAX, required=True, lower=True),
        product_versions=_names(data, "product_versions", max_length=VERSION_MAX, required=False, lower=False),
        type=_choice(data, "type", ArticleType),
        status=_choice(data, "status", Status),
        publish_at=_moment(data, "publish_at"),
        translation_of=translation_of,
    )


def _missing(name: str) -> LineError:
    return LineError(_("The field “%(field)s” is missing or empty; every line needs it.") % {"field": name})


def _check_string(name: str, value: Any, max_length: int | None) -> str:
    if not isinstance(value, str):
        raise LineError(
            _("The field “%(field)s” must be a string, not %(type)s.") % {"field": name, "type": _json_type(value)}
        )
    if "\x00" in value:
        raise LineError(_("The field “%(field)s” contains a NUL character; remove it.") % {"field": name})
    if max_length is not None and len(value.strip()) > max_length:
        raise LineError(
            _("The field “%(field)s” is %(length)s characters long; shorten it to %(max)s.")
            % {"field": name, "length": len(value.strip()), "max": max_length}
        )
    return value


def _text(data: dict, name: str, *, max_length: int | None = None, required: bool = True) -> str:
    value = data.get(name)
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise _missing(name)
        return ""
    return _check_string(name, value, max_length)


def _choice(data: dict, name: str, choices: type[models.TextChoices]) -> str:
    value = _text(data, name)
    if value not in choices.values:
        raise LineError(
            _("The field “%(field)s” is “%(value)s”; use one of %(choices)s.")
            % {"field": name, "value": value[:40], "choices": ", ".join(choices.values)}
        )
    return value


def _category_path(data: dict) -> tuple[str, ...]:
    path = _text(data, "category")
    names = tuple(part.strip() for part in path.split("/") if part.strip())
    if not names:
        raise LineError(_("The field “category” holds no name; give a path such as “Troubleshooting/Network”."))
    for name in names:
        _check_string("category", name, CATEGORY_NAME_MAX)
    return names


def _names(data: dict, name: str, *, max_length: int, required: bool, lower: bool) -> frozenset[str]:
    value = data.get(name)
    if value is None:
        if required:
            raise _missing(name)
        return frozenset()
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise LineError(_("The field “%(field)s” must be a list of strings.") % {"field": name})
    names = set()
    for item in value:
        item = _check_string(name, item, max_length).strip()
        if item:
            # Tags are stored lower-case, as tags_get_or_create does.
            names.add(item.lower() if lower else item)
    return frozenset(names)


def _moment(data: dict, name: str) -> datetime | None:
    value = data.get(name)
    if value is None or value == "":
        return None
    try:
        moment = datetime.fromisoformat(_check_string(name, value, None))
    except ValueError as error:
        raise LineError(
            _("The field “%(field)s” is not an ISO 8601 date and time such as “2025-03-01T09:00:00+00:00”.")
            % {"field": name}
        ) from error
    return timezone.make_aware(moment) if timezone.is_naive(moment) else moment


def _json_type(value: Any) -> str:
    names = {bool: "a boolean", int: "a number", float: "a number", list: "a list", dict: "an object"}
    return names.get(type(value), "null" if value is None else type(value).__name__)


# --- Import ------------------------------------------------------------------------------


def import_articles(
    *,
    lines: Iterable[str | bytes],
    by: User | None = None,
    dry_run: bool = False,
    progress: Callable[[ImportReport], None] | None = None,
    batch_size: int = BATCH_SIZE,
) -> ImportReport:
    """Create or update the articles of a JSON Lines file; bad lines are reported and skipped.

    Each batch commits on its own, so an interrupted import keeps the batches done;
    running it again finishes the job (lines already imported count as unchanged).
    With `dry_run` every line is checked and counted against the database, which is
    only read. `progress` is called with the report after every batch.
    """
    report = ImportReport(dry_run=dry_run)
    importer = _Importer(by=by, dry_run=dry_run, report=report)
    for batch in _chunks(_accepted_lines(lines=lines, report=report), batch_size):
        importer.import_batch(batch)
        if progress is not None:
            progress(report)
    importer.link_translations()
    return report


def _accepted_lines(*, lines: Iterable[str | bytes], report: ImportReport) -> Iterator[ArticleLine]:
    first_seen: dict[str, int] = {}
    for number, text in enumerate(lines, start=1):
        report.lines = number
        if number == 1:
            text = text.removeprefix(b"\xef\xbb\xbf") if isinstance(text, bytes) else text.removeprefix("\ufeff")
        if not text.strip():
            continue
        try:
            line = parse_line(text=text, number=number)
        except LineError as error:
            report.reject(number, str(error))
            continue
        if line.external_id in first_seen:
            report.reject(
                number,
                _("The external_id “%(id)s” already appeared on line %(line)s; give each article one line.")
                % {"id": line.external_id[:60], "line": first_seen[line.external_id]},
            )
            continue
        first_seen[line.external_id] = number
        yield line


class _LinkRequest(NamedTuple):
    number: int
    language: str
    target: str | None


class _Importer:
    """The state one import keeps between batches: taxonomy caches and the links to make at the end."""

    def __init__(self, *, by: User | None, dry_run: bool, report: ImportReport) -> None:
        self.by = by
        self.owner = by if by is not None and by.is_staff else None
        self.dry_run = dry_run
        self.report = report
        self.categories = _CategoryCache()
        self.tag_ids: dict[str, int] = {}
        self.version_ids: dict[str, int] = {}
        self.links: dict[str, _LinkRequest] = {}
        self.unchanged: set[str] = set()
        # Lines whose only change is their link: they get their revision once it is saved.
        self.relinked: set[str] = set()

    # The batch ---------------------------------------------------------------------------

    def import_batch(self, batch: list[ArticleLine]) -> None:
        for line in batch:
            self.links[line.external_id] = _LinkRequest(line.number, line.language, line.translation_of)
        if self.dry_run:
            self._classify(batch, lock=False)
            return
        # Index updates from this batch (its own and those of saves' signals) are applied once, together.
        with search_index.deferred_indexing(), transaction.atomic():
            new, changed = self._classify(batch, lock=True)
            if new or changed:
                self._write(new, changed)

    def _classify(
        self, batch: list[ArticleLine], *, lock: bool
    ) -> tuple[list[ArticleLine], list[tuple[Article, ArticleLine]]]:
        articles = Article.objects.filter(external_id__in=[line.external_id for line in batch]).defer(
            "body_html", "toc"
        )
        if lock:
            # Staff saves take the same row lock before numbering a revision (article_revision_create).
            articles = articles.select_for_update()
        existing = {article.external_id: article for article in articles}
        pks = [article.pk for article in existing.values()]
        tags = _names_by_article(TagLink, "tag__name", pks)
        versions = _names_by_article(VersionLink, "productversion__name", pks)
        new, changed = [], []
        for line in batch:
            article = existing.get(line.external_id)
            if article is None:
                new.append(line)
            elif self._differs(article, line, tags[article.pk], versions[article.pk]):
                changed.append((article, line))
            else:
                self.unchanged.add(line.external_id)
        self.report.created += len(new)
        self.report.updated += len(changed)
        self.report.unchanged += len(batch) - len(new) - len(changed)
        return new, changed

    def _differs(self, article: Article, line: ArticleLine, tags: set[str], versions: set[str]) -> bool:
        return (
            article.title != line.title
            or article.summary != line.summary
            or article.body != line.body
            or article.language != line.language
            or article.type != line.type
            or article.status != line.status
            or article.publish_at != line.publish_at
            or self.categories.path_of.get(article.category_id) != line.category
            or tags != line.tags
            or versions != line.product_versions
        )

    def _write(self, new: list[ArticleLine], changed: list[tuple[Article, ArticleLine]]) -> None:
        lines = new + [line for _article, line in changed]
        tag_ids = self._tag_ids({name for line in lines for name in line.tags})
        version_ids = self._version_ids({name for line in lines for name in line.product_versions})
        now = timezone.now()
        touch("kb")  # bulk writes send no signal (kbportal/pagecache.py)

        created = [self._apply(Article(external_id=line.external_id), line, now) for line in new]
        Article.objects.bulk_create(created)
        if any(article.pk is None for article in created):  # Backends that cannot return ids.
            pks = dict(
                Article.objects.filter(external_id__in=[a.external_id for a in created]).values_list(
                    "external_id", "pk"
                )
            )
            for article in created:
                article.pk = pks[article.external_id]

        updated = []
        for article, line in changed:
            if article.language != line.language and article.translation_of_id is not None:
                # The new language could clash with a sibling translation; link_translations() relinks it.
                article.translation_of_id = None
            updated.append(self._apply(article, line, now))
            # One UPDATE per article: bulk_update's CASE per field and row measured 8x slower here.
            article.save(update_fields=UPDATED_FIELDS)

        changed_pks = [article.pk for article in updated]
        TagLink.objects.filter(article_id__in=changed_pks).delete()
        VersionLink.objects.filter(article_id__in=changed_pks).delete()
        pairs = list(zip(created + updated, lines, strict=True))
        TagLink.objects.bulk_create(
            [TagLink(article_id=a.pk, tag_id=tag_ids[name]) for a, line in pairs for name in line.tags],
            ignore_conflicts=True,
        )
        VersionLink.objects.bulk_create(
            [
                VersionLink(article_id=a.pk, productversion_id=version_ids[name])
                for a, line in pairs
                for name in line.product_versions
            ],
            ignore_conflicts=True,
        )

        last_numbers = dict(
            ArticleRevision.objects.filter(article_id__in=changed_pks)
            .values("article_id")
            .annotate(last=Max("number"))
            .values_list("article_id", "last")
        )
        ArticleRevision.objects.bulk_create(
            [_revision(a, line, number=last_numbers.get(a.pk, 0) + 1, by=self.by) for a, line in pairs]
        )
        # Bulk writes send no signals: the batch goes to the search index in one piece after commit.
        pks = [a.pk for a in created + updated]
        search_index.index_after_commit("article", pks)

    def _apply(self, article: Article, line: ArticleLine, now: datetime) -> Article:
        article.title = line.title
        article.summary = line.summary
        article.body = line.body
        article.language = line.language
        article.type = line.type
        article.status = line.status
        article.publish_at = line.publish_at
        article.category_id = self.categories.get_or_create(line.category)
        article_render(article=article)
        # As article_save does: the first publication is remembered, the owner defaults to the importer.
        mark_first_publication(article, now)
        if article.owner_id is None and self.owner is not None:
            article.owner = self.owner
        return article

    # Taxonomy -------------------------------------------------------------------------------

    def _tag_ids(self, names: set[str]) -> dict[str, int]:
        missing = self._fill(self.tag_ids, Tag, names)
        if missing:
            slugs = _unique_tag_slugs(missing)
            Tag.objects.bulk_create([Tag(name=name, slug=slugs[name]) for name in missing], ignore_conflicts=True)
            self._fill(self.tag_ids, Tag, missing)
        return self.tag_ids

    def _version_ids(self, names: set[str]) -> dict[str, int]:
        missing = self._fill(self.version_ids, ProductVersion, names)
        if missing:
            ProductVersion.objects.bulk_create([ProductVersion(name=name) for name in missing], ignore_conflicts=True)
            self._fill(self.version_ids, ProductVersion, missing)
        return self.version_ids

    @staticmethod
    def _fill(cache: dict[str, int], model: type[Tag] | type[ProductVersion], names: set[str]) -> set[str]:
        """Cache the ids of the names that exist; return the names that do not."""
        missing = names - cache.keys()
        if missing:
            cache.update(model.objects.filter(name__in=missing).values_list("name", "pk"))
        return missing - cache.keys()

    # Translations ---------------------------------------------------------------------------

    def link_translations(self) -> None:
        """Link every imported article to the original its line names, once all lines are in.

        A link that cannot be made (unknown original, same language, original that is
        itself a translation, a second translation in one language) is reported and
        left empty, so the article keeps the import's other changes.
        """
        if not self.links:
            return
        rows = _link_rows(self.links.keys() | {r.target for r in self.links.values() if r.target})
        kept = _kept_translation_languages({row[0] for row in rows.values()}, in_file=self.links.keys())
        claimed: set[tuple[str, str]] = set()
        changes: dict[int, int | None] = {}
        for external_id, request in sorted(self.links.items(), key=lambda item: item[1].number):
            target = request.target
            if target is not None:
                problem = self._link_problem(external_id, request, target, rows, kept, claimed)
                if problem:
                    self.report.problems.append(
                        LineProblem(request.number, problem + " " + _("The article was imported without the link."))
                    )
                    target = None
                else:
                    claimed.add((target, request.language))
            own = rows.get(external_id)
            current = own[1] if own else None
            wanted = rows[target][0] if target in rows else None
            if current != wanted or (target is not None and wanted is None):
                if own is not None:
                    changes[own[0]] = wanted
                if external_id in self.unchanged:
                    # Only the link changed: count the line as an update, as it is one.
                    self.report.unchanged -= 1
                    self.report.updated += 1
                    self.unchanged.discard(external_id)
                    self.relinked.add(external_id)
        if self.dry_run or not changes:
            return
        with transaction.atomic():
            self._save_links(changes)

    def _link_problem(
        self,
        external_id: str,
        request: _LinkRequest,
        target: str,
        rows: dict[str, tuple[int, int | None, str]],
        kept: dict[int, set[str]],
        claimed: set[tuple[str, str]],
    ) -> str | None:
        in_file = self.links.get(target)
        in_db = rows.get(target)
        if in_file is None and in_db is None:
            return _("The translation_of “%(id)s” matches no article in the file or the database.") % {"id": target}
        target_language = in_file.language if in_file else in_db[2]
        target_is_translation = in_file.target is not None if in_file else in_db[1] is not None
        if target_is_translation:
            return _("The article “%(id)s” is itself a translation; name its original instead.") % {"id": target}
        if target_language == request.language:
            return _("The article “%(id)s” is in the same language; a translation needs another one.") % {"id": target}
        own = rows.get(external_id)
        if own is not None and kept.get(own[0]):
            return _("Other articles are translations of this one, so it cannot be a translation itself.")
        if (target, request.language) in claimed or (in_db is not None and request.language in kept.get(in_db[0], ())):
            return _("The article “%(id)s” already has a translation in this language.") % {"id": target}
        return None

    def _save_links(self, changes: dict[int, int | None]) -> None:
        now = timezone.now()
        touch("kb")
        # Clear first: a link that moves to another article would otherwise clash with
        # the one-translation-per-language constraint halfway through the update.
        for chunk in _chunks(changes, LOOKUP_CHUNK):
            Article.objects.filter(pk__in=chunk).update(translation_of=None, updated_at=now)
        for pk, target in changes.items():
            if target is not None:
                Article.objects.filter(pk=pk).update(translation_of_id=target)
        for chunk in _chunks(sorted(self.relinked), LOOKUP_CHUNK):
            for article in Article.objects.filter(external_id__in=chunk):
                article_revision_create(article=article, by=self.by, comment=_("Imported"))


def _revision(article: Article, line: ArticleLine, *, number: int, by: User | None) -> ArticleRevision:
    return ArticleRevision(
        article_id=article.pk,
        number=number,
        created_by=by,
        comment=_("Imported"),
        title=article.title,
        summary=article.summary,
        body=article.body,
        status=article.status,
        # The same shape as services._article_metadata.
        metadata={
            "category": article.category_id,
            "type": article.type,
            "language": article.language,
            "tags": sorted(line.tags),
            "product_versions": sorted(line.product_versions),
        },
    )


def _names_by_article(link: type[models.Model], name_path: str, pks: list[int]) -> defaultdict[int, set[str]]:
    names: defaultdict[int, set[str]] = defaultdict(set)
    if pks:
        for pk, name in link.objects.filter(article_id__in=pks).values_list("article_id", name_path):
            names[pk].add(name)
    return names


def _unique_tag_slugs(names: set[str]) -> dict[str, str]:
    """Slugs for new tags; "C++" and "C" would both want "c", so later ones get a suffix."""
    bases = {name: content_slug(name)[:74] for name in names}
    taken = set(Tag.objects.filter(slug__in=bases.values()).values_list("slug", flat=True))
    slugs = {}
    for name in sorted(names):
        slug, suffix = bases[name], 2
        while slug in taken or (suffix > 2 and Tag.objects.filter(slug=slug).exists()):
            slug, suffix = f"{bases[name]}-{suffix}", suffix + 1
        taken.add(slug)
        slugs[name] = slug
    return slugs


def _link_rows(external_ids: Iterable[str]) -> dict[str, tuple[int, int | None, str]]:
    """pk, translation_of_id and language of the articles with these external ids."""
    rows = {}
    for chunk in _chunks(sorted(external_ids), LOOKUP_CHUNK):
        for external_id, *row in Article.objects.filter(external_id__in=chunk).values_list(
            "external_id", "pk", "translation_of_id", "language"
        ):
            rows[external_id] = tuple(row)
    return rows


def _kept_translation_languages(pks: set[int], *, in_file: Iterable[str]) -> dict[int, set[str]]:
    """For each of these articles, the languages of its translations that the file leaves alone."""
    in_file = set(in_file)
    kept: dict[int, set[str]] = defaultdict(set)
    for chunk in _chunks(sorted(pks), LOOKUP_CHUNK):
        for external_id, original, language in Article.objects.filter(translation_of_id__in=chunk).values_list(
            "external_id", "translation_of_id", "language"
        ):
            if external_id not in in_file:
                kept[original].add(language)
    return kept


class _CategoryCache:
    """Every category's path, loaded once: a knowledge base has tens of categories, not thousands."""

    def __init__(self) -> None:
        self.path_of: dict[int, tuple[str, ...]] = {}
        self.id_of: dict[tuple[str, ...], int] = {}
        self._load()

    def _load(self) -> None:
        rows = {pk: (parent, name) for pk, parent, name in Category.objects.values_list("pk", "parent_id", "name")}
        self.path_of = {pk: _category_path_of(pk, rows) for pk in rows}
        self.id_of = {path: pk for pk, path in self.path_of.items()}

    def get_or_create(self, path: tuple[str, ...]) -> int:
        if path not in self.id_of:
            category_get_or_create_path(path="/".join(path))
            self._load()
        return self.id_of[path]


def _category_path_of(pk: int, rows: dict[int, tuple[int | None, str]]) -> tuple[str, ...]:
    names: list[str] = []
    seen = set()
    current: int | None = pk
    while current is not None and current not in seen:
        seen.add(current)
        parent, name = rows[current]
        names.append(name)
        current = parent
    return tuple(reversed(names))


def _chunks(items: Iterable[T], size: int) -> Iterator[list[T]]:
    iterator = iter(items)
    while chunk := list(islice(iterator, size)):
        yield chunk


# --- Export ------------------------------------------------------------------------------


class Writer(Protocol):
    def write(self, text: str, /) -> object: ...


def export_articles(*, queryset: QuerySet[Article], out: Writer, chunk_size: int = BATCH_SIZE) -> int:
    """Write the articles as JSON Lines in the import's format; returns how many were written.

    Read-only: an article without an external id is written as "kb-<pk>" and keeps none.
    """
    paths = _CategoryCache().path_of
    articles = (
        queryset.order_by("pk")
        .defer("body_html", "toc")
        .annotate(original_external_id=F("translation_of__external_id"))
        # One query per chunk for tags and one for versions, instead of two per article.
        .prefetch_related(
            Prefetch("tags", queryset=Tag.objects.only("name")),
            Prefetch("product_versions", queryset=ProductVersion.objects.only("name")),
        )
        .iterator(chunk_size=chunk_size)
    )
    count = 0
    for article in articles:
        out.write(json.dumps(article_export_record(article=article, category_paths=paths), ensure_ascii=False) + "\n")
        count += 1
    return count


def article_export_record(*, article: Article, category_paths: dict[int, tuple[str, ...]]) -> dict[str, Any]:
    """One line of an export; expects `original_external_id` annotated and tags and versions prefetched."""
    original = None
    if article.translation_of_id is not None:
        original = article.original_external_id or f"kb-{article.translation_of_id}"
    return {
        "external_id": article.external_id or f"kb-{article.pk}",
        "title": article.title,
        "summary": article.summary,
        "body": article.body,
        "language": article.language,
        "category": "/".join(category_paths[article.category_id]),
        "tags": sorted(tag.name for tag in article.tags.all()),
        "product_versions": sorted(version.name for version in article.product_versions.all()),
        "type": article.type,
        "status": article.status,
        "publish_at": article.publish_at.isoformat() if article.publish_at else None,
        "translation_of": original,
    }
