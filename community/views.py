from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from articles.models import Tag
from articles.reader_hooks import reader_hooks
from kbportal.choices import content_language
from kbportal.pagecache import public_page
from kbportal.search import service as search_service
from kbportal.unsubscribe import unsubscribe_page

from . import selectors, services
from .forms import (
    AnswerForm,
    AskForm,
    CommentForm,
    EditForm,
    EscalateForm,
    FlagForm,
    ModerateForm,
    PromoteForm,
    VoteForm,
)
from .models import Answer, FlagReason, ForumCategory, PostState, Question
from .notifications import UNSUBSCRIBE

PAGE_SIZE = 20


def _page(request: HttpRequest, queryset):
    return Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))


@public_page("forum", "kb", params=["page", "list", "tag"])
def question_list(request: HttpRequest) -> HttpResponse:
    which = request.GET.get("list", "latest")
    if which not in selectors.LISTS:
        which = "latest"
    if which == "mine" and not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    tag = get_object_or_404(Tag, slug=request.GET["tag"]) if request.GET.get("tag") else None
    questions = selectors.question_list(user=request.user, which=which, tag=tag)
    context = {"page": _page(request, questions), "which": which, "tag": tag, "categories": ForumCategory.objects.all()}
    return render(request, "community/question_list.html", context)


@public_page("forum", "kb", params=["page"])
def category_detail(request: HttpRequest, slug: str) -> HttpResponse:
    category = get_object_or_404(ForumCategory, slug=slug)
    questions = selectors.question_list(user=request.user, category=category)
    context = {"page": _page(request, questions), "which": "latest", "category": category,
               "categories": ForumCategory.objects.all()}  # fmt: skip
    return render(request, "community/question_list.html", context)


