"""Reads for the member pages: a member's profile and posts, the notifications inbox, the moderation queue.

Every function here costs a fixed number of queries, however many rows there are.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.db.models import (
    CharField,
    Count,
    F,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce
from django.http import HttpRequest

from kbportal.accounts.models import User

from .models import Answer, Flag, ModerationAction, Notification, PostState, Question

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

MODERATION_LOG_SIZE = 20
_UNREAD_COUNT_ATTRIBUTE = "_community_unread_count"
_QUEUE_SIZE_ATTRIBUTE = "_community_queue_size"
_OPEN_FLAGS_ATTRIBUTE = "open_flags"  # where the queue's posts get their open flags (a prefetch's to_attr)
# A page of the moderation queue: (post type, id, waiting since).
QueueRow = tuple[str, int, datetime]


# --- A member's profile ----------------------------------------------------------------------


def _is_self(*, member_pk: int, viewer: User | AnonymousUser) -> bool:
    return viewer.is_authenticated and viewer.pk == member_pk


def _post_states(*, member_pk: int, viewer: User | AnonymousUser) -> list[str]:
    """Others see a member's visible posts; the member also sees their own held ones (never hidden ones)."""
    if _is_self(member_pk=member_pk, viewer=viewer):
        return [PostState.VISIBLE, PostState.HELD]
    return [PostState.VISIBLE]


def _tally(queryset: QuerySet[Any]) -> Coalesce:
    """A correlated COUNT over `queryset` (already filtered on OuterRef("pk")), 0 when there are no rows."""
    counted = queryset.order_by().values("author").annotate(total=Count("pk")).values("total")
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def member_get(*, pk: int, viewer: User | AnonymousUser) -> User | None:
    """An active member with their forum standing and post counts as `viewer` may see them.

    None for inactive accounts, and for accounts with no forum presence (no profile and no post
    `viewer` may see) unless `viewer` is the member: a page per account would list every customer's name.
    The counts are `question_total`, `answer_total` and `accepted_total`; `reputation` is 1 without a profile.
    """
    states = _post_states(member_pk=pk, viewer=viewer)
    questions = Question.objects.filter(author=OuterRef("pk"), state__in=states)
    answers = Answer.objects.filter(author=OuterRef("pk"), state__in=states, question__state=PostState.VISIBLE)
    member = (
        # The profile row rides along (reputation) and the counts are subqueries: one query for the whole header.
        User.objects.filter(pk=pk, is_active=True)
        .select_related("forum_profile")
        .annotate(
            reputation=Coalesce(F("forum_profile__reputation"), 1),
            question_total=_tally(questions),
            answer_total=_tally(answers),
            accepted_total=_tally(answers.filter(accepted_for__isnull=False, state=PostState.VISIBLE)),
        )
        .first()
    )
    if member is None:
        return None
    profile = getattr(member, "forum_profile", None)
    if not (_is_self(member_pk=pk, viewer=viewer) or profile or member.question_total or member.answer_total):
        return None
    return member


def member_questions(*, member: User, viewer: User | AnonymousUser) -> QuerySet[Question]:
    """The member's questions, newest first: visible ones, and to the member also their held ones."""
    # Each row names its category: joined, not fetched per row.
    return (
        Question.objects.filter(author=member, state__in=_post_states(member_pk=member.pk, viewer=viewer))
        .select_related("category")
        .defer("body", "body_html")
        .order_by("-created_at", "-pk")
    )


def member_answers(*, member: User, viewer: User | AnonymousUser) -> QuerySet[Answer]:
    """The member's answers on visible questions, newest first; held ones only to the member."""
    # Each row links to its question by title: joined, not fetched per row.
    return (
        Answer.objects.filter(
            author=member,
            state__in=_post_states(member_pk=member.pk, viewer=viewer),
            question__state=PostState.VISIBLE,
        )
        .select_related("question")
        .defer("body_html", "question__body", "question__body_html")
        .order_by("-created_at", "-pk")
    )


# --- Notifications ---------------------------------------------------------------------------


def notification_inbox(*, user: User) -> QuerySet[Notification]:
    """The member's notices about questions readers can still see, newest first."""
    # Each row names its question and who acted: joined, not fetched per row.
    return (
        Notification.objects.filter(recipient=user, question__state=PostState.VISIBLE)
        .select_related("question", "actor")
        .only(
            "kind",
            "created_at",
            "read_at",
            "answer_id",
            "question__id",
            "question__title",
            "question__language",
            "actor__username",
            "actor__first_name",
            "actor__display_name",
        )
        .order_by("-created_at", "-pk")
    )


def notification_unread_count(*, user: User | AnonymousUser) -> int:
    """How many of the inbox's notices are unread: one COUNT (served by the `community_notice_inbox` index)."""
    if not user.is_authenticated:
        return 0
    return Notification.objects.filter(recipient=user, read_at__isnull=True, question__state=PostState.VISIBLE).count()


