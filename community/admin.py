"""The forum in the Django admin.

Every change to a question, an answer or a member's counters goes through the services, so the forum's
rules, the moderation log, the tallies (answer counts, flags, reputation) and the search index stay right,
exactly as on the forum's pages: the admin writes nothing itself and tells the index nothing.
Bodies are Markdown: the services render and sanitise them; stored HTML is never edited here.
"""

from __future__ import annotations

from collections.abc import Callable

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.db.models import Count, Exists, OuterRef, QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from . import services
from .models import (
    Answer,
    Comment,
    Flag,
    ForumCategory,
    MemberProfile,
    ModerationAction,
    PostState,
    Question,
)

BODY_WIDGET = {models.TextField: {"widget": forms.Textarea(attrs={"rows": 14, "class": "vLargeTextField"})}}


def _errors_of(error: ValidationError | PermissionDenied) -> str:
    return " ".join(error.messages) if isinstance(error, ValidationError) else str(error)


def _admin_link(obj) -> str:
    if obj is None:
        return "—"
    url = reverse(f"admin:{obj._meta.app_label}_{obj._meta.model_name}_change", args=[obj.pk])
    return format_html('<a href="{}">{}</a>', url, obj)


def _rendered(obj) -> str:
    html = obj.body_html if obj and obj.pk else ""
    return format_html('<div class="kb-preview prose">{}</div>', mark_safe(html))  # noqa: S308 - sanitized by render_markdown


# --- Moderating posts (questions and answers) --------------------------------------------------


class ModerationFormMixin(forms.ModelForm):
    """A reason for the moderation log, and the state changes the services allow."""

    reason = forms.CharField(
        label=gettext_lazy("Reason for this change"),
        required=False,
        max_length=300,
        help_text=gettext_lazy(
            "Kept in the moderation log. Required when you hide the post or change someone else's words."
        ),
    )

    def clean(self):
        data = super().clean()
        changed = set(self.changed_data)
        reason = (data.get("reason") or "").strip()
        if "state" in changed and data.get("state") == PostState.HELD:
            self.add_error("state", _("A post cannot go back on hold. Hide it instead."))
        if "state" in changed and data.get("state") == PostState.HIDDEN and not reason:
            self.add_error("reason", _("Say why the post is hidden; the reason is kept in the moderation log."))
        if changed & {"title", "body"} and not reason:
            self.add_error("reason", _("Say why you change the post; the reason is kept in the moderation log."))
        return data


class PostAdminMixin:
    """Approve, hide and restore as bulk actions; the state, body and reason of one post in its change form."""

    formfield_overrides = BODY_WIDGET
    actions = ["approve_selected", "hide_selected", "restore_selected"]

    def has_add_permission(self, request: HttpRequest, obj=None) -> bool:
        return False  # members post on the forum pages, where the rules for new accounts apply

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if self.has_change_permission(request, obj):
            return fieldsets
        # Readers see the post; the reason box is for those who change it.
        return [(name, {**opts, "fields": [f for f in opts["fields"] if f != "reason"]}) for name, opts in fieldsets]

    def _each(self, request: HttpRequest, queryset: QuerySet, apply: Callable, done: str) -> None:
        count, failed = 0, []
        for post in queryset:
            try:
                apply(post)
            except (ValidationError, PermissionDenied) as error:
                failed.append(f"{post}: {_errors_of(error)}")
            else:
                count += 1
        if count:
            self.message_user(request, done % {"count": count}, messages.SUCCESS)
        for failure in failed:
            self.message_user(request, failure, messages.ERROR)

    @admin.action(description=gettext_lazy("Approve held posts"), permissions=["change"])
    def approve_selected(self, request, queryset):
        held = queryset.filter(state=PostState.HELD)
        self._each(
            request, held, lambda post: services.post_approve(post=post, by=request.user), _("Approved %(count)d.")
        )

    @admin.action(description=gettext_lazy("Hide (reason: “Hidden from the admin”)"), permissions=["change"])
    def hide_selected(self, request, queryset):
        reason = _("Hidden from the admin")
        self._each(
            request,
            queryset.exclude(state=PostState.HIDDEN),
            lambda post: services.post_hide(post=post, by=request.user, reason=reason),
            _("Hid %(count)d."),
        )

    @admin.action(description=gettext_lazy("Restore (show again, resolve open flags)"), permissions=["change"])
    def restore_selected(self, request, queryset):
        self._each(
            request,
            queryset.filter(state=PostState.HIDDEN),
            lambda post: services.post_restore(post=post, by=request.user, reason=_("Restored from the admin")),
            _("Restored %(count)d."),
        )

    def _change_state(self, request: HttpRequest, post, state: str, reason: str) -> None:
        if state == PostState.HIDDEN:
            services.post_hide(post=post, by=request.user, reason=reason)
        elif post.state == PostState.HELD:
            services.post_approve(post=post, by=request.user)
        else:
            services.post_restore(post=post, by=request.user, reason=reason)

    def _run(self, request: HttpRequest, steps: list[Callable[[], object]]) -> None:
        """Each step is one service call; a refused one is reported and the others still apply."""
        for step in steps:
            try:
                step()
            except (ValidationError, PermissionDenied) as error:
                self.message_user(request, _errors_of(error), messages.ERROR)

    @admin.display(description=gettext_lazy("as readers see it"))
    def rendered_body(self, obj) -> str:
        return _rendered(obj)

    @admin.display(description=gettext_lazy("moderation log"))
    def moderation_history(self, obj) -> str:
        if not obj or not obj.pk:
            return "—"
        actions = obj.moderation_actions.select_related("actor")[:20]  # the actor's name on every row
        rows = format_html_join(
            "",
            "<li>{} · {} · {} {}</li>",
            (
                (
                    date_format(timezone.localtime(a.created_at), "SHORT_DATETIME_FORMAT"),
                    a.get_kind_display(),
                    a.actor or _("automatic"),
                    a.reason,
                )
                for a in actions
            ),
        )
        return format_html("<ul>{}</ul>", rows) if rows else _("Nothing yet.")


