"""Surveys on resolved tickets: who may answer, once, the service index, NPS spacing, low scores followed up."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from kbportal.accounts.roles import Role
from tests.accounts.factories import StaffFactory, UserFactory
from tests.tickets.factories import TicketFactory
from tickets import services, surveys
from tickets.models import FollowUpCase, FollowUpStageKind, SurveyResponse

pytestmark = pytest.mark.django_db

GOOD = surveys.SurveyAnswers(
    csat=5, ratings=dict.fromkeys(("response_speed", "resolution", "expertise", "attitude", "follow_up"), 5), ces=1,
    nps=10, comment="Great",
)  # fmt: skip


def _answers(**changes) -> surveys.SurveyAnswers:
    return surveys.SurveyAnswers(**{**GOOD.__dict__, **changes})


@pytest.fixture
def resolved(agent1, customer):
    ticket = TicketFactory(requester=customer)
    services.ticket_resolve(ticket=ticket, by=agent1)
    return ticket


@pytest.mark.parametrize(
    ("ratings", "expected"),
    [
        ({"response_speed": 5, "resolution": 5, "expertise": 5, "attitude": 5, "follow_up": 5}, "100.0"),
        ({"response_speed": 1, "resolution": 1, "expertise": 1, "attitude": 1, "follow_up": 1}, "0.0"),
        ({"response_speed": 3, "resolution": 3, "expertise": 3, "attitude": 3, "follow_up": 3}, "50.0"),
        # 25·100 + 30·0 + 20·50 + 15·75 + 10·25 = 4875 → 48.75 → 48.8
        ({"response_speed": 5, "resolution": 1, "expertise": 3, "attitude": 4, "follow_up": 2}, "48.8"),
    ],
    ids=["all-5", "all-1", "all-3", "mixed"],
)
def test_the_service_index_weights_the_five_ratings(ratings, expected):
    weights = {"response_speed": 25, "resolution": 30, "expertise": 20, "attitude": 15, "follow_up": 10}

    assert surveys.service_index(ratings, weights) == Decimal(expected)


def test_only_the_requester_answers_and_only_once_resolved(customer, agent1):
    ticket = TicketFactory(requester=customer)
    with pytest.raises(ValidationError):
        surveys.survey_submit(ticket=ticket, respondent=customer, answers=GOOD)
    services.ticket_resolve(ticket=ticket, by=agent1)

    with pytest.raises(ValidationError):
        surveys.survey_submit(ticket=ticket, respondent=UserFactory(), answers=GOOD)
    response = surveys.survey_submit(ticket=ticket, respondent=customer, answers=GOOD)

    assert response.service_index == Decimal("100.0")


def test_one_response_per_ticket_editable_for_seven_days(resolved, customer):
    surveys.survey_submit(ticket=resolved, respondent=customer, answers=GOOD)
    surveys.survey_submit(ticket=resolved, respondent=customer, answers=_answers(csat=4))
    assert SurveyResponse.objects.get().csat == 4

    SurveyResponse.objects.update(created_at=timezone.now() - timedelta(days=8))
    with pytest.raises(ValidationError, match="7 days"):
        surveys.survey_submit(ticket=resolved, respondent=customer, answers=_answers(csat=1))
    assert SurveyResponse.objects.count() == 1


def test_nps_is_asked_at_most_once_every_90_days(customer, agent1):
    first, second = TicketFactory(requester=customer), TicketFactory(requester=customer)
    for ticket in (first, second):
        services.ticket_resolve(ticket=ticket, by=agent1)

    surveys.survey_submit(ticket=first, respondent=customer, answers=GOOD)
    assert not surveys.nps_due(second)
    later = surveys.survey_submit(ticket=second, respondent=customer, answers=GOOD)

    assert later.nps is None
    SurveyResponse.objects.filter(ticket=first).update(created_at=timezone.now() - timedelta(days=91))
    assert surveys.nps_due(second)


@pytest.mark.parametrize(
    ("answers", "opens"),
    [
        (_answers(csat=2), True),
        (_answers(csat=1, comment=""), True),
        (_answers(csat=3, nps=5, comment="Too slow"), True),
        (_answers(csat=3, nps=5, comment=""), False),
        (_answers(csat=3, nps=7, comment="Meh"), False),
        (_answers(csat=5), False),
    ],
    ids=["csat-2", "csat-1", "detractor-with-comment", "detractor-silent", "passive", "happy"],
)
def test_low_scores_open_a_three_stage_follow_up(resolved, customer, answers, opens):
    manager = StaffFactory(username="boss", role=Role.SUPPORT_MANAGER)

    surveys.survey_submit(ticket=resolved, respondent=customer, answers=answers)

    case = FollowUpCase.objects.filter(ticket=resolved).first()
    assert (case is not None) is opens
    if opens:
        stages = {stage.kind: stage for stage in case.stages.all()}
        assert set(stages) == set(FollowUpStageKind.values)
        assert all(stage.owner == manager for stage in stages.values())
        assert stages[FollowUpStageKind.REMEDY].due_date < stages[FollowUpStageKind.IMPROVEMENT].due_date


def test_a_case_closes_when_its_last_stage_is_done(resolved, customer):
    surveys.survey_submit(ticket=resolved, respondent=customer, answers=_answers(csat=1))
    case = FollowUpCase.objects.get()
    manager = StaffFactory(username="boss", role=Role.SUPPORT_MANAGER)

    with pytest.raises(ValidationError):
        surveys.follow_up_stage_complete(stage=case.stages.first(), note=" ", by=manager)
    for stage in case.stages.all():
        surveys.follow_up_stage_complete(stage=stage, note="Called the customer", by=manager)

    case.refresh_from_db()
    assert case.status == "closed"


def test_a_burst_of_answers_from_one_address_is_flagged(agent1, settings):
    settings.KBPORTAL_SURVEY_BURST_LIMIT = 3
    responses = []
    for _ in range(4):
        ticket = TicketFactory(requester=UserFactory())
        services.ticket_resolve(ticket=ticket, by=agent1)
        responses.append(surveys.survey_submit(ticket=ticket, respondent=ticket.requester, answers=GOOD,
                                               address="203.0.113.9"))  # fmt: skip

    assert [r.flagged for r in responses] == [False, False, True, True]


def test_the_signed_link_works_once_without_signing_in(client, resolved):
    url = reverse("tickets:survey_link", args=[surveys.survey_token(resolved)])
    form = {"csat": 4, "response_speed": 4, "resolution": 4, "expertise": 5, "attitude": 5, "follow_up": 3, "ces": 2,
            "nps": 9, "comment": "Thanks"}  # fmt: skip

    assert client.get(url).status_code == 200
    done = client.post(url, form)
    again = client.get(url)

    assert "Thank you" in done.content.decode()
    assert again.status_code == 410
    assert SurveyResponse.objects.get().respondent is None


def test_a_tampered_link_is_refused(client, resolved):
    token = surveys.survey_token(resolved)

    assert client.get(reverse("tickets:survey_link", args=[token[:-2] + "xx"])).status_code == 410


def test_the_ticket_page_shows_the_survey_to_the_requester(customer_client, resolved):
    page = customer_client.get(resolved.get_absolute_url()).content.decode()

    assert "How did we do?" in page
    assert "lower is better" in page.lower()
