"""Surveys on resolved tickets: who may answer, once, the service index, NPS spacing, low scores followed up."""

from datetime import timedelta
from decimal import Decimal
from html.parser import HTMLParser

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


class SurveyOutline(HTMLParser):
    """What a screen reader groups: each fieldset's legend, its radios, and what every radio's labels say."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.fieldsets: list[dict] = []
        self.stray_radios: list[str] = []
        self.labels: dict[str, list[str]] = {}  # radio id -> the text of every <label for> naming it
        self._open: list[str] = []  # "fieldset", "legend" or a label's "for"
        self._text: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "fieldset":
            self.fieldsets.append({"legend": "", "radios": [], "checked": []})
            self._open.append("fieldset")
        elif tag == "legend":
            self._open.append("legend")
            self._text = []
        elif tag == "label":
            self._open.append("label:" + attrs.get("for", ""))
            self._text = []
        elif tag == "input" and attrs.get("type") == "radio":
            if "fieldset" not in self._open:
                self.stray_radios.append(attrs["name"])
                return
            self.fieldsets[-1]["radios"].append((attrs["name"], attrs["value"], attrs["id"]))
            if "checked" in attrs:
                self.fieldsets[-1]["checked"].append(attrs["value"])

    def handle_endtag(self, tag):
        if tag in ("fieldset", "legend", "label") and self._open:
            opened = self._open.pop()
            text = " ".join("".join(self._text).split())
            if opened == "legend":
                self.fieldsets[-1]["legend"] = text
            elif opened.startswith("label:"):
                self.labels.setdefault(opened[len("label:") :], []).append(text)

    def handle_data(self, data):
        self._text.append(data)


def _outline(html: str) -> SurveyOutline:
    outline = SurveyOutline()
    outline.feed(html)
    return outline


QUESTIONS = [
    ("Overall, how satisfied are you with the support you got?", "csat", "1", "5", "Very dissatisfied",
     "Very satisfied"),
    ("Response speed", "response_speed", "1", "5", "Very dissatisfied", "Very satisfied"),
    ("Resolution of your problem", "resolution", "1", "5", "Very dissatisfied", "Very satisfied"),
    ("Expertise of the agent", "expertise", "1", "5", "Very dissatisfied", "Very satisfied"),
    ("Attitude and courtesy", "attitude", "1", "5", "Very dissatisfied", "Very satisfied"),
    ("Keeping you informed", "follow_up", "1", "5", "Very dissatisfied", "Very satisfied"),
    ("How much effort did it take to get your problem solved?", "ces", "1", "5", "Very little effort",
     "A great deal of effort"),
    ("How likely are you to recommend HelloWorld to a friend or colleague? (optional)", "nps", "0", "10",
     "Not at all likely", "Extremely likely"),
]  # fmt: skip


@pytest.mark.parametrize("page", ["signed-link", "ticket-page"])
def test_each_question_is_a_fieldset_with_its_scale_in_one_row_of_labelled_radios(page, client, customer, resolved):
    """Issue 13, defect 10: a question per group, named by its legend; both ends of the scale named in words."""
    if page == "signed-link":
        url = reverse("tickets:survey_link", args=[surveys.survey_token(resolved)])
    else:
        client.force_login(customer)
        url = resolved.get_absolute_url()
    html = client.get(url).content.decode()
    outline = _outline(html)

    assert outline.stray_radios == []
    assert len(outline.fieldsets) == len(QUESTIONS)
    for fieldset, (legend, name, low, high, low_words, high_words) in zip(outline.fieldsets, QUESTIONS, strict=True):
        assert fieldset["legend"] == legend
        names = {radio_name for radio_name, _value, _id in fieldset["radios"]}
        values = [value for _name, value, _id in fieldset["radios"]]
        assert names == {name}
        assert values == [str(n) for n in range(int(low), int(high) + 1)]
        first_id, last_id = fieldset["radios"][0][2], fieldset["radios"][-1][2]
        assert outline.labels[first_id] == [low, low_words]  # "1 Very dissatisfied", and clicking the words chooses 1
        assert outline.labels[last_id] == [high, high_words]
        for _name, value, radio_id in fieldset["radios"][1:-1]:
            assert outline.labels[radio_id] == [value]
    assert 'class="scale-options scale-options-5"' in html
    assert 'class="scale-options scale-options-11"' in html


def test_a_survey_sent_incomplete_keeps_the_scores_chosen_and_says_which_question_needs_one(client, resolved):
    url = reverse("tickets:survey_link", args=[surveys.survey_token(resolved)])
    partial = {"csat": 2, "response_speed": 4, "resolution": 4, "expertise": 5, "attitude": 5, "ces": 3, "nps": 7,
               "comment": "The reply took a while"}  # fmt: skip

    response = client.post(url, partial)
    html = response.content.decode()
    outline = _outline(html)

    assert not SurveyResponse.objects.exists()
    checked = {fieldset["radios"][0][0]: fieldset["checked"] for fieldset in outline.fieldsets}
    assert checked == {"csat": ["2"], "response_speed": ["4"], "resolution": ["4"], "expertise": ["5"],
                       "attitude": ["5"], "follow_up": [], "ces": ["3"], "nps": ["7"]}  # fmt: skip
    assert "The reply took a while" in html
    follow_up = html[html.index('<fieldset class="scale-question field-error" aria-describedby="id_follow_up_error"') :]
    assert follow_up.index("Choose a score.") < follow_up.index("</fieldset>")
    assert html.count("field-error") == 1
