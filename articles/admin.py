"""The knowledge base in the Django admin: every save and action goes through services."""

from collections.abc import Callable

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed, JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from kbportal.markdown import render_markdown

from . import services
from .models import (
    Article,
    ArticleRevision,
    Category,
    Feedback,
    ProductVersion,
    Status,
    Tag,
    Video,
    VideoChapter,
)
from .revision_diff import render_diff


class NeedsReviewFilter(admin.SimpleListFilter):
    title = gettext_lazy("needs review")
    parameter_name = "needs_review"

    def lookups(self, request, model_admin):
        return [("yes", _("Needs review")), ("no", _("Fine"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.needs_review()
        if self.value() == "no":
            return queryset.exclude(pk__in=queryset.model.objects.needs_review().values("pk"))
        return queryset


class HelpfulnessColumnsMixin:
    """Helpful %, votes and the needs-review flag as sortable changelist columns."""

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        # Annotations instead of per-row queries; category for the category column.
        return super().get_queryset(request).with_helpfulness().with_needs_review().select_related("category")

    @admin.display(description=gettext_lazy("helpful"), ordering="helpful_share")
    def helpful_column(self, obj) -> str:
        return "—" if obj.helpful_share is None else f"{obj.helpful_share:.0f}%"

    @admin.display(description=gettext_lazy("votes"), ordering="votes")
    def votes_column(self, obj) -> int:
        return obj.votes

    @admin.display(description=gettext_lazy("needs review"), boolean=True, ordering="needs_review")
    def needs_review_column(self, obj) -> bool:
        return obj.needs_review


class FeedbackPanelMixin:
    """Readers' latest answers beside the item: reason and comment, never who gave them."""

    feedback_panel_size = 20

    @admin.display(description=gettext_lazy("reader feedback"))
    def feedback_panel(self, obj) -> str:
        if not obj or not obj.pk:
            return "—"
        rows = obj.feedback.order_by("-updated_at")[: self.feedback_panel_size]
        body = format_html_join(
            "",
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            (
                (
                    _("Yes") if row.helpful else _("No"),
                    row.get_reason_display(),
                    row.comment,
                    date_format(row.updated_at),
                )
                for row in rows
            ),
        )
        if not body:
            return _("No feedback yet.")
        query = "article" if isinstance(obj, Article) else "video"
        all_url = f"{reverse('admin:articles_feedback_changelist')}?{query}={obj.pk}"
        return format_html(
            '<table class="kb-feedback"><thead><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr></thead>'
            '<tbody>{}</tbody></table><p><a href="{}">{}</a></p>',
            _("Helpful"), _("Reason"), _("Comment"), _("When"), body, all_url, _("All feedback for this item"),
        )  # fmt: skip


@admin.register(Article)
class ArticleAdmin(HelpfulnessColumnsMixin, FeedbackPanelMixin, admin.ModelAdmin):
    formfield_overrides = {models.TextField: {"widget": forms.Textarea(attrs={"rows": 24, "class": "vLargeTextField"})}}
    list_display = [
        "title", "status", "language", "category", "type", "helpful_column", "votes_column", "view_count",
        "needs_review_column", "updated_at",
    ]  # fmt: skip
    list_filter = ["status", "language", "type", NeedsReviewFilter, "category", "product_versions"]
    search_fields = ["title", "summary", "external_id", "tags__name"]
    list_select_related = ["category"]
    list_per_page = 50
    date_hierarchy = "updated_at"
    autocomplete_fields = ["translation_of", "category", "tags", "owner"]
    filter_horizontal = ["product_versions"]
    prepopulated_fields = {"slug": ["title"]}
    readonly_fields = [
        "rendered_preview", "helpfulness_summary", "feedback_panel", "view_count", "published_at", "revision_links",
        "source_ticket_links",
    ]  # fmt: skip
    actions = ["publish_selected", "archive_selected", "mark_reviewed_selected", "submit_for_review_selected"]
    change_form_template = "admin/articles/article/change_form.html"
    fieldsets = [
        (None, {"fields": ["title", "slug", "summary", "body", "rendered_preview"]}),
        (
            gettext_lazy("Classification"),
            {"fields": ["category", "type", "language", "translation_of", "tags", "product_versions"]},
        ),
        (
            gettext_lazy("Workflow"),
            {"fields": ["status", "publish_at", "published_at", "owner", "last_reviewed_at", "external_id"]},
        ),
        (
            gettext_lazy("Performance and history"),
            {
                "fields": [
                    "helpfulness_summary",
                    "feedback_panel",
                    "view_count",
                    "revision_links",
                    "source_ticket_links",
                ]
            },
        ),
    ]

    # --- What each role may do ---------------------------------------------------------

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if not request.user.has_perm("articles.publish_article"):
            # Agents draft and submit for review; editors publish.
            fields += ["publish_at", "last_reviewed_at"]
        return fields

    def formfield_for_choice_field(self, db_field, request, **kwargs):
        if db_field.name == "status" and not request.user.has_perm("articles.publish_article"):
            kwargs["choices"] = [(s.value, s.label) for s in (Status.DRAFT, Status.REVIEW)]
        return super().formfield_for_choice_field(db_field, request, **kwargs)

    def get_actions(self, request):
        actions = super().get_actions(request)
        if not request.user.has_perm("articles.publish_article"):
            for name in ("publish_selected", "archive_selected", "mark_reviewed_selected"):
                actions.pop(name, None)
        return actions

    # --- Saving through the services ----------------------------------------------------

    def save_model(self, request, obj, form, change):
        services.article_save(article=obj, by=request.user)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        comment = _("Changed in the admin") if change else _("Created in the admin")
        services.article_revision_create(article=form.instance, by=request.user, comment=comment)

    # --- Read-only panels ----------------------------------------------------------------

    @admin.display(description=gettext_lazy("preview"))
    def rendered_preview(self, obj) -> str:
        html = obj.body_html if obj and obj.pk else ""
        return format_html('<div class="kb-preview prose" data-preview-target>{}</div>', mark_safe(html))  # noqa: S308 - sanitized by render_markdown

    @admin.display(description=gettext_lazy("helpfulness"))
    def helpfulness_summary(self, obj) -> str:
        if not obj or not obj.pk:
            return "—"
        percent = "—" if obj.helpful_percent is None else f"{obj.helpful_percent}%"
        return _("%(percent)s helpful · %(yes)s yes · %(no)s no") % {
            "percent": percent,
            "yes": obj.helpful_count,
            "no": obj.not_helpful_count,
        }

    @admin.display(description=gettext_lazy("written from tickets"))
    def source_ticket_links(self, obj) -> str:
        tickets = list(obj.source_tickets.all()) if obj and obj.pk else []
        if not tickets:
            return "—"
        return format_html_join(
            ", ",
            '<a href="{}">{}</a>',
            ((reverse("tickets:staff_detail", kwargs={"reference": t.reference}), t.reference) for t in tickets),
        )

    @admin.display(description=gettext_lazy("revisions"))
    def revision_links(self, obj) -> str:
        if not obj or not obj.pk:
            return "—"
        url = reverse("admin:articles_article_revisions", args=[obj.pk])
        return format_html('<a href="{}">{}</a>', url, _("History, compare and revert"))

    # --- Bulk actions ---------------------------------------------------------------------

    def _bulk(self, request, queryset, service, done_message: Callable[[int], str]) -> None:
        """``done_message`` takes the count and returns the sentence in the right number (ngettext)."""
        done, failed = 0, []
        for article in queryset:
            try:
                service(article=article, by=request.user)
                done += 1
            except ValidationError as error:
                failed.append(f"{article.title}: {' '.join(error.messages)}")
        if done:
            self.message_user(request, done_message(done), messages.SUCCESS)
        for failure in failed:
            self.message_user(request, failure, messages.ERROR)

    @admin.action(description=gettext_lazy("Publish selected articles"), permissions=["publish"])
    def publish_selected(self, request, queryset):
        self._bulk(
            request,
            queryset,
            services.article_publish,
            lambda n: ngettext("Published %(count)d article.", "Published %(count)d articles.", n) % {"count": n},
        )

    @admin.action(description=gettext_lazy("Archive selected articles"), permissions=["publish"])
    def archive_selected(self, request, queryset):
        self._bulk(
            request,
            queryset,
            services.article_archive,
            lambda n: ngettext("Archived %(count)d article.", "Archived %(count)d articles.", n) % {"count": n},
        )

    @admin.action(description=gettext_lazy("Submit selected articles for review"), permissions=["change"])
    def submit_for_review_selected(self, request, queryset):
        self._bulk(
            request,
            queryset,
            services.article_submit_for_review,
            lambda n: ngettext("Submitted %(count)d article.", "Submitted %(count)d articles.", n) % {"count": n},
        )

    @admin.action(description=gettext_lazy("Mark selected articles as reviewed today"), permissions=["publish"])
    def mark_reviewed_selected(self, request, queryset):
        count = services.content_mark_reviewed(items=list(queryset), by=request.user)
        self.message_user(
            request,
            ngettext("Marked %(count)d article as reviewed.", "Marked %(count)d articles as reviewed.", count)
            % {"count": count},
        )

    def has_publish_permission(self, request) -> bool:
        return request.user.has_perm("articles.publish_article")

    # --- Extra admin views: preview, revisions, compare, revert -------------------------------

    def get_urls(self):
        extra = [
            path("preview/", self.admin_site.admin_view(self.preview_view), name="articles_article_preview"),
            path(
                "<int:pk>/revisions/",
                self.admin_site.admin_view(self.revisions_view),
                name="articles_article_revisions",
            ),
            path(
                "<int:pk>/revisions/<int:number>/revert/",
                self.admin_site.admin_view(self.revert_view),
                name="articles_article_revert",
            ),
        ]
        return extra + super().get_urls()

    def preview_view(self, request: HttpRequest) -> HttpResponse:
        """Render posted Markdown with the same sanitizer customers get (POST, CSRF-checked)."""
        if request.method != "POST":
            return JsonResponse({"error": _("Send the Markdown with POST.")}, status=405)
        if not self.has_change_permission(request) and not self.has_add_permission(request):
            raise PermissionDenied
        rendered = render_markdown(request.POST.get("body", ""))
        return JsonResponse({"html": rendered.html, "toc": [entry.__dict__ for entry in rendered.toc]})

    def revisions_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        article = get_object_or_404(Article, pk=pk)
        if not self.has_view_or_change_permission(request, article):
            raise PermissionDenied
        revisions = list(article.revisions.select_related("created_by"))  # the author of every row
        numbers = [r.number for r in revisions]
        newer, older = _chosen_pair(request, numbers)
        by_number = {r.number: r for r in revisions}
        diff = _revision_diff(by_number.get(older), by_number.get(newer)) if newer and older else None
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "original": article,
            "title": _("History of “%(title)s”") % {"title": article.title},
            "revisions": revisions,
            "newer": newer,
            "older": older,
            "diff": diff,
            "can_revert": self.has_change_permission(request, article),
        }
        return TemplateResponse(request, "admin/articles/article/revisions.html", context)

    def revert_view(self, request: HttpRequest, pk: int, number: int) -> HttpResponse:
        """GET asks for confirmation, showing what would change; only the confirming POST reverts."""
        article = get_object_or_404(Article, pk=pk)
        if not self.has_change_permission(request, article):
            raise PermissionDenied
        revision = get_object_or_404(
            ArticleRevision.objects.select_related("created_by"), article=article, number=number
        )
        if request.method == "POST":
            services.article_revert(article=article, revision=revision, by=request.user)
            messages.success(request, _("Reverted to revision %(number)d.") % {"number": number})
            return redirect("admin:articles_article_change", article.pk)
        if request.method not in ("GET", "HEAD"):
            return HttpResponseNotAllowed(["GET", "POST"])
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "original": article,
            "revision": revision,
            "title": _("Revert “%(title)s” to revision %(number)d?") % {"title": article.title, "number": number},
            "diff": _revision_diff(article, revision),
        }
        return TemplateResponse(request, "admin/articles/article/revert_confirm.html", context)


def _chosen_pair(request: HttpRequest, numbers: list[int]) -> tuple[int | None, int | None]:
    """The two revisions to compare: chosen in the form, or the latest two."""
    try:
        newer = int(request.GET["newer"])
        older = int(request.GET["older"])
    except (KeyError, ValueError):
        return (numbers[0], numbers[1]) if len(numbers) >= 2 else (None, None)
    if newer not in numbers or older not in numbers:
        return None, None
    return max(newer, older), min(newer, older)


def _revision_diff(older: Article | ArticleRevision | None, newer: Article | ArticleRevision | None) -> list[dict]:
    """The title, summary and body that differ, each as a word-level diff (revision_diff)."""
    if older is None or newer is None:
        return []
    parts = []
    for label, field in ((_("Title"), "title"), (_("Summary"), "summary"), (_("Body"), "body")):
        before, after = getattr(older, field), getattr(newer, field)
        if before.replace("\r\n", "\n") != after.replace("\r\n", "\n"):
            parts.append({"label": label, "html": render_diff(before, after)})
    return parts


class ChapterInline(admin.TabularInline):
    model = VideoChapter
    extra = 1
    fields = ["start_seconds", "title"]


@admin.register(Video)
class VideoAdmin(HelpfulnessColumnsMixin, FeedbackPanelMixin, admin.ModelAdmin):
    list_display = [
        "title", "status", "language", "category", "provider", "duration_seconds", "helpful_column",
        "votes_column", "view_count", "needs_review_column", "updated_at",
    ]  # fmt: skip
    list_filter = ["status", "language", "provider", NeedsReviewFilter, "category"]
    search_fields = ["title", "description", "transcript", "external_id"]
    list_select_related = ["category"]
    autocomplete_fields = ["translation_of", "category", "tags", "owner", "related_articles"]
    filter_horizontal = ["product_versions"]
    prepopulated_fields = {"slug": ["title"]}
    readonly_fields = ["view_count", "published_at", "feedback_panel"]
    inlines = [ChapterInline]

    class Media:
        css = {"all": ["admin_kb/kb-admin.css"]}

    actions = ["publish_selected", "archive_selected", "mark_reviewed_selected"]
    fieldsets = [
        (None, {"fields": ["title", "slug", "description", "duration_seconds", "thumbnail"]}),
        (gettext_lazy("Source"), {"fields": ["provider", "provider_video_id", "video_file"]}),
        (
            gettext_lazy("Transcript"),
            {
                "fields": ["transcript"],
                # The format articles/transcripts.py reads; each time becomes a link that plays from there.
                "description": gettext_lazy(
                    "Start a line with its time, like “[1:35] Now open Settings.”, and readers can click it to "
                    "play from there. Lines without a time continue the line above; a blank line ends it."
                ),
            },
        ),
        (
            gettext_lazy("Classification"),
            {"fields": ["category", "language", "translation_of", "tags", "product_versions", "related_articles"]},
        ),
        (
            gettext_lazy("Workflow"),
            {"fields": ["status", "publish_at", "published_at", "owner", "last_reviewed_at", "external_id"]},
        ),
        (gettext_lazy("Reader feedback"), {"fields": ["feedback_panel"]}),
    ]

    def save_model(self, request, obj, form, change):
        services.video_save(video=obj, by=request.user)

    def has_publish_permission(self, request) -> bool:
        return request.user.has_perm("articles.publish_video")

    @admin.action(description=gettext_lazy("Publish selected videos"), permissions=["publish"])
    def publish_selected(self, request, queryset):
        for video in queryset:
            services.video_publish(video=video, by=request.user)
        self.message_user(request, _("Published %(count)d videos.") % {"count": len(queryset)})

    @admin.action(description=gettext_lazy("Archive selected videos"), permissions=["publish"])
    def archive_selected(self, request, queryset):
        for video in queryset:
            services.video_archive(video=video, by=request.user)
        self.message_user(request, _("Archived %(count)d videos.") % {"count": len(queryset)})

    @admin.action(description=gettext_lazy("Mark selected videos as reviewed today"), permissions=["publish"])
    def mark_reviewed_selected(self, request, queryset):
        count = services.content_mark_reviewed(items=list(queryset), by=request.user)
        self.message_user(request, _("Marked %(count)d videos as reviewed.") % {"count": count})


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ["name", "name_zh_hans", "parent", "ordering", "slug"]
    list_editable = ["ordering"]
    list_select_related = ["parent"]
    list_filter = [("parent", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["name", "name_zh_hans", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["parent"]


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    list_display = ["name", "slug"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(ProductVersion)
class ProductVersionAdmin(admin.ModelAdmin):
    list_display = ["name", "released_on", "ordering"]
    list_editable = ["ordering"]
    search_fields = ["name"]


@admin.register(ArticleRevision)
class ArticleRevisionAdmin(admin.ModelAdmin):
    """Read-only history; comparing and reverting live on each article's History page."""

    list_display = ["article", "number", "created_by", "created_at", "comment", "status"]
    list_select_related = ["article", "created_by"]
    list_filter = ["status"]
    search_fields = ["article__title", "comment"]
    readonly_fields = ["article", "number", "created_by", "created_at", "comment", "title", "summary", "body",
                       "status", "metadata"]  # fmt: skip

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Feedback)
class FeedbackAdmin(admin.ModelAdmin):
    """All readers' answers. Who answered is shown only to staff allowed to see customers."""

    list_display = ["item_title", "helpful", "reason", "short_comment", "updated_at"]
    list_filter = ["helpful", "reason", "article__language"]
    search_fields = ["comment", "article__title", "video__title"]
    list_select_related = ["article", "video"]
    date_hierarchy = "updated_at"
    readonly_fields = ["article", "video", "helpful", "reason", "comment", "created_at", "updated_at"]

    def get_list_display(self, request):
        columns = list(super().get_list_display(request))
        if request.user.has_perm("accounts.view_user"):
            columns.insert(1, "voter")
        return columns

    def get_list_select_related(self, request):
        related = list(super().get_list_select_related(request))
        return [*related, "user"] if request.user.has_perm("accounts.view_user") else related

    def get_fields(self, request, obj=None):
        fields = list(self.readonly_fields)
        if request.user.has_perm("accounts.view_user"):
            fields += ["user", "session_key"]
        return fields

    def get_readonly_fields(self, request, obj=None):
        return self.get_fields(request, obj)

    @admin.display(description=gettext_lazy("item"))
    def item_title(self, obj: Feedback) -> str:
        return str(obj.item)

    @admin.display(description=gettext_lazy("voter"))
    def voter(self, obj: Feedback) -> str:
        return str(obj.user) if obj.user_id else _("anonymous")

    @admin.display(description=gettext_lazy("comment"))
    def short_comment(self, obj: Feedback) -> str:
        return obj.comment[:120]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
