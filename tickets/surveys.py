"""Satisfaction surveys on resolved tickets, and the follow-up cases their low scores open."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.contrib.auth.models import Group
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from kbportal.accounts.models import User
from kbportal.accounts.roles import Role

from .models import (
    SERVICE_DIMENSIONS,
    FollowUpCase,
    FollowUpStage,
    FollowUpStageKind,
    FollowUpStatus,
    ServiceIndexWeights,
    Status,
    SurveyResponse,
    Ticket,
)

_TOKEN_SALT = "tickets.survey"  # noqa: S105 - a signing namespace, not a secret
# Days after which each follow-up stage is due, counted from the low score.
STAGE_DUE_DAYS = {FollowUpStageKind.REMEDY: 1, FollowUpStageKind.REVIEW: 7, FollowUpStageKind.IMPROVEMENT: 30}


# --- The link in the resolution e-mail ------------------------------------------------------------------


def survey_token(ticket: Ticket) -> str:
    return signing.dumps({"ticket": ticket.pk}, salt=_TOKEN_SALT, compress=True)


def survey_url(ticket: Ticket) -> str:
    return f"{settings.SITE_URL}{reverse('tickets:survey_link', kwargs={'token': survey_token(ticket)})}"


def ticket_from_survey_token(token: str) -> Ticket | None:
    """The ticket a survey link belongs to, while the link is valid and unused; else None."""
    try:
        data = signing.loads(token, salt=_TOKEN_SALT, max_age=timedelta(days=settings.KBPORTAL_SURVEY_LINK_DAYS))
    except signing.BadSignature:
        return None
    ticket = Ticket.objects.filter(pk=data.get("ticket")).first()
    if ticket is None or SurveyResponse.objects.filter(ticket=ticket).exists():
        return None  # one use: once answered, the link is spent
    return ticket


# --- Scores ---------------------------------------------------------------------------------------------


def service_index(ratings: dict[str, int], weights: dict[str, int]) -> Decimal:
    """The weighted service index, 0–100: each 1–5 rating maps to 0–100, weighted by percentage."""
    total = sum(weights.values())
    if total <= 0:
        raise ValueError("weights must add up to more than zero")
    score = sum(Decimal(weights[name]) * Decimal(ratings[name] - 1) * 25 for name in SERVICE_DIMENSIONS) / total
    return score.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def current_weights() -> dict[str, int]:
    weights = ServiceIndexWeights.objects.first() or ServiceIndexWeights()
    return weights.as_dict()


def nps_due(ticket: Ticket, now=None) -> bool:
    """NPS is asked at most once per customer every 90 days (by account, or by e-mail for guests)."""
    since = (now or timezone.now()) - timedelta(days=settings.KBPORTAL_NPS_INTERVAL_DAYS)
    same_customer = (
        Q(ticket__requester=ticket.requester)
        if ticket.requester_id
        else Q(ticket__requester_email=ticket.requester_email)
    )
    return (
        not SurveyResponse.objects.filter(same_customer, nps__isnull=False, created_at__gte=since)
        .exclude(ticket=ticket)
        .exists()
    )


def is_low_score(response: SurveyResponse) -> bool:
    detractor_with_comment = response.nps is not None and response.nps <= 6 and bool(response.comment.strip())
    return response.csat <= 2 or detractor_with_comment


def address_fingerprint(address: str) -> str:
    """A keyed hash of the client address: enough to spot bursts, useless for finding the person."""
    return hashlib.sha256(f"{settings.SECRET_KEY}:{address}".encode()).hexdigest() if address else ""


# --- Answering -----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SurveyAnswers:
    csat: int
    ratings: dict[str, int]
    ces: int
    nps: int | None = None
    comment: str = ""


def can_answer_survey(*, ticket: Ticket, user) -> bool:
    """Only the requester answers, and only on a resolved or closed ticket."""
    if ticket.status not in (Status.RESOLVED, Status.CLOSED):
        return False
    return user.is_authenticated and ticket.requester_id == user.pk


@transaction.atomic
def survey_submit(
    *, ticket: Ticket, respondent: User | None, answers: SurveyAnswers, address: str = "", via_link: bool = False
) -> SurveyResponse:
    """Record the requester's survey: one per ticket, editable for a few days; a low score opens a follow-up.

    Call with `via_link=True` when the caller checked a signed survey link instead of a signed-in requester.
    """
    ticket = Ticket.objects.select_for_update().get(pk=ticket.pk)
    if not via_link and not can_answer_survey(ticket=ticket, user=respondent):
        raise ValidationError(_("Only the person who opened this request can answer its survey, once it is resolved."))
    if ticket.status not in (Status.RESOLVED, Status.CLOSED):
        raise ValidationError(_("The survey opens once the request is resolved."))
    _validate(answers)
    existing = SurveyResponse.objects.filter(ticket=ticket).first()
    if existing is not None and timezone.now() - existing.created_at > timedelta(
        days=settings.KBPORTAL_SURVEY_EDIT_DAYS
    ):
        raise ValidationError(_("Survey answers can be changed for %(days)d days; this one is closed.")
                              % {"days": settings.KBPORTAL_SURVEY_EDIT_DAYS})  # fmt: skip
    nps = answers.nps if (existing and existing.nps is not None) or nps_due(ticket) else None
    response = existing or SurveyResponse(ticket=ticket)
    response.respondent = respondent if respondent and respondent.is_authenticated else None
    response.csat, response.ces, response.nps, response.comment = answers.csat, answers.ces, nps, answers.comment
    for name in SERVICE_DIMENSIONS:
        setattr(response, name, answers.ratings[name])
    response.service_index = service_index(answers.ratings, current_weights())
    if existing is None:
        response.address_hash = address_fingerprint(address)
        response.flagged = _part_of_burst(response.address_hash)
    try:
        with transaction.atomic():
            response.save()
    except IntegrityError as error:  # a concurrent first answer for the same ticket won
        raise ValidationError(
            _("This survey was just answered. Reload the page to see or change the answer.")
        ) from error
    if is_low_score(response):
        follow_up_open(response=response)
    return response


def _validate(answers: SurveyAnswers) -> None:
    errors = {}
    for name, value, low, high in [("csat", answers.csat, 1, 5), ("ces", answers.ces, 1, 5)] + [
        (dimension, answers.ratings.get(dimension), 1, 5) for dimension in SERVICE_DIMENSIONS
    ]:
        if not isinstance(value, int) or not low <= value <= high:
            errors[name] = _("Choose a score from %(low)d to %(high)d.") % {"low": low, "high": high}
    if answers.nps is not None and not (isinstance(answers.nps, int) and 0 <= answers.nps <= 10):
        errors["nps"] = _("Choose a score from %(low)d to %(high)d.") % {"low": 0, "high": 10}
    if errors:
        raise ValidationError(errors)


def _part_of_burst(address_hash: str) -> bool:
    if not address_hash:
        return False
    since = timezone.now() - timedelta(hours=1)
    recent = SurveyResponse.objects.filter(address_hash=address_hash, created_at__gte=since).count()
    return recent + 1 >= settings.KBPORTAL_SURVEY_BURST_LIMIT


# --- The closed loop ---------------------------------------------------------------------------------------


def _least_busy_manager() -> User | None:
    group = Group.objects.filter(name=str(Role.SUPPORT_MANAGER)).first()
    if group is None:
        return None
    return (
        group.user_set.filter(is_active=True)
        .annotate(open_stages=Count("follow_up_stages", filter=Q(follow_up_stages__done_at__isnull=True)))
        .order_by("open_stages", "pk")
        .first()
    )


def _trigger(response: SurveyResponse) -> str:
    if response.csat <= 2:
        return _("CSAT %(score)d") % {"score": response.csat}
    return _("NPS detractor (%(score)d) with a comment") % {"score": response.nps}


@transaction.atomic
def follow_up_open(*, response: SurveyResponse) -> FollowUpCase:
    """Open (once per ticket) the three-stage follow-up for a low score, owned by a support manager."""
    case, created = FollowUpCase.objects.get_or_create(ticket=response.ticket, defaults={"trigger": _trigger(response)})
    if created:
        owner, today = _least_busy_manager(), timezone.localdate()
        FollowUpStage.objects.bulk_create(
            FollowUpStage(case=case, kind=kind, owner=owner, due_date=today + timedelta(days=days))
            for kind, days in STAGE_DUE_DAYS.items()
        )
    return case


@transaction.atomic
def follow_up_stage_complete(*, stage: FollowUpStage, note: str, by: User) -> FollowUpStage:
    """Mark a stage done with a note; the case closes when its last stage is done."""
    if not note.strip():
        raise ValidationError({"note": _("Write what was done before closing the stage.")})
    stage.note, stage.done_at = note, timezone.now()
    stage.save(update_fields=["note", "done_at"])
    case = stage.case
    if not case.stages.filter(done_at__isnull=True).exists():
        case.status, case.closed_at = FollowUpStatus.CLOSED, timezone.now()
        case.save(update_fields=["status", "closed_at"])
    return stage
