from django.contrib.auth.views import redirect_to_login
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from articles.models import Tag

from . import selectors, services
from .models import ForumCategory, Question
from .notifications import unsubscribe_target

PAGE_SIZE = 20


def _page(request: HttpRequest, queryset):
    return Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))


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


def category_detail(request: HttpRequest, slug: str) -> HttpResponse:
    category = get_object_or_404(ForumCategory, slug=slug)
    questions = selectors.question_list(user=request.user, category=category)
    context = {"page": _page(request, questions), "which": "latest", "category": category,
               "categories": ForumCategory.objects.all()}  # fmt: skip
    return render(request, "community/question_list.html", context)


def question_detail(request: HttpRequest, pk: int) -> HttpResponse:
    question = selectors.question_page(pk=pk, user=request.user)
    if question is None:
        raise Http404
    return render(request, "community/question_detail.html", {"question": question})


# The signed token is the credential, and mail clients' one-click unsubscribe (RFC 8058) posts without a CSRF token.
@csrf_exempt
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """From a notice e-mail: GET asks to confirm (link scanners fetch links), POST stops following the question."""
    target = unsubscribe_target(token)
    if target is None:
        return render(request, "community/unsubscribe.html", {"invalid": True}, status=400)
    user_id, question_id = target
    question = Question.objects.filter(pk=question_id).only("pk", "title").first()
    done = request.method == "POST"
    if done:
        services.question_unfollow(question_id=question_id, user_id=user_id)
    return render(request, "community/unsubscribe.html", {"question": question, "done": done, "token": token})
