"""Reads of the forum: the question lists and a question page, in constant queries."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Case, IntegerField, Prefetch, Q, QuerySet, Value, When

from .models import Answer, Comment, Follow, ForumCategory, ModerationAction, PostState, Question, Vote

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from articles.models import Tag
    from kbportal.accounts.models import User

LISTS = ("latest", "unanswered", "mine")


def question_list(
    *,
    user: User | AnonymousUser,
    which: str = "latest",
    category: ForumCategory | None = None,
    tag: Tag | None = None,
) -> QuerySet[Question]:
    """Visible questions, pinned first, newest activity first; "mine" also shows the member's held ones."""
    questions = Question.objects.filter(state=PostState.VISIBLE)
    if which == "mine":
        questions = Question.objects.filter(author_id=user.pk).exclude(state=PostState.HIDDEN)
    elif which == "unanswered":
        questions = questions.filter(answer_count=0, duplicate_of__isnull=True)
    if category is not None:
        questions = questions.filter(category=category)
    if tag is not None:
        questions = questions.filter(tags=tag)
    # The rows show the asker, the category and the tags: one query each, not one per row.
    return (
        questions.select_related("author", "category")
        .prefetch_related("tags")
        .order_by("-is_pinned", "-last_activity_at", "-pk")
    )


def question_page(*, pk: int, user: User | AnonymousUser, moderator: bool = False) -> Question | None:
    """A visible question (the asker's own held one; any, for a moderator) with its visible answers in display order.

    Accepted first, then verified, then by score, then oldest first; comments come prefetched.
    """
    visible_comments = Comment.objects.filter(state=PostState.VISIBLE).select_related("author")
    answers = (
        Answer.objects.filter(state=PostState.VISIBLE)
        .select_related("author")
        .prefetch_related(Prefetch("comments", queryset=visible_comments))
        .annotate(
            is_accepted=Case(
                When(accepted_for__isnull=False, then=Value(1)), default=Value(0), output_field=IntegerField()
            )
        )
        .order_by("-is_accepted", "-is_verified", "-score", "created_at", "pk")
    )
    question = (
        Question.objects.select_related(
            "author", "category", "product_version", "duplicate_of", "promoted_article", "escalated_ticket"
        )
        .prefetch_related(
            "tags", Prefetch("answers", queryset=answers), Prefetch("comments", queryset=visible_comments)
        )
        .filter(pk=pk)
        .first()
    )
    if question is None or moderator:
        return question
    if question.state == PostState.HIDDEN:
        return None
    if question.state == PostState.HELD and question.author_id != user.pk:
        return None
    return question


def votes_of(*, user: User, question: Question) -> dict[tuple[str, int], int]:
    """The member's votes on a question and its answers, in one query: {("question"|"answer", id): value}."""
    rows = Vote.objects.filter(voter=user).filter(Q(question=question) | Q(answer__question=question))
    return {
        ("question", question_id) if question_id else ("answer", answer_id): value
        for question_id, answer_id, value in rows.values_list("question_id", "answer_id", "value")
    }


def is_following(*, user: User, question: Question) -> bool:
    return Follow.objects.filter(user=user, question=question).exists()


def moderation_log(*, question: Question) -> QuerySet[ModerationAction]:
    """What moderators (and the automatic rules) did to a question and its answers, newest first."""
    return ModerationAction.objects.filter(question=question).select_related("actor")[:50]
