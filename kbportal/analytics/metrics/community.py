"""Community: how many questions members ask, how many get answered, how fast, and how many end up as tickets."""

from __future__ import annotations

from dataclasses import replace

from django.db.models import Count, DurationField, Exists, ExpressionWrapper, F, Min, OuterRef, Q, QuerySet
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from community.models import Answer, PostState, Question

from ..links import metric_url
from ..registry import Breakdown, Column, Metric, Section, Table, Unit, duration_percentiles, register, share
from ..scope import Scope, memoized
from ..stats import percentile, round_half_up
from ..timebuckets import LocalDate

# A question has a language and a product version; its asker need not belong to an organisation.
QUESTION_FILTERS = frozenset({"language", "product_version"})
VISIBLE_ANSWER = Q(answers__state=PostState.VISIBLE)
HAS_VISIBLE_ANSWER = Exists(Answer.objects.filter(question=OuterRef("pk"), state=PostState.VISIBLE))
ACCEPTED = Q(accepted_answer__state=PostState.VISIBLE)
ESCALATED = Q(escalated_ticket__isnull=False)


def questions(scope: Scope) -> QuerySet[Question]:
    """Visible questions asked in the period under the filters (held and hidden ones are not part of the forum)."""
    return Question.objects.filter(
        Q(state=PostState.VISIBLE)
        & scope.between("created_at")
        & scope.filtered(language="language", product_version="product_version")
    )


def with_first_answer(scope: Scope) -> QuerySet[Question]:
    """The questions with the time of their first visible answer and the wait for it (None while unanswered).

    The wait is an aggregate per question, so percentiles over it sort every answered question of the period in the
    database (one GROUP BY, then ORDER BY … OFFSET): fine for a forum's volume, and still two queries at any size.
    """
    return questions(scope).annotate(
        first_answer_at=Min("answers__created_at", filter=VISIBLE_ANSWER),
        first_answer_wait=ExpressionWrapper(F("first_answer_at") - F("created_at"), output_field=DurationField()),
    )


@memoized
def _question_figures(scope: Scope) -> dict[str, int]:
    return questions(scope).aggregate(
        total=Count("pk"),
        answered=Count("pk", filter=Q(HAS_VISIBLE_ANSWER)),
        accepted=Count("pk", filter=ACCEPTED),
        escalated=Count("pk", filter=ESCALATED),
    )


def _per_day(scope: Scope) -> float:
    return round_half_up(questions(scope).count() / len(scope.days), 1)


def _wait(scope: Scope, fraction: float) -> float | None:
    wait = percentile(with_first_answer(scope), "first_answer_wait", fraction)
    return None if wait is None else wait.total_seconds()


def _ticket_link(question: Question) -> str:
    ticket = question.escalated_ticket
    return reverse("tickets:staff_detail", args=[ticket.reference]) if ticket else ""


QUESTION_COLUMNS = (
    Column(_("asked"), lambda question: question.created_at),
    Column(_("question"), lambda question: question.title, link=lambda question: question.get_absolute_url()),
    Column(_("language"), lambda question: question.get_language_display()),
    Column(_("answers"), lambda question: question.answer_count),
    Column(_("accepted answer"), lambda question: str(_("yes") if question.accepted_answer_id else _("no"))),
    Column(
        _("ticket"),
        lambda question: question.escalated_ticket.reference if question.escalated_ticket_id else "",
        link=_ticket_link,
    ),
)
WAIT_COLUMNS = (
    Column(_("asked"), lambda question: question.created_at),
    Column(_("question"), lambda question: question.title, link=lambda question: question.get_absolute_url()),
    Column(_("first answer"), lambda question: question.first_answer_at),
    Column(_("wait (seconds)"), lambda question: round(question.first_answer_wait.total_seconds())),
)


def _question_rows(scope: Scope) -> QuerySet[Question]:
    # The escalated ticket gives the last column its reference and link.
    return questions(scope).select_related("escalated_ticket").order_by("-created_at", "-pk")


