from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from kbportal.accounts.selectors import user_can_preview_content
from kbportal.choices import content_language
from kbportal.crawlers import is_crawler
from kbportal.pagecache import public_page
from kbportal.security.csrf import csrf_when_credentialed

from . import selectors, services, transcripts
from .forms import ArticleFilterForm, FeedbackForm
from .models import Article, Category, Tag, Video
from .reader_hooks import reader_hooks
from .video_providers import VideoProvider

PAGE_SIZE = 20


def _language(request: HttpRequest) -> str:
    return content_language(request.LANGUAGE_CODE)


def _page(request: HttpRequest, queryset):
    return Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))


@public_page("kb")
def home(request: HttpRequest) -> HttpResponse:
    language = _language(request)
    user = request.user
    return render(
        request,
        "articles/home.html",
        {
            "categories": selectors.category_tree(language=language),
            "popular": selectors.popular_articles(user=user, language=language),
            "recent": selectors.recent_articles(user=user, language=language),
            "videos": selectors.featured_videos(user=user, language=language),
        },
    )


@public_page("kb", params=["page"])
def category_detail(request: HttpRequest, slug: str) -> HttpResponse:
    category = get_object_or_404(Category, slug=slug)
    language = _language(request)
    articles = selectors.article_list(user=request.user, language=language).filter(
        category_id__in=selectors.category_descendant_ids(category=category)
    )
    return render(
        request,
        "articles/category.html",
        {
            "category": category,
            "ancestors": selectors.category_ancestors(category=category),
            "children": category.children.all(),
            "page": _page(request, articles.order_by("title", "pk")),
            "videos": selectors.video_list(user=request.user, language=language).filter(category=category)[:4],
        },
    )


@public_page("kb", params=["page", "q", "type", "version"])
def article_list(request: HttpRequest) -> HttpResponse:
    form = ArticleFilterForm(request.GET or None)
    articles = selectors.article_list(user=request.user, language=_language(request))
    if form.is_valid():
        data = form.cleaned_data
        if data["q"]:
            articles = articles.filter(Q(title__icontains=data["q"]) | Q(summary__icontains=data["q"]))
        if data["type"]:
            articles = articles.filter(type=data["type"])
        if data["version"]:
            articles = articles.filter(product_versions__name=data["version"])
    return render(
        request,
        "articles/article_list.html",
        {"form": form, "page": _page(request, articles.order_by("-updated_at", "pk"))},
    )


@public_page("kb", params=["page"])
def tag_detail(request: HttpRequest, slug: str) -> HttpResponse:
    tag = get_object_or_404(Tag, slug=slug)
    articles = selectors.article_list(user=request.user, language=_language(request)).filter(tags=tag)
    return render(request, "articles/tag.html", {"tag": tag, "page": _page(request, articles.order_by("title", "pk"))})


def _feedback_context(request: HttpRequest, item) -> dict:
    feedback = selectors.feedback_of(item=item, user=request.user, session_key=request.session.session_key or "")
    return {
        "item": item,
        "feedback": feedback,
        "feedback_form": FeedbackForm(initial={"helpful": "no"}),
        "feedback_kind": "article" if isinstance(item, Article) else "video",
        "min_votes": settings.KBPORTAL_HELPFULNESS_MIN_VOTES,
    }


def _count_cached_view(request: HttpRequest, model, pk: int) -> None:
    """A view answered from the page cache counts as the page's own code would have (the visitor is anonymous)."""
    if not is_crawler(request):
        services.content_register_view(item=model(pk=pk))


def _register_view(request: HttpRequest, item) -> None:
    """Readers' views count (later, in batches); staff previewing and known crawlers do not."""
    if not user_can_preview_content(request.user) and not is_crawler(request):
        services.content_register_view(item=item)


def _canonical(request: HttpRequest, item) -> HttpResponse:
    """The address with the current slug, keeping the query (?hs= from search, ?t= for a chapter)."""
    query = request.GET.urlencode()
    return redirect(f"{item.get_absolute_url()}?{query}" if query else item.get_absolute_url(), permanent=True)


def _help_banner(request: HttpRequest, kind: str, item):
    """Opened from search or the contact form (?hs=…): recorded in the help session, which asks if it solved it."""
    return reader_hooks().banner(
        request, item_kind=kind, item_id=item.pk, item_title=item.title, item_url=item.get_absolute_url()
    )


def _language_switch_next(request: HttpRequest, kind: str, item, translations: list) -> str:
    """The `next` of the header's language switcher: through `language_switch` when the item has a
    translation the visitor may see, so that choosing a language lands on that version of the page."""
    if not translations:
        return request.get_full_path()
    url = reverse("articles:language_switch", kwargs={"kind": kind, "pk": item.pk})
    query = request.GET.urlencode()
    return f"{url}?{query}" if query else url


@never_cache  # where it sends a visitor depends on the language cookie just set
def language_switch(request: HttpRequest, kind: str, pk: str) -> HttpResponse:
    """Where set_language sends a visitor who switched language on an article or video page: the
    translation in the language now active when they may see it, otherwise the same item (Zendesk does
    the same). The query (?hs= from search, ?t= in a video) comes along."""
    model = {"article": Article, "video": Video}[kind]
    item = get_object_or_404(
        model.objects.visible_to(request.user).only("pk", "slug", "language", "translation_of"), pk=pk
    )
    target = selectors.translation_in(item=item, language=_language(request), user=request.user) or item
    query = request.GET.urlencode()
    return redirect(f"{target.get_absolute_url()}?{query}" if query else target.get_absolute_url())


