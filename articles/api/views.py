from drf_spectacular.utils import extend_schema
from rest_framework import mixins, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from kbportal.pagecache import PublicPage
from kbportal.security.ratelimits import RateLimitThrottle

from .. import services
from ..models import Article, Category, Video
from . import serializers
from .filters import ArticleFilterSet, CategoryFilterSet, VideoFilterSet


class CategoryViewSet(viewsets.ReadOnlyModelViewSet):
    # Anonymous reads are public pages, whatever the filters (kbportal/pagecache.py).
    public_page = PublicPage(scopes=("kb",), params=None)
    permission_classes = [AllowAny]
    queryset = Category.objects.all()
    serializer_class = serializers.CategoryReadSerializer
    filterset_class = CategoryFilterSet
    ordering_fields = ["ordering", "name"]
    ordering = ["ordering", "name"]


class _FeedbackActionMixin:
    """POST {id}/feedback/: a signed-in user's "Was this helpful?" answer, changeable."""

    @extend_schema(request=serializers.FeedbackWriteSerializer, responses=serializers.FeedbackReadSerializer)
    @action(detail=True, methods=["post"], permission_classes=[IsAuthenticated])
    def feedback(self, request: Request, pk: str | None = None) -> Response:
        item = self.get_object()
        incoming = serializers.FeedbackWriteSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        feedback = services.feedback_submit(
            item=item, voter=services.Voter(user=request.user), **incoming.validated_data
        )
        item.refresh_from_db(fields=["helpful_count", "not_helpful_count"])
        out = {
            "helpful": feedback.helpful,
            "reason": feedback.reason,
            "comment": feedback.comment,
            "helpful_count": item.helpful_count,
            "not_helpful_count": item.not_helpful_count,
        }
        return Response(serializers.FeedbackReadSerializer(out).data)

    def get_throttles(self):
        if self.action == "feedback":
            return [RateLimitThrottle("feedback")]
        return super().get_throttles()


class ArticleViewSet(_FeedbackActionMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Published articles for customers; staff editors also see drafts and archived ones."""

    public_page = PublicPage(scopes=("kb",), obj=("article", "pk"), params=None)
    permission_classes = [AllowAny]
    filterset_class = ArticleFilterSet
    ordering_fields = ["updated_at", "title", "view_count", "helpful_count"]
    ordering = ["-updated_at", "pk"]

    def get_queryset(self):
        articles = Article.objects.visible_to(self.request.user)
        if self.action == "list":
            # The tag names of every row (one query instead of one per row).
            return articles.prefetch_related("tags").defer("body", "body_html", "toc")
        return articles.prefetch_related("tags", "product_versions")

    def get_serializer_class(self):
        return serializers.ArticleListSerializer if self.action == "list" else serializers.ArticleDetailSerializer


class VideoViewSet(_FeedbackActionMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    public_page = PublicPage(scopes=("kb",), obj=("video", "pk"), params=None)
    permission_classes = [AllowAny]
    filterset_class = VideoFilterSet
    ordering_fields = ["updated_at", "title", "view_count", "duration_seconds"]
    ordering = ["-updated_at", "pk"]

    def get_queryset(self):
        videos = Video.objects.visible_to(self.request.user)
        if self.action == "list":
            return videos.prefetch_related("tags").defer("transcript")  # tag names per row
        return videos.prefetch_related(
            "tags",
            "chapters",
            "related_articles",
        )

    def get_serializer_class(self):
        return serializers.VideoListSerializer if self.action == "list" else serializers.VideoDetailSerializer
