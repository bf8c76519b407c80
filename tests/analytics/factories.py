"""Records for the analytics tests, placed at chosen moments: the period's edges matter more than the content.

Tickets are opened through the service (`TicketFactory`), then given the facts a figure reads — timestamps, tier,
clock facts, tallies — directly: how those facts are computed is tested with the ticket services.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from community.models import PostState, Question
from kbportal.analytics.scope import Scope
from tests.community.factories import AnswerFactory, QuestionFactory
from tests.tickets.factories import TicketFactory
from tickets.models import SERVICE_DIMENSIONS, FollowUpCase, FollowUpStatus, SurveyResponse, Ticket

SHANGHAI = ZoneInfo("Asia/Shanghai")
# March 2025 as a viewer in Shanghai (UTC+8) sees it.
MARCH = Scope(since=date(2025, 3, 1), until=date(2025, 3, 31), tz=SHANGHAI)


def at(day: int, hour: int = 12, minute: int = 0, *, month: int = 3) -> datetime:
    """A moment of 2025 in Shanghai."""
    return datetime(2025, month, day, hour, minute, tzinfo=SHANGHAI)


def scope(**changes) -> Scope:
    return Scope(**{**MARCH.__dict__, **changes})


TICKET_CREATE_FIELDS = ("requester", "language", "product_version", "channel", "proposed_priority")


def ticket(**fields) -> Ticket:
    """A ticket created on 10 March unless told otherwise, with the given fields set after the service opened it."""
    create = {name: fields.pop(name) for name in TICKET_CREATE_FIELDS if name in fields}
    fields.setdefault("created_at", at(10))
    made = TicketFactory(**create)
    Ticket.objects.filter(pk=made.pk).update(**fields)
    made.refresh_from_db()
    return made


def response(
    *,
    when: datetime,
    csat: int = 4,
    ces: int = 2,
    nps: int | None = None,
    flagged: bool = False,
    ratings: dict[str, int] | None = None,
    service_index: str = "75.0",
    **ticket_fields,
) -> SurveyResponse:
    """A survey answer given at `when` on a ticket of its own (created the day before, with `ticket_fields`)."""
    ticket_fields.setdefault("created_at", when - timedelta(days=1))
    made = SurveyResponse.objects.create(
        ticket=ticket(**ticket_fields),
        csat=csat,
        ces=ces,
        nps=nps,
        flagged=flagged,
        service_index=Decimal(service_index),
        **dict.fromkeys(SERVICE_DIMENSIONS, 4) | (ratings or {}),
    )
    SurveyResponse.objects.filter(pk=made.pk).update(created_at=when)
    made.refresh_from_db()
    return made


def follow_up_case(*, when: datetime, closed: bool = False, **ticket_fields) -> FollowUpCase:
    ticket_fields.setdefault("created_at", when - timedelta(days=1))
    case = FollowUpCase.objects.create(
        ticket=ticket(**ticket_fields),
        trigger="CSAT 1",
        status=FollowUpStatus.CLOSED if closed else FollowUpStatus.OPEN,
        closed_at=when + timedelta(days=1) if closed else None,
    )
    FollowUpCase.objects.filter(pk=case.pk).update(opened_at=when)
    case.refresh_from_db()
    return case


def question(
    *, when: datetime, answers: tuple = (), accepted: int | None = None, escalated: bool = False, **fields
) -> Question:
    """A question asked at `when`; `answers` are (seconds after the question, state) pairs; `accepted` an index."""
    asked = QuestionFactory(created_at=when, **fields)
    given = [
        AnswerFactory(question=asked, created_at=when + timedelta(seconds=seconds), state=state)
        for seconds, state in answers
    ]
    changes = {"answer_count": sum(1 for _seconds, state in answers if state == PostState.VISIBLE)}
    if accepted is not None:
        changes["accepted_answer"] = given[accepted]
    if escalated:
        changes["escalated_ticket"] = ticket()
    Question.objects.filter(pk=asked.pk).update(**changes)
    asked.refresh_from_db()
    return asked
