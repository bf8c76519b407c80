"""The member pages: a member's profile, the notifications inbox and the moderators' queue."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Page, Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_http_methods

from . import member_selectors, services
from .models import Answer, PostState, Question

PAGE_SIZE = 20
# The inbox takes ?per_page=, never more than this.
NOTIFICATIONS_MAX_PAGE_SIZE = 100
PROFILE_TABS = ("questions", "answers")


def _page(request: HttpRequest, queryset, per_page: int = PAGE_SIZE) -> Page:
    return Paginator(queryset, per_page).get_page(request.GET.get("page"))


def _per_page(request: HttpRequest) -> int:
    try:
        wanted = int(request.GET.get("per_page", PAGE_SIZE))
    except ValueError:
        return PAGE_SIZE
    return min(max(wanted, 1), NOTIFICATIONS_MAX_PAGE_SIZE)


# --- A member's profile ----------------------------------------------------------------------


def member_detail(request: HttpRequest, pk: int) -> HttpResponse:
    member = member_selectors.member_get(pk=pk, viewer=request.user)
    if member is None:
        raise Http404
    tab = request.GET.get("tab")
    if tab not in PROFILE_TABS:  # open on the member's answers when they have answered but never asked
        tab = "answers" if member.answer_total and not member.question_total else "questions"
    if tab == "questions":
        posts = member_selectors.member_questions(member=member, viewer=request.user)
    else:
        posts = member_selectors.member_answers(member=member, viewer=request.user)
    context = {
        "member": member,
        "tab": tab,
        "page": _page(request, posts),
        "is_self": request.user.is_authenticated and request.user.pk == member.pk,
    }
    return render(request, "community/member.html", context)


# --- Notifications ---------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def notifications(request: HttpRequest) -> HttpResponse:
    """GET lists the notices and changes nothing (link checkers and prefetching open pages); POST marks all read."""
    if request.method == "POST":
        marked = services.notifications_mark_read(user=request.user)
        if marked:
            messages.success(
                request,
                ngettext("%(count)d notification marked as read.", "%(count)d notifications marked as read.", marked)
                % {"count": marked},
            )
        return redirect(request.get_full_path())
    inbox = member_selectors.notification_inbox(user=request.user)
    page = _page(request, inbox, per_page=_per_page(request))
    unread = member_selectors.notification_unread_count_for_request(request)  # shared with the header's link
    return render(request, "community/notifications.html", {"page": page, "unread": unread})


# --- The moderation queue --------------------------------------------------------------------


class QueueActionForm(forms.Form):
    """One button under one post of the queue."""

    ACTIONS = [
        ("approve", gettext_lazy("Approve")),
        ("hide", gettext_lazy("Hide")),
        ("restore", gettext_lazy("Restore")),
        ("dismiss", gettext_lazy("Dismiss the flags")),
    ]
    POST_TYPES = [("question", gettext_lazy("Question")), ("answer", gettext_lazy("Answer"))]

    action = forms.ChoiceField(choices=ACTIONS)
    post_type = forms.ChoiceField(choices=POST_TYPES)
    post_id = forms.IntegerField(min_value=1, max_value=2**63 - 1)
    reason = forms.CharField(label=gettext_lazy("Reason"), max_length=300, required=False)

    @property
    def key(self) -> str:
        return f"{self.data.get('post_type')}-{self.data.get('post_id')}"


# The state a post must be in for each button: a second moderator's click on the same post changes nothing.
_ACTION_APPLIES = {
    "approve": lambda post: post.state == PostState.HELD,
    "hide": lambda post: post.state != PostState.HIDDEN or post.flag_count > 0,
    "restore": lambda post: post.state == PostState.HIDDEN,
    "dismiss": lambda post: post.state == PostState.VISIBLE and post.flag_count > 0,
}


def _queue_post(post_type: str, pk: int) -> Question | Answer | None:
    if post_type == "question":
        return Question.objects.filter(pk=pk).first()
    # The services log and notify on the answer's question.
    return Answer.objects.select_related("question").filter(pk=pk).first()


def _moderate(request: HttpRequest, form: QueueActionForm) -> bool:
    """Apply a valid form's action; False (errors added to the form) when the service refused it."""
    data = form.cleaned_data
    post = _queue_post(data["post_type"], data["post_id"])
    if post is None or not _ACTION_APPLIES[data["action"]](post):
        messages.info(request, _("Another moderator has dealt with this post already."))
        return True
    title = post.title if isinstance(post, Question) else post.question.title
    try:
        if data["action"] == "approve":
            services.post_approve(post=post, by=request.user)
            done = _("Approved “%(title)s”: readers can see it now.")
        elif data["action"] == "hide":
            services.post_hide(post=post, by=request.user, reason=data["reason"])
            done = _("Hidden “%(title)s”.")
        elif data["action"] == "dismiss":
            services.post_dismiss_flags(post=post, by=request.user, reason=data["reason"])
            done = _("Dismissed the flags on “%(title)s”: it stays visible.")
        else:
            services.post_restore(post=post, by=request.user, reason=data["reason"])
            done = _("Restored “%(title)s”: readers can see it again.")
    except ValidationError as error:
        if hasattr(error, "error_dict"):
            for field, field_messages in error.message_dict.items():
                form.add_error(field if field in form.fields else None, field_messages)
        else:
            form.add_error(None, error.messages)
        return False
    messages.success(request, done % {"title": title})
    return True


@login_required
@require_http_methods(["GET", "POST"])
def moderation(request: HttpRequest) -> HttpResponse:
    """Held and flagged posts, oldest first, each with its buttons; and the latest moderation log."""
    if not services.member_may_moderate(request.user):
        raise PermissionDenied(_("Only moderators can see the moderation queue."))
    failed = None
    if request.method == "POST":
        form = QueueActionForm(request.POST)
        if form.is_valid() and _moderate(request, form):
            return redirect(request.get_full_path())
        failed = form
    page = _page(request, member_selectors.moderation_queue())
    member_selectors.moderation_queue_size_for_request(request, known=page.paginator.count)  # the header's count
    context = {
        "page": page,
        "items": member_selectors.moderation_queue_items(page.object_list),
        "log": member_selectors.moderation_log(),
        "failed": failed,
    }
    return render(request, "community/moderation.html", context, status=400 if failed else 200)