class AnswerInline(admin.TabularInline):
    """The question's answers at a glance; each opens in its own change page to moderate."""

    model = Answer
    fk_name = "question"
    fields = ["answer_link", "author", "state", "score", "is_verified", "flag_count", "created_at"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def get_queryset(self, request):
        # The author of every row, and the question for the answer's title.
        return super().get_queryset(request).select_related("author", "question").order_by("created_at", "pk")

    @admin.display(description=gettext_lazy("answer"))
    def answer_link(self, obj: Answer) -> str:
        url = reverse("admin:community_answer_change", args=[obj.pk])
        return format_html('<a href="{}">{}</a>', url, obj.body[:100])


class QuestionAdminForm(ModerationFormMixin):
    class Meta:
        model = Question
        fields = [
            "category", "title", "body", "language", "tags", "product_version", "state", "is_locked", "is_pinned",
            "duplicate_of", "accepted_answer",
        ]  # fmt: skip

    def clean(self):
        data = super().clean()
        question = self.instance
        if "accepted_answer" in self.changed_data:
            answer = data.get("accepted_answer")
            if answer is None:
                self.add_error("accepted_answer", _("An accepted answer can be replaced by another, not removed."))
            elif answer.question_id != question.pk:
                self.add_error("accepted_answer", _("Choose one of this question's own answers."))
            elif not answer.is_visible:
                self.add_error("accepted_answer", _("A hidden answer cannot be accepted."))
        if "duplicate_of" in self.changed_data:
            original = data.get("duplicate_of")
            if original is None:
                self.add_error("duplicate_of", _("A question closed as a duplicate cannot be reopened here."))
            elif original.pk == question.pk:
                self.add_error("duplicate_of", _("A question cannot duplicate itself."))
        return data


@admin.register(Question)
class QuestionAdmin(PostAdminMixin, admin.ModelAdmin):
    form = QuestionAdminForm
    list_display = [
        "title", "category", "author", "language", "state", "score", "answer_count", "flag_count", "is_locked",
        "is_pinned", "created_at",
    ]  # fmt: skip
    list_filter = ["state", "category", "language", "is_locked", "is_pinned"]
    search_fields = ["title"]
    # The category and asker columns: joined, not one query per row.
    list_select_related = ["category", "author"]
    list_per_page = 50
    date_hierarchy = "created_at"
    # The asker, and the links to an article or a ticket, change only through their services (read-only here).
    raw_id_fields = ["duplicate_of", "accepted_answer"]
    autocomplete_fields = ["tags", "product_version"]
    readonly_fields = [
        "author", "public_link", "rendered_body", "score", "answer_count", "flag_count", "created_at",
        "last_activity_at", "promoted_article", "escalated_ticket_link", "moderation_history",
    ]  # fmt: skip
    fieldsets = [
        (None, {"fields": ["public_link", "title", "body", "rendered_body", "author", "reason"]}),
        (gettext_lazy("Classification"), {"fields": ["category", "language", "tags", "product_version"]}),
        (
            gettext_lazy("Moderation"),
            {"fields": ["state", "is_locked", "is_pinned", "duplicate_of", "accepted_answer", "moderation_history"]},
        ),
        (gettext_lazy("Activity"), {"fields": ["score", "answer_count", "flag_count", "created_at", "last_activity_at",
                                               "promoted_article", "escalated_ticket_link"]}),
    ]  # fmt: skip
    inlines = [AnswerInline]

    @admin.display(description=gettext_lazy("on the forum"))
    def public_link(self, obj: Question) -> str:
        if not obj or not obj.pk:
            return "—"
        return format_html('<a href="{}">{}</a>', obj.get_absolute_url(), _("Open the question page"))

    # The reference only, to the workspace, which checks the reader's tier: the ticket's subject and requester are
    # the desk's, and moderators and editors read this page too.
    @admin.display(description=gettext_lazy("escalated to ticket"))
    def escalated_ticket_link(self, obj: Question) -> str:
        if not obj or not obj.escalated_ticket_id:
            return "—"
        reference = obj.escalated_ticket.reference
        return format_html('<a href="{}">{}</a>', reverse("tickets:staff_detail", args=[reference]), reference)

    def save_model(self, request, obj, form, change):
        data, changed = form.cleaned_data, set(form.changed_data)
        reason = (data.get("reason") or "").strip()
        pk = obj.pk

        def stored() -> Question:
            return Question.objects.get(pk=pk)

        steps = []
        classified = {field: data[field] for field in ("language", "product_version", "tags") if field in changed}
        if classified:
            steps.append(
                lambda: services.question_reclassify(question=stored(), by=request.user, reason=reason, **classified)
            )
        moderation = {
            "locked": data["is_locked"] if "is_locked" in changed else None,
            "pinned": data["is_pinned"] if "is_pinned" in changed else None,
            "duplicate_of": data["duplicate_of"] if "duplicate_of" in changed else None,
            "category": data["category"] if "category" in changed else None,
        }
        if any(value is not None for value in moderation.values()):
            steps.append(
                lambda: services.question_moderate(question=stored(), by=request.user, reason=reason, **moderation)
            )
        if changed & {"title", "body"}:
            steps.append(
                lambda: services.post_edit(
                    post=stored(), by=request.user, body=data["body"], reason=reason, title=data["title"]
                )
            )
        if "state" in changed:
            steps.append(lambda: self._change_state(request, stored(), data["state"], reason))
        if "accepted_answer" in changed:
            steps.append(lambda: services.answer_accept(answer=data["accepted_answer"], by=request.user))
        self._run(request, steps)

    def save_related(self, request, form, formsets, change):
        # The tags went through question_reclassify above (form.save_m2m would set them around it); the
        # answers inline is read-only.
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)


