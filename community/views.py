from django.contrib.auth.views import redirect_to_login
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from articles.models import Tag

from . import selectors
from .models import ForumCategory

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