@public_page("forum", "kb", obj=("question", "pk"))
def question_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The question with its answers; moderators also open held and hidden ones, to judge them."""
    moderator = request.user.is_authenticated and services.member_may_moderate(request.user)
    question = selectors.question_page(pk=pk, user=request.user, moderator=moderator)
    if question is None:
        raise Http404
    return render(request, "community/question_detail.html", _question_context(request, question))


def _question_or_404(request: HttpRequest, pk: int) -> Question:
    question = selectors.question_page(pk=pk, user=request.user)
    if question is None:
        raise Http404
    return question


def _question_context(request: HttpRequest, question: Question, **forms) -> dict:
    """Everything the question page shows the viewer: their votes, follow, and what they may do."""
    user = request.user
    answers = list(question.answers.all())
    signed_in = user.is_authenticated
    if signed_in:
        votes = selectors.votes_of(user=user, question=question)
        question.my_vote = votes.get(("question", question.pk), 0)
        for answer in answers:
            answer.my_vote = votes.get(("answer", answer.pk), 0)
    comment_form = forms.get("comment_form")
    if comment_form is not None:  # the comment that failed shows again, with its text, under its post
        target = comment_form.cleaned_data.get("answer") if hasattr(comment_form, "cleaned_data") else None
        post = next((answer for answer in answers if answer.pk == target), question)
        post.comment_form = comment_form
    may_moderate = signed_in and services.member_may_moderate(user)
    is_open = question.is_visible and not question.is_locked and not question.duplicate_of_id
    return {
        "question": question,
        "answers": answers,
        "is_open": is_open,
        "following": signed_in and selectors.is_following(user=user, question=question),
        "may_accept": signed_in and (user.pk == question.author_id or user.is_staff),
        "may_moderate": may_moderate,
        "may_promote": signed_in and user.is_staff and services.member_may_promote(user),
        "may_escalate": signed_in and _may_escalate(user, question),
        "moderation_log": selectors.moderation_log(question=question) if signed_in and user.is_staff else (),
        "answer_form": forms.get("answer_form") or AnswerForm(),
        "flag_reasons": FlagReason.choices,
        "moderate_form": forms.get("moderate_form") or ModerateForm(),
        "promote_form": PromoteForm(),
        "help_banner": _help_banner(request, question),
    }


def _may_escalate(user, question: Question) -> bool:
    """The asker once the offer is made; support staff for any question without an accepted answer."""
    if question.escalated_ticket_id:
        return False
    if services.escalation_offered(question=question, user=user):
        return True
    return user.is_staff and not question.accepted_answer_id and services.member_may_escalate(user)


def _help_banner(request: HttpRequest, question: Question):
    """Opened from search or the ask page (?hs=…): "Did this solve your problem?", recorded in the help session."""
    return reader_hooks().banner(
        request,
        item_kind="question",
        item_id=question.pk,
        item_title=question.title,
        item_url=question.get_absolute_url(),
    )


def _back(question: Question, anchor: str = "") -> HttpResponse:
    return redirect(f"{question.get_absolute_url()}{'#' + anchor if anchor else ''}")


def _post_of(question: Question, answer_id: int | None) -> Question | Answer:
    """The question, or one of its answers (any state: the services decide what may happen to it)."""
    if not answer_id:
        return question
    answer = Answer.objects.filter(pk=answer_id, question=question).first()
    if answer is None:
        raise Http404
    return answer


def _anchor(post: Question | Answer) -> str:
    return f"answer-{post.pk}" if isinstance(post, Answer) else ""


def _refused(request: HttpRequest, error: Exception) -> None:
    messages.error(request, " ".join(getattr(error, "messages", None) or [str(error)]))


# --- Asking ------------------------------------------------------------------------------------


@login_required
def ask(request: HttpRequest) -> HttpResponse:
    """Ask the community. Similar questions and articles appear while the title is typed (a deflection point);
    without JavaScript, "Check for similar questions" shows them before posting."""
    language = content_language(request.LANGUAGE_CODE)
    form = AskForm(request.POST or None, user=request.user, initial={"language": language})
    similar = []
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if "check" in request.POST:
            similar = _similar(request, data["title"], language)
        else:
            try:
                question = services.question_ask(
                    author=request.user, category=data["category"], title=data["title"], body=data["body"],
                    language=data["language"], tags=data["tags"], product_version=data["product_version"],
                )  # fmt: skip
            except ValidationError as error:
                _add_errors(form, error)
            except PermissionDenied as error:
                form.add_error(None, str(error))
            else:
                _record_suggestions(request, data["title"], data["shown_suggestions"])
                if question.is_visible:
                    messages.success(request, _("Your question is posted. You will hear of new answers."))
                else:
                    messages.info(request, _("Thank you. A moderator will look at your question shortly."))
                return redirect(question)
    elif request.method == "POST" and form.data.get("title"):
        similar = _similar(request, form.data["title"][:200], language)
    status = 400 if form.is_bound and form.errors else 200
    return render(request, "community/ask.html", {"form": form, "similar": similar}, status=status)


def _add_errors(form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, messages_ in error.message_dict.items():
            form.add_error(field if field in form.fields else None, messages_)
    else:
        form.add_error(None, error.messages)


SIMILAR_SHOWN = 5
# The self-service place the ask page is to the help center (its links carry ?hs=community-ask).
ASK_PLACE = "community-ask"
SIMILAR_KINDS = ["question", "article", "video"]


def _similar_to(title: str, language: str) -> list[dict]:
    """Questions and articles like a title, from the search engine; each links back with `?hs=community-ask`."""
    hits = search_service.search(title, kinds=SIMILAR_KINDS, preferred_language=language, limit=SIMILAR_SHOWN).hits
    return [
        {
            "kind": hit.kind,
            "id": hit.object_id,
            "title": hit.title,
            "label": str(hit.label),
            "url": hit.url,
            "link": reader_hooks().result_link(hit.url, ASK_PLACE),
        }
        for hit in hits
    ]


def _similar(request: HttpRequest, title: str, language: str) -> list[dict]:
    """Similar items shown on the page itself (no script): recorded in the help session as shown."""
    items = _similar_to(title, language)
    _record_suggestions(request, title, items)
    return items


def _record_suggestions(request: HttpRequest, title: str, items: list[dict]) -> None:
    reader_hooks().note_suggestions(request, query=title, items=items, place=ASK_PLACE)


def similar(request: HttpRequest) -> JsonResponse:
    """The ask page's script: similar items for the title typed so far (recorded when the question is posted)."""
    title = request.GET.get("q", "").strip()[:200]
    if not search_service.long_enough_to_suggest(title):
        return JsonResponse({"results": []})
    return JsonResponse({"results": _similar_to(title, content_language(request.LANGUAGE_CODE))})


# --- Answering and commenting --------------------------------------------------------------------


@login_required
@require_POST
def answer_create(request: HttpRequest, pk: int) -> HttpResponse:
    question = _question_or_404(request, pk)
    form = AnswerForm(request.POST)
    if form.is_valid():
        try:
            answer = services.answer_post(question=question, author=request.user, body=form.cleaned_data["body"])
        except ValidationError as error:
            _add_errors(form, error)
        except PermissionDenied as error:
            form.add_error(None, str(error))
        else:
            if answer.is_visible:
                messages.success(request, _("Your answer is posted. Thank you for helping."))
            else:
                messages.info(request, _("Thank you. Your answer appears once a moderator has looked at it."))
            return _back(question, f"answer-{answer.pk}" if answer.is_visible else "answers")
    context = _question_context(request, question, answer_form=form)
    return render(request, "community/question_detail.html", context, status=400)