class AnswerAdminForm(ModerationFormMixin):
    class Meta:
        model = Answer
        fields = ["body", "state", "is_verified"]

    def clean(self):
        data = super().clean()
        if "is_verified" in self.changed_data and data.get("is_verified") and data.get("state") != PostState.VISIBLE:
            self.add_error("is_verified", _("A hidden answer cannot be verified."))
        return data


class AcceptedFilter(admin.SimpleListFilter):
    title = gettext_lazy("accepted")
    parameter_name = "accepted"

    def lookups(self, request, model_admin):
        return [("yes", _("Yes")), ("no", _("No"))]

    def queryset(self, request, queryset):
        if self.value() in ("yes", "no"):
            return queryset.filter(is_accepted=self.value() == "yes")
        return queryset


@admin.register(Answer)
class AnswerAdmin(PostAdminMixin, admin.ModelAdmin):
    form = AnswerAdminForm
    list_display = [
        "short_body", "question", "author", "state", "score", "accepted_column", "is_verified", "flag_count",
        "created_at",
    ]  # fmt: skip
    list_filter = ["state", "is_verified", AcceptedFilter, "question__language"]
    search_fields = ["body", "question__title"]
    # The question and answerer columns (and the answer's own title): joined.
    list_select_related = ["question", "author"]
    list_per_page = 50
    date_hierarchy = "created_at"
    readonly_fields = [
        "question_link",
        "author",
        "rendered_body",
        "score",
        "flag_count",
        "created_at",
        "moderation_history",
    ]
    fieldsets = [
        (None, {"fields": ["question_link", "author", "body", "rendered_body", "reason"]}),
        (gettext_lazy("Moderation"), {"fields": ["state", "is_verified", "moderation_history"]}),
        (gettext_lazy("Activity"), {"fields": ["score", "flag_count", "created_at"]}),
    ]
    actions = [*PostAdminMixin.actions, "verify_selected"]

    def get_queryset(self, request):
        accepted = Question.objects.filter(accepted_answer=OuterRef("pk"))
        return super().get_queryset(request).annotate(is_accepted=Exists(accepted))

    @admin.display(description=gettext_lazy("answer"))
    def short_body(self, obj: Answer) -> str:
        return obj.body[:80]

    @admin.display(description=gettext_lazy("accepted"), boolean=True, ordering="is_accepted")
    def accepted_column(self, obj: Answer) -> bool:
        return obj.is_accepted

    @admin.display(description=gettext_lazy("question"))
    def question_link(self, obj: Answer) -> str:
        return _admin_link(obj.question) if obj and obj.pk else "—"

    @admin.action(description=gettext_lazy("Mark as verified by HelloWorld"), permissions=["change"])
    def verify_selected(self, request, queryset):
        self._each(
            request,
            queryset.filter(is_verified=False),
            lambda answer: services.answer_verify(answer=answer, by=request.user),
            _("Verified %(count)d."),
        )

    def save_model(self, request, obj, form, change):
        data, changed = form.cleaned_data, set(form.changed_data)
        reason = (data.get("reason") or "").strip()
        pk = obj.pk

        def stored() -> Answer:
            return Answer.objects.select_related("question").get(pk=pk)

        steps = []
        if "body" in changed:
            steps.append(lambda: services.post_edit(post=stored(), by=request.user, body=data["body"], reason=reason))
        if "state" in changed:
            steps.append(lambda: self._change_state(request, stored(), data["state"], reason))
        if "is_verified" in changed:
            steps.append(lambda: services.answer_verify(answer=stored(), by=request.user, verified=data["is_verified"]))
        self._run(request, steps)