def _answered_rows(scope: Scope) -> QuerySet[Question]:
    return with_first_answer(scope).filter(first_answer_at__isnull=False).order_by("-created_at", "-pk")


register(
    Metric(
        key="community_questions_per_day",
        section=Section.COMMUNITY,
        label=_("Questions per day"),
        formula=_(
            "Visible questions asked in the period ÷ days in the period, to one decimal (held and hidden questions "
            "are left out)."
        ),
        unit=Unit.SCORE,
        value=_per_day,
        filters=QUESTION_FILTERS,
        rows=_question_rows,
        columns=QUESTION_COLUMNS,
        higher_is_better=None,
    ),
    Metric(
        key="community_answer_rate",
        section=Section.COMMUNITY,
        label=_("Answer rate"),
        formula=_(
            "Visible questions asked in the period that have at least one visible answer by now ÷ those questions."
        ),
        unit=Unit.PERCENT,
        value=lambda scope: share(*(lambda f: (f["answered"], f["total"]))(_question_figures(scope))),
        filters=QUESTION_FILTERS,
        rows=lambda scope: _question_rows(scope).filter(HAS_VISIBLE_ANSWER),
        columns=QUESTION_COLUMNS,
    ),
    *duration_percentiles(
        key="community_first_answer",
        section=Section.COMMUNITY,
        label=_("Time to first answer"),
        what=_(
            "the wait from a question to its first visible answer, in calendar time, among the visible questions "
            "asked in the period that have been answered"
        ),
        value=_wait,
        filters=QUESTION_FILTERS,
        rows=_answered_rows,
        columns=WAIT_COLUMNS,
    ),
    Metric(
        key="community_accepted_rate",
        section=Section.COMMUNITY,
        label=_("Accepted answers"),
        formula=_("Visible questions asked in the period whose accepted answer is visible ÷ those questions."),
        unit=Unit.PERCENT,
        value=lambda scope: share(*(lambda f: (f["accepted"], f["total"]))(_question_figures(scope))),
        filters=QUESTION_FILTERS,
        rows=lambda scope: _question_rows(scope).filter(ACCEPTED),
        columns=QUESTION_COLUMNS,
    ),
    Metric(
        key="community_escalated",
        section=Section.COMMUNITY,
        label=_("Questions escalated to tickets"),
        formula=_("Visible questions asked in the period that staff have turned into a support ticket."),
        unit=Unit.COUNT,
        value=lambda scope: _question_figures(scope)["escalated"],
        filters=QUESTION_FILTERS,
        rows=lambda scope: _question_rows(scope).filter(ESCALATED),
        columns=QUESTION_COLUMNS,
        higher_is_better=None,
    ),
    Metric(
        key="community_escalated_share",
        section=Section.COMMUNITY,
        label=_("Share escalated to tickets"),
        formula=_("Visible questions asked in the period that were turned into a support ticket ÷ those questions."),
        unit=Unit.PERCENT,
        value=lambda scope: share(*(lambda f: (f["escalated"], f["total"]))(_question_figures(scope))),
        filters=QUESTION_FILTERS,
        rows=lambda scope: _question_rows(scope).filter(ESCALATED),
        columns=QUESTION_COLUMNS,
        higher_is_better=None,
    ),
)


# --- Breakdowns ------------------------------------------------------------------------------------


def _questions_by_day(scope: Scope) -> Table:
    counts = dict(
        questions(scope)
        .annotate(day=LocalDate("created_at", scope))
        .values("day")
        .annotate(total=Count("pk"))
        .values_list("day", "total")
    )
    rows = [(day.isoformat(), [counts.get(day, 0)]) for day in scope.days]
    links = [metric_url("community_questions_per_day", replace(scope, since=day, until=day)) for day in scope.days]
    return Table(columns=[_("questions")], rows=rows, links=links)


register(
    Breakdown(
        key="community_questions_by_day",
        section=Section.COMMUNITY,
        title=_("Questions by day"),
        help=_("Visible questions asked each day of the period, in your time zone."),
        unit=Unit.COUNT,
        chart="bars",
        table=_questions_by_day,
        filters=QUESTION_FILTERS,
    ),
)
