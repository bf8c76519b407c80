from rest_framework import serializers

from ..models import Article, Category, FeedbackReason, Video, VideoChapter


class CategoryReadSerializer(serializers.ModelSerializer):
    class Meta:
        model = Category
        fields = ["id", "parent", "name", "name_zh_hans", "slug", "description", "description_zh_hans", "ordering"]


class ArticleListSerializer(serializers.ModelSerializer):
    url = serializers.CharField(source="get_absolute_url", read_only=True)
    tags = serializers.SlugRelatedField(many=True, read_only=True, slug_field="name")
    helpful_percent = serializers.IntegerField(read_only=True, allow_null=True)

    class Meta:
        model = Article
        fields = [
            "id", "external_id", "title", "slug", "summary", "language", "type", "category", "tags",
            "url", "updated_at", "view_count", "helpful_count", "not_helpful_count", "helpful_percent",
        ]  # fmt: skip


class ArticleDetailSerializer(ArticleListSerializer):
    product_versions = serializers.SlugRelatedField(many=True, read_only=True, slug_field="name")

    class Meta(ArticleListSerializer.Meta):
        fields = [
            *ArticleListSerializer.Meta.fields,
            "body", "body_html", "toc", "product_versions", "translation_of", "last_reviewed_at",
        ]  # fmt: skip


class VideoChapterSerializer(serializers.ModelSerializer):
    class Meta:
        model = VideoChapter
        fields = ["start_seconds", "title"]


class VideoListSerializer(serializers.ModelSerializer):
    url = serializers.CharField(source="get_absolute_url", read_only=True)
    tags = serializers.SlugRelatedField(many=True, read_only=True, slug_field="name")
    helpful_percent = serializers.IntegerField(read_only=True, allow_null=True)

    class Meta:
        model = Video
        fields = [
            "id", "external_id", "title", "slug", "description", "language", "category", "tags", "url",
            "duration_seconds", "provider", "embed_url", "updated_at", "view_count", "helpful_count",
            "not_helpful_count", "helpful_percent",
        ]  # fmt: skip


class VideoDetailSerializer(VideoListSerializer):
    chapters = VideoChapterSerializer(many=True, read_only=True)

    class Meta(VideoListSerializer.Meta):
        fields = [*VideoListSerializer.Meta.fields, "transcript", "chapters", "related_articles", "translation_of"]


class FeedbackWriteSerializer(serializers.Serializer):
    helpful = serializers.BooleanField()
    reason = serializers.ChoiceField(choices=FeedbackReason.choices, required=False, allow_blank=True, default="")
    comment = serializers.CharField(required=False, allow_blank=True, max_length=2000, default="")


class FeedbackReadSerializer(serializers.Serializer):
    helpful = serializers.BooleanField()
    reason = serializers.CharField()
    comment = serializers.CharField()
    helpful_count = serializers.IntegerField()
    not_helpful_count = serializers.IntegerField()