# --- Comments, flags, the log, members -----------------------------------------------------------


@admin.register(Comment)
class CommentAdmin(admin.ModelAdmin):
    """Plain text, never rendered as HTML, not in the search index: edited and hidden directly."""

    list_display = ["body", "post_column", "author", "state", "created_at"]
    list_filter = ["state"]
    search_fields = ["body"]
    # The post column shows the question, or the answer's question: joined.
    list_select_related = ["question", "answer__question", "author"]
    date_hierarchy = "created_at"
    fields = ["post_column", "author", "body", "state", "created_at"]
    readonly_fields = ["post_column", "author", "created_at"]

    def has_add_permission(self, request) -> bool:
        return False

    @admin.display(description=gettext_lazy("on"))
    def post_column(self, obj: Comment) -> str:
        return _admin_link(obj.question or obj.answer)


class OpenFlagFilter(admin.SimpleListFilter):
    """The moderators' queue: open flags unless asked otherwise."""

    title = gettext_lazy("status")
    parameter_name = "status"

    def lookups(self, request, model_admin):
        return [("open", _("Open")), ("resolved", _("Resolved")), ("all", _("All"))]

    def choices(self, changelist):
        current = self.value() or "open"
        for value, label in self.lookup_choices:
            yield {
                "selected": current == value,
                "query_string": changelist.get_query_string({self.parameter_name: value}),
                "display": label,
            }

    def queryset(self, request, queryset):
        value = self.value() or "open"
        if value == "open":
            return queryset.filter(resolved_at__isnull=True)
        if value == "resolved":
            return queryset.filter(resolved_at__isnull=False)
        return queryset


