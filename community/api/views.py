"""The forum API: the pages' selectors and services behind REST endpoints.

Every lookup is scoped to the caller first (visible posts, and a member's own held ones; moderators
reach every post through the moderation actions). The services decide everything else; their
ValidationError / PermissionDenied become 400 with field errors / 403 in the API's exception handler
(kbportal/api/exceptions.py).
"""

from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.permissions import AllowAny, IsAuthenticatedOrReadOnly
from rest_framework.request import Request
from rest_framework.response import Response

from kbportal.choices import content_language
from kbportal.security.ratelimits import RateLimitThrottle

from .. import selectors, services
from ..models import Answer, Comment, ForumCategory, PostState, Question
from . import serializers
from .filters import QuestionFilterSet, StableOrderingFilter

Post = Question | Answer


def _may_moderate(user) -> bool:
    return user.is_authenticated and services.member_may_moderate(user)


def _readable(posts: QuerySet, user, prefix: str = "") -> QuerySet:
    """Visible posts and the user's own held ones: the rule of `selectors.question_page`, as a filter."""
    return posts.filter(
        Q(**{f"{prefix}state": PostState.VISIBLE})
        | Q(**{f"{prefix}state": PostState.HELD, f"{prefix}author_id": user.pk})
    )


def _visible_comments() -> Prefetch:
    # The comments under a post with their authors: two queries, not one per comment.
    return Prefetch("comments", queryset=Comment.objects.filter(state=PostState.VISIBLE).select_related("author"))


def _answer_with_comments(pk: int) -> Answer:
    """An answer as the API shows it (any state: for the response to whoever just acted on it)."""
    return Answer.objects.select_related("author", "question").prefetch_related(_visible_comments()).get(pk=pk)


def _question_summary(pk: int) -> Question:
    """A question without its thread (any state: for the response to whoever just edited or moderated it)."""
    return Question.objects.select_related("author", "category", "product_version").prefetch_related("tags").get(pk=pk)


class ForumCategoryViewSet(viewsets.ReadOnlyModelViewSet):
    permission_classes = [AllowAny]
    queryset = ForumCategory.objects.all()
    serializer_class = serializers.ForumCategorySerializer
    ordering_fields = ["position", "name"]
    ordering = ["position", "name"]


class _PostActionsMixin:
    """What members and moderators do to a question or an answer alike: comment, vote, flag, edit, moderate."""

    post_model: type[Question] | type[Answer]

    # Writes share one per-member rate (`KBPORTAL_RATE_LIMITS["forum"]`); reads are free.
    def get_throttles(self):
        if self.request.method not in ("GET", "HEAD", "OPTIONS"):
            return [RateLimitThrottle("forum")]
        return super().get_throttles()

    def _post(self) -> Post:
        """The post the caller acts on, scoped to what they may see."""
        raise NotImplementedError

    def _post_for_moderator(self) -> Post:
        """Any post in any state, once the caller is known to be a moderator (members get 403, never a 404 hint)."""
        if not _may_moderate(self.request.user):
            raise PermissionDenied(_("Only moderators can do this."))
        post = self.post_model.objects.filter(pk=self.kwargs["pk"]).first()
        if post is None:
            raise Http404
        return post

    def _out(self, post: Post) -> dict:
        if isinstance(post, Question):
            return serializers.QuestionPostSerializer(_question_summary(post.pk)).data
        return serializers.AnswerSerializer(_answer_with_comments(post.pk)).data

    @extend_schema(
        request=serializers.ForumCommentCreateSerializer, responses={201: serializers.ForumCommentSerializer}
    )
    @action(detail=True, methods=["post"])
    def comments(self, request: Request, pk: str | None = None) -> Response:
        """Comment under the post (plain text)."""
        post = self._post()
        incoming = serializers.ForumCommentCreateSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        comment = services.comment_add(post=post, author=request.user, body=incoming.validated_data["body"])
        return Response(serializers.ForumCommentSerializer(comment).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=serializers.ForumVoteSerializer, responses=serializers.ForumVoteResultSerializer)
    @action(detail=True, methods=["post"])
    def vote(self, request: Request, pk: str | None = None) -> Response:
        """Vote up (1), down (-1) or take the vote back (0); the same vote again changes nothing."""
        post = self._post()
        incoming = serializers.ForumVoteSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        value = incoming.validated_data["value"]
        score = services.post_vote(post=post, voter=request.user, value=value)
        return Response(serializers.ForumVoteResultSerializer({"value": value, "score": score}).data)

    @extend_schema(request=serializers.ForumFlagCreateSerializer, responses={201: serializers.ForumFlagSerializer})
    @action(detail=True, methods=["post"])
    def flag(self, request: Request, pk: str | None = None) -> Response:
        """Ask the moderators to look at the post; flagging again returns the first flag."""
        post = self._post()
        incoming = serializers.ForumFlagCreateSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        flag = services.post_flag(post=post, reporter=request.user, **incoming.validated_data)
        return Response(serializers.ForumFlagSerializer(flag).data, status=status.HTTP_201_CREATED)

    def _edit(self, request: Request, incoming_class) -> Response:
        """The author edits their post; a moderator edits anyone's with a reason (logged)."""
        post = self._post_for_moderator() if _may_moderate(request.user) else self._post()
        incoming = incoming_class(data=request.data)
        incoming.is_valid(raise_exception=True)
        post = services.post_edit(post=post, by=request.user, **incoming.validated_data)
        return Response(self._out(post))

    @extend_schema(request=serializers.ModerationHideSerializer)
    @action(detail=True, methods=["post"])
    def hide(self, request: Request, pk: str | None = None) -> Response:
        """Moderators: hide the post from everyone, with the reason (logged)."""
        post = self._post_for_moderator()
        incoming = serializers.ModerationHideSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        post = services.post_hide(post=post, by=request.user, reason=incoming.validated_data["reason"])
        return Response(self._out(post))

    @extend_schema(request=serializers.ModerationReasonSerializer)
    @action(detail=True, methods=["post"])
    def restore(self, request: Request, pk: str | None = None) -> Response:
        """Moderators: show a hidden post again; its open flags are resolved."""
        post = self._post_for_moderator()
        incoming = serializers.ModerationReasonSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        post = services.post_restore(post=post, by=request.user, reason=incoming.validated_data["reason"])
        return Response(self._out(post))

    @extend_schema(request=None)
    @action(detail=True, methods=["post"])
    def approve(self, request: Request, pk: str | None = None) -> Response:
        """Moderators: let a held post through."""
        post = self._post_for_moderator()
        post = services.post_approve(post=post, by=request.user)
        return Response(self._out(post))


