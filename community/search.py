"""What the forum puts in the search index: visible questions, with their visible answers."""

from __future__ import annotations

from django.db.models import Prefetch
from django.utils.translation import gettext_lazy as _

from articles.search import plain_text
from kbportal.search.registry import IndexedItem, SearchSource, register

from .models import Answer, PostState, Question


def describe_question(question: Question) -> IndexedItem:
    answers = [plain_text(answer.body_html) for answer in question.answers.all()]
    accepted = question.accepted_answer_id is not None
    return IndexedItem(
        object_id=question.pk,
        language=question.language,
        title=question.title,
        body="\n".join([plain_text(question.body_html), *answers]),
        url=question.get_absolute_url(),
        updated_at=question.last_activity_at,
        product_versions=(question.product_version.name,) if question.product_version_id else (),
        # An accepted answer is the forum's "this helped"; a score counts a little.
        boost=max(-1.0, min(1.0, 0.5 * accepted + question.score / 20)),
    )


def _findable():
    visible_answers = Answer.objects.filter(state=PostState.VISIBLE).order_by("-score", "created_at")
    return (
        Question.objects.filter(state=PostState.VISIBLE)
        .select_related("product_version")
        .prefetch_related(Prefetch("answers", queryset=visible_answers))
    )


def register_sources() -> None:
    register(
        SearchSource(
            kind="question",
            label=lambda: _("Community answer"),
            model=Question,
            findable=_findable,
            describe=describe_question,
            dependents={Answer: lambda answer: [answer.question_id]},
        )
    )