@admin.register(Flag)
class FlagAdmin(admin.ModelAdmin):
    """Members' reports. Acting on them means acting on the post: hiding it, or restoring it (which resolves them)."""

    list_display = ["reason", "post_column", "post_state", "reporter", "note", "created_at", "resolved_at"]
    list_filter = [OpenFlagFilter, "reason"]
    search_fields = ["note", "question__title", "answer__question__title"]
    # The post, its state and the reporter on every row: joined.
    list_select_related = ["question", "answer__question", "reporter"]
    ordering = ["created_at", "pk"]
    fields = ["post_column", "post_state", "reporter", "reason", "note", "created_at", "resolved_at"]
    readonly_fields = fields
    actions = ["hide_posts", "restore_posts", "dismiss_flags"]

    def has_add_permission(self, request) -> bool:
        return False

    @admin.display(description=gettext_lazy("post"))
    def post_column(self, obj: Flag) -> str:
        return _admin_link(obj.question or obj.answer)

    @admin.display(description=gettext_lazy("post state"))
    def post_state(self, obj: Flag) -> str:
        return (obj.question or obj.answer).get_state_display()

    def _posts(self, queryset) -> list:
        posts = {}
        for flag in queryset.select_related("question", "answer__question"):
            post = flag.question or flag.answer
            posts[(type(post), post.pk)] = post
        return list(posts.values())

    def _each_post(self, request, queryset, apply: Callable, done: str) -> None:
        count = 0
        for post in self._posts(queryset):
            try:
                apply(post)
            except (ValidationError, PermissionDenied) as error:
                self.message_user(request, f"{post}: {_errors_of(error)}", messages.ERROR)
            else:
                count += 1
        if count:
            self.message_user(request, done % {"count": count}, messages.SUCCESS)

    @admin.action(description=gettext_lazy("Hide the flagged posts"), permissions=["change"])
    def hide_posts(self, request, queryset):
        reason = _("Hidden from the admin")
        self._each_post(
            request,
            queryset,
            lambda post: services.post_hide(post=post, by=request.user, reason=reason),
            _("Hid %(count)d posts."),
        )

    @admin.action(description=gettext_lazy("Restore the flagged posts and resolve their flags"), permissions=["change"])
    def restore_posts(self, request, queryset):
        self._each_post(
            request,
            queryset,
            lambda post: services.post_restore(post=post, by=request.user, reason=_("Restored from the admin")),
            _("Restored %(count)d posts."),
        )

    @admin.action(description=gettext_lazy("Dismiss the flags: the posts are fine"), permissions=["change"])
    def dismiss_flags(self, request, queryset):
        self._each_post(
            request,
            queryset,
            lambda post: services.post_dismiss_flags(post=post, by=request.user, reason=_("Dismissed in the admin")),
            _("Dismissed the flags of %(count)d posts."),
        )


@admin.register(ModerationAction)
class ModerationActionAdmin(admin.ModelAdmin):
    """The moderation log: written by the services, read here; only a superuser may alter it."""

    list_display = ["created_at", "kind", "question", "answer_id", "actor", "reason"]
    list_filter = ["kind"]
    search_fields = ["reason", "question__title"]
    # The question and actor columns: joined.
    list_select_related = ["question", "actor"]
    date_hierarchy = "created_at"
    raw_id_fields = ["question", "answer", "actor"]

    def has_add_permission(self, request) -> bool:
        return request.user.is_superuser

    def has_change_permission(self, request, obj=None) -> bool:
        return request.user.is_superuser

    def has_delete_permission(self, request, obj=None) -> bool:
        return request.user.is_superuser


@admin.register(MemberProfile)
class MemberProfileAdmin(admin.ModelAdmin):
    list_display = ["user", "display_name", "reputation", "approved_posts"]
    search_fields = ["user__username", "user__display_name"]
    # The member's names on every row: joined.
    list_select_related = ["user"]
    ordering = ["-reputation", "pk"]
    fields = ["user", "reputation", "approved_posts"]
    readonly_fields = ["user"]

    def has_add_permission(self, request) -> bool:
        return False  # the forum makes a profile with a member's first vote or approved post

    @admin.display(description=gettext_lazy("display name"), ordering="user__display_name")
    def display_name(self, obj: MemberProfile) -> str:
        return obj.user.public_name

    def save_model(self, request, obj, form, change):
        # Only what the staff member changed: votes move these counters by F() deltas meanwhile.
        changed = {field: getattr(obj, field) for field in form.changed_data}
        services.member_profile_correct(profile=obj, by=request.user, **changed)


@admin.register(ForumCategory)
class ForumCategoryAdmin(admin.ModelAdmin):
    list_display = ["name", "name_zh_hans", "slug", "position", "staff_only", "question_count"]
    list_editable = ["position"]
    list_filter = ["staff_only"]
    search_fields = ["name", "name_zh_hans", "slug"]
    ordering = ["position", "name"]
    prepopulated_fields = {"slug": ["name"]}
    fieldsets = [
        (None, {"fields": ["slug", "position", "staff_only"]}),
        (gettext_lazy("English"), {"fields": ["name", "description"]}),
        (gettext_lazy("Chinese"), {"fields": ["name_zh_hans", "description_zh_hans"]}),
    ]

    def get_queryset(self, request):
        # The question count column: one grouped query, not one per row.
        return super().get_queryset(request).annotate(questions_total=Count("questions"))

    @admin.display(description=gettext_lazy("questions"), ordering="questions_total")
    def question_count(self, obj: ForumCategory) -> int:
        return obj.questions_total
