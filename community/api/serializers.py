"""Read serializers show what the selectors fetched; write serializers only shape input for the services."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from articles.models import Category as ArticleCategory
from articles.models import ProductVersion, Tag
from kbportal.choices import Language

from ..forms import MAX_TAGS
from ..models import Answer, Comment, Flag, FlagReason, ForumCategory, Question


class ForumCategorySerializer(serializers.ModelSerializer):
    class Meta:
        model = ForumCategory
        fields = ["id", "name", "name_zh_hans", "slug", "description", "description_zh_hans", "position", "staff_only"]


class ForumAuthorSerializer(serializers.Serializer):
    """Who wrote a post as other members see it: the public name, never the e-mail address."""

    id = serializers.IntegerField(read_only=True)
    name = serializers.CharField(source="public_name", read_only=True)
    is_staff = serializers.BooleanField(read_only=True)


class ForumTagSerializer(serializers.ModelSerializer):
    class Meta:
        model = Tag
        fields = ["name", "slug"]


class ForumCommentSerializer(serializers.ModelSerializer):
    author = ForumAuthorSerializer(read_only=True)

    class Meta:
        model = Comment
        fields = ["id", "author", "body", "created_at"]


class AnswerSerializer(serializers.ModelSerializer):
    """`body` is the Markdown source; `body_html` was rendered and sanitized by the service."""

    author = ForumAuthorSerializer(read_only=True)
    is_accepted = serializers.SerializerMethodField()
    comments = ForumCommentSerializer(many=True, read_only=True)

    class Meta:
        model = Answer
        fields = [
            "id", "question", "author", "body", "body_html", "state", "is_accepted", "is_verified", "score",
            "created_at", "updated_at", "comments",
        ]  # fmt: skip

    def get_is_accepted(self, answer: Answer) -> bool:
        accepted = getattr(answer, "is_accepted", None)  # annotated by selectors.question_page
        if accepted is None:
            accepted = answer.question.accepted_answer_id == answer.pk
        return bool(accepted)


class QuestionListSerializer(serializers.ModelSerializer):
    url = serializers.CharField(source="get_absolute_url", read_only=True)
    author = ForumAuthorSerializer(read_only=True)
    category = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    tags = ForumTagSerializer(many=True, read_only=True)
    product_version = serializers.SlugRelatedField(slug_field="name", read_only=True)

    class Meta:
        model = Question
        fields = [
            "id", "title", "url", "category", "author", "language", "tags", "product_version", "state", "is_locked",
            "is_pinned", "duplicate_of", "accepted_answer", "score", "answer_count", "created_at", "last_activity_at",
        ]  # fmt: skip


class QuestionPostSerializer(QuestionListSerializer):
    """The question itself without its thread: what an edit or a moderation action answers with."""

    class Meta(QuestionListSerializer.Meta):
        fields = [*QuestionListSerializer.Meta.fields, "body", "body_html", "updated_at"]


class QuestionDetailSerializer(QuestionListSerializer):
    """The question page: the question, its comments, and its visible answers in display order with theirs."""

    comments = ForumCommentSerializer(many=True, read_only=True)
    answers = AnswerSerializer(many=True, read_only=True)

    class Meta(QuestionListSerializer.Meta):
        fields = [*QuestionListSerializer.Meta.fields, "body", "body_html", "updated_at", "comments", "answers"]


class QuestionCreateSerializer(serializers.Serializer):
    category = serializers.SlugRelatedField(slug_field="slug", queryset=ForumCategory.objects.all())
    title = serializers.CharField(max_length=200)
    body = serializers.CharField(max_length=20000)
    language = serializers.ChoiceField(choices=Language.choices, required=False)
    tags = serializers.ListField(
        child=serializers.CharField(max_length=80), required=False, max_length=MAX_TAGS, help_text="Tag slugs."
    )
    product_version = serializers.SlugRelatedField(
        slug_field="name", queryset=ProductVersion.objects.all(), required=False, allow_null=True
    )

    def validate_tags(self, slugs: list[str]) -> list[Tag]:
        """Existing tags only, found in one query (members pick tags; they do not invent them)."""
        tags = list(Tag.objects.filter(slug__in=set(slugs)))
        unknown = sorted(set(slugs) - {tag.slug for tag in tags})
        if unknown:
            raise serializers.ValidationError(
                serializers.SlugRelatedField.default_error_messages["does_not_exist"].format(
                    slug_name="slug", value=unknown[0]
                )
            )
        return tags


class PostEditSerializer(serializers.Serializer):
    body = serializers.CharField(max_length=20000)
    reason = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")


class QuestionEditSerializer(PostEditSerializer):
    title = serializers.CharField(max_length=200, required=False)


class AnswerCreateSerializer(serializers.Serializer):
    body = serializers.CharField(max_length=20000)


class ForumCommentCreateSerializer(serializers.Serializer):
    body = serializers.CharField(max_length=2000)


class ForumVoteSerializer(serializers.Serializer):
    """1 up, -1 down, 0 takes the vote back (the service says which values count)."""

    value = serializers.IntegerField()


class ForumVoteResultSerializer(serializers.Serializer):
    value = serializers.IntegerField()
    score = serializers.IntegerField()


@extend_schema_field({"type": "string", "enum": FlagReason.values})
class _FlagReasonField(serializers.CharField):
    """The service checks the reason; the schema lists the values it accepts."""


class ForumFlagCreateSerializer(serializers.Serializer):
    reason = _FlagReasonField(max_length=20)
    note = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")


class ForumFlagSerializer(serializers.ModelSerializer):
    class Meta:
        model = Flag
        fields = ["id", "reason", "note", "created_at"]


class QuestionFollowSerializer(serializers.Serializer):
    following = serializers.BooleanField()


class AnswerAcceptResultSerializer(serializers.Serializer):
    question = serializers.IntegerField()
    accepted_answer = serializers.IntegerField()


class AnswerVerifySerializer(serializers.Serializer):
    verified = serializers.BooleanField(default=True)


class ModerationReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")


class ModerationHideSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=300)


class QuestionModerateSerializer(serializers.Serializer):
    """Lock or unlock, pin or unpin, close as a duplicate, move: give only what changes."""

    locked = serializers.BooleanField(required=False, allow_null=True, default=None)
    pinned = serializers.BooleanField(required=False, allow_null=True, default=None)
    duplicate_of = serializers.PrimaryKeyRelatedField(
        queryset=Question.objects.all(), required=False, allow_null=True, default=None
    )
    category = serializers.SlugRelatedField(
        slug_field="slug", queryset=ForumCategory.objects.all(), required=False, allow_null=True, default=None
    )
    reason = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")

    def validate(self, data: dict) -> dict:
        if all(data[name] is None for name in ("locked", "pinned", "duplicate_of", "category")):
            raise serializers.ValidationError(_("Say what to change: locked, pinned, duplicate_of or category."))
        return data


class QuestionEscalateSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")


class QuestionEscalateResultSerializer(serializers.Serializer):
    ticket = serializers.CharField()


class QuestionPromoteSerializer(serializers.Serializer):
    category = serializers.PrimaryKeyRelatedField(queryset=ArticleCategory.objects.all())


class QuestionPromoteResultSerializer(serializers.Serializer):
    article = serializers.IntegerField()
