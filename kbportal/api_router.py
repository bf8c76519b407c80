"""Every API viewset of the project, mounted at /api/v1/."""

from django.urls import path
from rest_framework.routers import DefaultRouter

from articles.api.views import ArticleViewSet, CategoryViewSet, VideoViewSet
from community.api.views import AnswerViewSet, ForumCategoryViewSet, QuestionViewSet
from kbportal.search.api import SearchView, SuggestView
from tickets.api.views import TicketViewSet

router = DefaultRouter()
router.register("categories", CategoryViewSet, basename="category")
router.register("articles", ArticleViewSet, basename="article")
router.register("videos", VideoViewSet, basename="video")
router.register("tickets", TicketViewSet, basename="ticket")
router.register("forum/categories", ForumCategoryViewSet, basename="forum-category")
router.register("forum/questions", QuestionViewSet, basename="forum-question")
router.register("forum/answers", AnswerViewSet, basename="forum-answer")

app_name = "api"
urlpatterns = [
    path("search/", SearchView.as_view(), name="search"),
    path("search/suggest/", SuggestView.as_view(), name="search-suggest"),
    *router.urls,
]