class QuestionViewSet(_PostActionsMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Questions: everyone reads visible ones (members also their own held ones); signed-in members write."""

    permission_classes = [IsAuthenticatedOrReadOnly]
    post_model = Question
    lookup_value_regex = "[0-9]+"
    filter_backends = [DjangoFilterBackend, StableOrderingFilter]
    filterset_class = QuestionFilterSet
    ordering_fields = ["last_activity_at", "created_at", "score", "answer_count"]
    ordering = ["-is_pinned", "-last_activity_at", "-pk"]  # as selectors.question_list

    def get_queryset(self):
        user = self.request.user
        if self.action == "list":
            which = "mine" if self.request.query_params.get("mine", "").lower() in ("true", "1") else "latest"
            # The rows name their product version too: joined, not fetched per row. Rows carry no body.
            return (
                selectors.question_list(user=user, which=which)
                .select_related("product_version")
                .defer("body", "body_html")
            )
        return _readable(Question.objects.all(), user)

    def get_serializer_class(self):
        if self.action == "list":
            return serializers.QuestionListSerializer
        if self.action in ("retrieve", "create"):
            return serializers.QuestionDetailSerializer
        return serializers.QuestionPostSerializer  # edits and moderation answer with the question alone

    def _post(self) -> Question:
        question = _readable(Question.objects.all(), self.request.user).filter(pk=self.kwargs["pk"]).first()
        if question is None:
            raise Http404
        return question

    def retrieve(self, request: Request, pk: str | None = None) -> Response:
        """The question with its comments and its visible answers: accepted, verified, by score, oldest first."""
        question = selectors.question_page(pk=int(pk), user=request.user)
        if question is None:
            raise Http404
        return Response(serializers.QuestionDetailSerializer(question).data)

    @extend_schema(request=serializers.QuestionCreateSerializer, responses={201: serializers.QuestionDetailSerializer})
    def create(self, request: Request) -> Response:
        """Ask a question. A member's first posts wait for a moderator (`state` is "held"); the asker follows it.

        Sending the same title and text again shortly after returns the first question instead of a copy.
        """
        incoming = serializers.QuestionCreateSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = incoming.validated_data
        question = services.question_ask(
            author=request.user,
            category=data["category"],
            title=data["title"],
            body=data["body"],
            language=data.get("language") or content_language(getattr(request, "LANGUAGE_CODE", "en")),
            tags=data.get("tags", ()),
            product_version=data.get("product_version"),
        )
        page = selectors.question_page(pk=question.pk, user=request.user)
        if page is None:  # a repeat of a question that a moderator has hidden since
            raise Http404
        return Response(serializers.QuestionDetailSerializer(page).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=serializers.QuestionEditSerializer)
    def partial_update(self, request: Request, pk: str | None = None) -> Response:
        """The asker edits the question; a moderator edits anyone's, with a reason."""
        return self._edit(request, serializers.QuestionEditSerializer)

    @extend_schema(request=serializers.AnswerCreateSerializer, responses={201: serializers.AnswerSerializer})
    @action(detail=True, methods=["post"])
    def answers(self, request: Request, pk: str | None = None) -> Response:
        """Answer the question. A member's first posts wait for a moderator (`state` is "held")."""
        question = self._post()
        incoming = serializers.AnswerCreateSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        answer = services.answer_post(question=question, author=request.user, body=incoming.validated_data["body"])
        return Response(self._out(answer), status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=serializers.QuestionFollowSerializer)
    @action(detail=True, methods=["post", "delete"])
    def follow(self, request: Request, pk: str | None = None) -> Response:
        """POST: hear of new answers, comments and the accepted answer. DELETE: stop."""
        question = self._post()
        if request.method == "DELETE":
            services.question_unfollow(question_id=question.pk, user_id=request.user.pk)
            return Response({"following": False})
        services.question_follow(question=question, user=request.user)
        return Response({"following": True})

    @extend_schema(request=serializers.QuestionModerateSerializer)
    @action(detail=True, methods=["post"])
    def moderate(self, request: Request, pk: str | None = None) -> Response:
        """Moderators: lock or unlock, pin or unpin, close as a duplicate of another question, move; each logged."""
        question = self._post_for_moderator()
        incoming = serializers.QuestionModerateSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        question = services.question_moderate(question=question, by=request.user, **incoming.validated_data)
        return Response(self._out(question))

    @extend_schema(
        request=serializers.QuestionEscalateSerializer, responses={201: serializers.QuestionEscalateResultSerializer}
    )
    @action(detail=True, methods=["post"])
    def escalate(self, request: Request, pk: str | None = None) -> Response:
        """A support request for an unanswered question: the asker once it is offered, support staff any time."""
        question = self._post()
        incoming = serializers.QuestionEscalateSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        ticket = services.question_escalate(question=question, by=request.user, **incoming.validated_data)
        return Response({"ticket": ticket.reference}, status=status.HTTP_201_CREATED)

    @extend_schema(
        request=serializers.QuestionPromoteSerializer, responses={201: serializers.QuestionPromoteResultSerializer}
    )
    @action(detail=True, methods=["post"])
    def promote(self, request: Request, pk: str | None = None) -> Response:
        """Staff who write articles: a draft article from the question and its accepted answer."""
        question = self._post()
        incoming = serializers.QuestionPromoteSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        article = services.question_promote(question=question, by=request.user, **incoming.validated_data)
        return Response({"article": article.pk}, status=status.HTTP_201_CREATED)


class AnswerViewSet(_PostActionsMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Answers: read one, and act on it; the question page lists them."""

    permission_classes = [IsAuthenticatedOrReadOnly]
    post_model = Answer
    lookup_value_regex = "[0-9]+"
    serializer_class = serializers.AnswerSerializer
    filter_backends = []

    def get_queryset(self):
        user = self.request.user
        answers = _readable(_readable(Answer.objects.all(), user), user, prefix="question__")
        # The author, the question (is it accepted?) and the comments with their authors: no query per row.
        return answers.select_related("author", "question").prefetch_related(_visible_comments())

    def _post(self) -> Answer:
        return self.get_object()

    @extend_schema(request=serializers.PostEditSerializer)
    def partial_update(self, request: Request, pk: str | None = None) -> Response:
        """The author edits the answer; a moderator edits anyone's, with a reason."""
        return self._edit(request, serializers.PostEditSerializer)

    @extend_schema(request=None, responses=serializers.AnswerAcceptResultSerializer)
    @action(detail=True, methods=["post", "delete"])
    def accept(self, request: Request, pk: str | None = None) -> Response:
        """The asker (or staff) accepts this answer (POST; another one moves the mark) or takes it back (DELETE)."""
        change = services.answer_unaccept if request.method == "DELETE" else services.answer_accept
        question = change(answer=self._post(), by=request.user)
        return Response({"question": question.pk, "accepted_answer": question.accepted_answer_id})

    @extend_schema(request=serializers.AnswerVerifySerializer)
    @action(detail=True, methods=["post"])
    def verify(self, request: Request, pk: str | None = None) -> Response:
        """Staff mark the answer as checked by HelloWorld (`verified: false` takes the mark back)."""
        answer = self._post()
        incoming = serializers.AnswerVerifySerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        answer = services.answer_verify(answer=answer, by=request.user, **incoming.validated_data)
        return Response(self._out(answer))