@login_required
@require_POST
def comment_create(request: HttpRequest, pk: int) -> HttpResponse:
    question = _question_or_404(request, pk)
    form = CommentForm(request.POST)
    if not form.is_valid():
        context = _question_context(request, question, comment_form=form)
        return render(request, "community/question_detail.html", context, status=400)
    post = _post_of(question, form.cleaned_data["answer"])
    try:
        services.comment_add(post=post, author=request.user, body=form.cleaned_data["body"])
    except ValidationError as error:
        _add_errors(form, error)
        context = _question_context(request, question, comment_form=form)
        return render(request, "community/question_detail.html", context, status=400)
    except PermissionDenied as error:
        _refused(request, error)
    return _back(question, _anchor(post))


# --- Votes, acceptance, flags, following ---------------------------------------------------------


@login_required
@require_POST
def vote(request: HttpRequest, pk: int) -> HttpResponse:
    question = _question_or_404(request, pk)
    form = VoteForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("That vote was not understood."))
        return _back(question)
    post = _post_of(question, form.cleaned_data["answer"])
    try:
        score = services.post_vote(post=post, voter=request.user, value=form.cleaned_data["value"])
    except (ValidationError, PermissionDenied) as error:
        if _wants_json(request):
            return JsonResponse({"error": " ".join(getattr(error, "messages", [str(error)]))}, status=403)
        _refused(request, error)
    else:
        if _wants_json(request):
            return JsonResponse({"score": score, "value": form.cleaned_data["value"]})
    return _back(question, _anchor(post))


def _wants_json(request: HttpRequest) -> bool:
    return "application/json" in request.headers.get("Accept", "")


@login_required
@require_POST
def accept(request: HttpRequest, pk: int, answer_id: int) -> HttpResponse:
    question = _question_or_404(request, pk)
    answer = get_object_or_404(Answer, pk=answer_id, question=question)
    take_back = request.POST.get("accepted") == "0"
    try:
        if take_back:
            services.answer_unaccept(answer=answer, by=request.user)
        else:
            services.answer_accept(answer=answer, by=request.user)
    except (ValidationError, PermissionDenied) as error:
        _refused(request, error)
    else:
        done = (
            _("The acceptance is taken back.") if take_back else _("Answer accepted. Thank you for closing the loop.")
        )
        messages.success(request, done)
    return _back(question, f"answer-{answer.pk}")


@login_required
@require_POST
def verify(request: HttpRequest, pk: int, answer_id: int) -> HttpResponse:
    question = _question_or_404(request, pk)
    answer = get_object_or_404(Answer, pk=answer_id, question=question)
    try:
        services.answer_verify(answer=answer, by=request.user, verified=request.POST.get("verified") != "0")
    except (ValidationError, PermissionDenied) as error:
        _refused(request, error)
    return _back(question, f"answer-{answer.pk}")


@login_required
@require_POST
def flag(request: HttpRequest, pk: int) -> HttpResponse:
    question = _question_or_404(request, pk)
    form = FlagForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose why the post should be looked at."))
        return _back(question)
    post = _post_of(question, form.cleaned_data["answer"])
    try:
        services.post_flag(
            post=post, reporter=request.user, reason=form.cleaned_data["reason"], note=form.cleaned_data["note"]
        )
    except (ValidationError, PermissionDenied) as error:
        _refused(request, error)
    else:
        messages.success(request, _("Thank you. A moderator will look at it."))
    return _back(question, _anchor(post))


@login_required
@require_POST
def follow(request: HttpRequest, pk: int) -> HttpResponse:
    question = _question_or_404(request, pk)
    if request.POST.get("follow") == "0":
        services.question_unfollow(question_id=question.pk, user_id=request.user.pk)
        messages.success(request, _("You no longer follow this question."))
    else:
        try:
            services.question_follow(question=question, user=request.user)
        except PermissionDenied as error:
            _refused(request, error)
        else:
            messages.success(request, _("You follow this question: new answers and comments reach you."))
    return _back(question)


# --- Moderation and editing ----------------------------------------------------------------------