@public_page("kb", obj=("article", "pk"), on_hit=lambda request, **url: _count_cached_view(request, Article, url["pk"]))
def article_detail(request: HttpRequest, pk: int, slug: str = "") -> HttpResponse:
    article = selectors.article_get(pk=pk, user=request.user)
    if slug != article.slug:
        return _canonical(request, article)
    _register_view(request, article)
    translations = selectors.translations_of(item=article, user=request.user)
    context = {
        "article": article,
        "ancestors": [*selectors.category_ancestors(category=article.category), article.category],
        "translations": translations,
        "language_switch_next": _language_switch_next(request, "article", article, translations),
        "related": selectors.related_articles(article=article, user=request.user),
        "show_toc": len(article.toc) >= settings.KBPORTAL_TOC_MIN_HEADINGS,
        "help_banner": _help_banner(request, "article", article),
        **_feedback_context(request, article),
    }
    return render(request, "articles/article_detail.html", context)


@public_page("kb", params=["page"])
def video_list(request: HttpRequest) -> HttpResponse:
    videos = selectors.video_list(user=request.user, language=_language(request)).order_by("-updated_at", "pk")
    return render(request, "articles/video_list.html", {"page": _page(request, videos)})


@public_page(
    "kb", obj=("video", "pk"), params=["t"], on_hit=lambda request, **url: _count_cached_view(request, Video, url["pk"])
)
def video_detail(request: HttpRequest, pk: int, slug: str = "") -> HttpResponse:
    video = selectors.video_get(pk=pk, user=request.user)
    if slug != video.slug:
        return _canonical(request, video)
    _register_view(request, video)
    start = _start_seconds(request, video)
    translations = selectors.translations_of(item=video, user=request.user)
    transcript = transcripts.parse_transcript(video.transcript)
    context = {
        "video": video,
        "start": start,
        "transcript": transcript,
        # Followed a time link (?t=): the transcript opens at the line being spoken.
        "transcript_current": transcripts.current_cue(transcript, start) if "t" in request.GET else None,
        "embed_url": VideoProvider.embed_url(video.provider, video.provider_video_id, start=start)
        if video.provider
        else "",
        "ancestors": [*selectors.category_ancestors(category=video.category), video.category],
        "translations": translations,
        "language_switch_next": _language_switch_next(request, "video", video, translations),
        "help_banner": _help_banner(request, "video", video),
        **_feedback_context(request, video),
    }
    return render(request, "articles/video_detail.html", context)


def _start_seconds(request: HttpRequest, video: Video) -> int:
    """A chapter link without JavaScript reloads the page with ?t=seconds."""
    try:
        start = int(request.GET.get("t", 0))
    except ValueError:
        return 0
    return start if 0 <= start <= max(video.duration_seconds, 0) else 0


@csrf_when_credentialed  # the public page's form carries no token (kbportal/security/csrf.py)
@require_POST
def feedback_submit(request: HttpRequest, kind: str, pk: str) -> HttpResponse:
    """Record a "Was this helpful?" answer; answers JSON to scripts and redirects browsers."""
    model = {"article": Article, "video": Video}[kind]
    item = model.objects.visible_to(request.user).filter(pk=pk).first()
    if item is None:
        return _feedback_error(request, item, _("This item is no longer available."), status=404)
    form = FeedbackForm(request.POST)
    if not form.is_valid():
        return _feedback_error(request, item, " ".join(form.errors.get("__all__", []) + _flat_errors(form)))
    if not request.session.session_key:
        request.session.save()
    voter = services.Voter(
        user=request.user if request.user.is_authenticated else None, session_key=request.session.session_key
    )
    try:
        services.feedback_submit(item=item, voter=voter, **form.cleaned_data)
    except ValidationError as error:
        return _feedback_error(request, item, " ".join(error.messages))
    reader_hooks().note_rating(
        request, item_kind=kind, item_id=item.pk, item_title=item.title, helpful=form.cleaned_data["helpful"]
    )
    item.refresh_from_db(fields=["helpful_count", "not_helpful_count"])
    if _wants_json(request):
        html = render_to_string("articles/_helpfulness.html", _feedback_context(request, item), request=request)
        return JsonResponse({"html": html, "helpful_count": item.helpful_count})
    messages.success(request, _("Thank you for your feedback."))
    return redirect(f"{item.get_absolute_url()}#helpfulness")


def _flat_errors(form) -> list[str]:
    return [str(message) for field, errors in form.errors.items() if field != "__all__" for message in errors]


def _wants_json(request: HttpRequest) -> bool:
    return "application/json" in request.headers.get("Accept", "")


def _feedback_error(request: HttpRequest, item, message: str, status: int = 400) -> HttpResponse:
    if _wants_json(request) or item is None:
        return JsonResponse({"error": message}, status=status)
    messages.error(request, message)
    return redirect(f"{item.get_absolute_url()}#helpfulness")


# Strangers are sent to sign in; signed-in users without the permission get the branded 403, not a sign-in loop.
@login_required
@permission_required("articles.change_article", raise_exception=True)
def needs_review(request: HttpRequest) -> HttpResponse:
    articles, videos = selectors.content_needing_review()
    return render(
        request,
        "articles/needs_review.html",
        {
            "page": _page(request, articles),
            "videos": videos[:50],
            "threshold": settings.KBPORTAL_REVIEW_HELPFUL_PERCENT,
            "min_votes": settings.KBPORTAL_REVIEW_MIN_VOTES,
            "max_age_days": settings.KBPORTAL_REVIEW_MAX_AGE_DAYS,
        },
    )
