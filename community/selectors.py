"""Reads of the forum: the question lists and a question page, in constant queries."""

from __future__ import annotations

from django.db.models import Case, IntegerField, Prefetch, QuerySet, Value, When

from .models import Answer, Comment, PostState, Question

LISTS = ("latest", "unanswered", "mine")


def question_list(*, user, which: str = "latest", category=None, tag=None) -> QuerySet[Question]:
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


def question_page(*, pk: int, user) -> Question | None:
    """A visible question (or the asker's own held one) with its visible answers in display order.

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
        Question.objects.select_related("author", "category", "product_version", "duplicate_of")
        .prefetch_related(
            "tags", Prefetch("answers", queryset=answers), Prefetch("comments", queryset=visible_comments)
        )
        .filter(pk=pk)
        .first()
    )
    if question is None or question.state == PostState.HIDDEN:
        return None
    if question.state == PostState.HELD and question.author_id != user.pk:
        return None
    return question