def notification_unread_count_for_request(request: HttpRequest) -> int:
    """`notification_unread_count` of the signed-in member, counted once per request (header and inbox share it)."""
    cached: int | None = getattr(request, _UNREAD_COUNT_ATTRIBUTE, None)
    if cached is None:
        cached = notification_unread_count(user=request.user)
        setattr(request, _UNREAD_COUNT_ATTRIBUTE, cached)
    return cached


# --- The moderation queue --------------------------------------------------------------------

# In the queue: posts held for approval, and posts with open flags (visible ones, and those the flags hid).
_NEEDS_MODERATOR = Q(state=PostState.HELD) | Q(flag_count__gt=0)


def _queue_rows(model: type[Question] | type[Answer], post_type: str) -> QuerySet[Any, QueueRow]:
    oldest_open_flag = (
        Flag.objects.filter(**{post_type: OuterRef("pk")}, resolved_at__isnull=True)
        .order_by("created_at")
        .values("created_at")[:1]
    )
    return (
        model.objects.filter(_NEEDS_MODERATOR)
        .annotate(
            post_type=Value(post_type, output_field=CharField()),
            # Waiting since the first open flag, or since it was posted (held posts).
            since=Coalesce(Subquery(oldest_open_flag), F("created_at")),
        )
        .order_by()
        .values_list("post_type", "id", "since")
    )


def moderation_queue() -> QuerySet[Any, QueueRow]:
    """(post_type, id, since) rows of the questions and answers waiting for a moderator, oldest first.

    One query per page of rows (a UNION of both tables); turn a page into posts with `moderation_queue_items`.
    """
    return _queue_rows(Question, "question").union(_queue_rows(Answer, "answer"), all=True).order_by("since", "id")


def moderation_queue_size() -> int:
    return moderation_queue().count()


def moderation_queue_size_for_request(request: HttpRequest, *, known: int | None = None) -> int:
    """`moderation_queue_size`, counted once per request (the header and the queue page share it)."""
    if known is not None:
        setattr(request, _QUEUE_SIZE_ATTRIBUTE, known)
    cached: int | None = getattr(request, _QUEUE_SIZE_ATTRIBUTE, None)
    if cached is None:
        cached = moderation_queue_size()
        setattr(request, _QUEUE_SIZE_ATTRIBUTE, cached)
    return cached


@dataclass
class QueueItem:
    post_type: str  # "question" or "answer"
    post: Question | Answer
    since: datetime
    open_flags: list[Flag] = field(default_factory=list)

    @property
    def question(self) -> Question:
        return self.post if isinstance(self.post, Question) else self.post.question

    @property
    def key(self) -> str:
        return f"{self.post_type}-{self.post.pk}"

    @property
    def title(self) -> str:
        return self.question.title


def moderation_queue_items(rows: Iterable[QueueRow]) -> list[QueueItem]:
    """The posts behind a page of `moderation_queue` rows, in the rows' order, with their open flags and reporters."""
    rows = list(rows)
    open_flags = Flag.objects.filter(resolved_at__isnull=True).select_related("reporter").order_by("created_at", "pk")
    # Author, category or question, and open flags with their reporters: four queries for the page, not per row.
    questions = Question.objects.select_related("author", "category").prefetch_related(
        Prefetch("flags", queryset=open_flags, to_attr=_OPEN_FLAGS_ATTRIBUTE)
    )
    answers = Answer.objects.select_related("author", "question").prefetch_related(
        Prefetch("flags", queryset=open_flags, to_attr=_OPEN_FLAGS_ATTRIBUTE)
    )
    posts: dict[str, Mapping[int, Question | Answer]] = {
        "question": questions.in_bulk([pk for post_type, pk, _since in rows if post_type == "question"]),
        "answer": answers.in_bulk([pk for post_type, pk, _since in rows if post_type == "answer"]),
    }
    items = []
    for post_type, pk, since in rows:
        post = posts[post_type].get(pk)
        if post is not None:  # deleted between the two queries
            flags: list[Flag] = getattr(post, _OPEN_FLAGS_ATTRIBUTE)
            items.append(QueueItem(post_type=post_type, post=post, since=since, open_flags=flags))
    return items


def moderation_log(*, limit: int = MODERATION_LOG_SIZE) -> QuerySet[ModerationAction]:
    """The latest moderation actions, by moderators and automatic ones, newest first."""
    # Each entry names its moderator and its question: joined, not fetched per row.
    return (
        ModerationAction.objects.select_related("actor", "question")
        .defer("question__body", "question__body_html")
        .order_by("-created_at", "-pk")[:limit]
    )