@login_required
@require_POST
def moderate(request: HttpRequest, pk: int) -> HttpResponse:
    question = get_object_or_404(Question, pk=pk)  # moderators act on hidden questions too
    if not services.member_may_moderate(request.user):
        raise PermissionDenied
    form = ModerateForm(request.POST)
    if not form.is_valid():
        page = selectors.question_page(pk=pk, user=request.user, moderator=True)
        context = _question_context(request, page, moderate_form=form)
        return render(request, "community/question_detail.html", context, status=400)
    data = form.cleaned_data
    post = _post_of(question, data["answer"])
    try:
        _apply_moderation(post, question, data, by=request.user)
    except (ValidationError, PermissionDenied) as error:
        _refused(request, error)
    else:
        messages.success(request, _("Done: %(action)s.") % {"action": dict(ModerateForm.ACTIONS)[data["action"]]})
    return _back(question, _anchor(post))


def _apply_moderation(post, question: Question, data: dict, *, by) -> None:
    action, reason = data["action"], data["reason"] or ""
    if action == "hide":
        services.post_hide(post=post, by=by, reason=reason)
    elif action == "restore":
        services.post_restore(post=post, by=by, reason=reason)
    elif action == "approve":
        services.post_approve(post=post, by=by)
    elif action in ("lock", "unlock"):
        services.question_moderate(question=question, by=by, reason=reason, locked=action == "lock")
    elif action in ("pin", "unpin"):
        services.question_moderate(question=question, by=by, reason=reason, pinned=action == "pin")
    elif action == "duplicate":
        services.question_moderate(question=question, by=by, reason=reason, duplicate_of=data["original"])
    elif action == "move":
        services.question_moderate(question=question, by=by, reason=reason, category=data["category"])


@login_required
def edit(request: HttpRequest, pk: int, answer_id: int | None = None) -> HttpResponse:
    """The author edits their post; a moderator edits anyone's with a reason (logged)."""
    question = get_object_or_404(Question.objects.select_related("category"), pk=pk)
    post = _post_of(question, answer_id)
    is_author = post.author_id == request.user.pk
    if not is_author and not services.member_may_moderate(request.user):
        raise PermissionDenied
    if post.state == PostState.HIDDEN and not services.member_may_moderate(request.user):
        raise Http404
    initial = {"body": post.body, "title": question.title if post is question else ""}
    form = EditForm(request.POST or None, initial=initial)
    if post is not question:
        del form.fields["title"]
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.post_edit(post=post, by=request.user, body=data["body"], reason=data["reason"],
                               title=data.get("title") or None)  # fmt: skip
        except ValidationError as error:
            _add_errors(form, error)
        except PermissionDenied as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Your changes are saved."))
            return _back(question, _anchor(post))
    status = 400 if form.is_bound and form.errors else 200
    context = {"form": form, "question": question, "post": post, "is_author": is_author}
    return render(request, "community/edit.html", context, status=status)


# --- Into knowledge and support ------------------------------------------------------------------


@login_required
@require_POST
def promote(request: HttpRequest, pk: int) -> HttpResponse:
    question = _question_or_404(request, pk)
    form = PromoteForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose the knowledge base category for the article."))
        return _back(question)
    try:
        article = services.question_promote(question=question, by=request.user, category=form.cleaned_data["category"])
    except (ValidationError, PermissionDenied) as error:
        _refused(request, error)
        return _back(question)
    messages.success(request, _("A draft article was made from this question. Edit it, then publish it."))
    return redirect("admin:articles_article_change", article.pk)


@login_required
@require_POST
def escalate(request: HttpRequest, pk: int) -> HttpResponse:
    question = _question_or_404(request, pk)
    form = EscalateForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    try:
        ticket = services.question_escalate(question=question, by=request.user, reason=reason)
    except (ValidationError, PermissionDenied) as error:
        _refused(request, error)
        return _back(question)
    messages.success(
        request, _("Support request %(reference)s is open for this question.") % {"reference": ticket.reference}
    )
    if request.user.pk == question.author_id:
        return redirect(ticket)
    return _back(question)


# The signed token is the credential, and mail clients' one-click unsubscribe (RFC 8058) posts without a CSRF token.
@csrf_exempt
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """From a notice e-mail: GET asks to confirm, POST stops following the question."""
    return unsubscribe_page(
        request, token, links=UNSUBSCRIBE, template="community/unsubscribe.html",
        find=lambda pk: Question.objects.filter(pk=pk).only("pk", "title").first(),
        stop=lambda user_id, pk: services.question_unfollow(question_id=pk, user_id=user_id),
    )  # fmt: skip
