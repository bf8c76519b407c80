"""The question lists and page, their query counts, and the forum in the unified search."""

import pytest
from django.urls import reverse

from community import services
from community.models import PostState
from kbportal.accounts.roles import Role
from kbportal.search import service as search
from tests.accounts.factories import StaffFactory, UserFactory
from tests.community.factories import AnswerFactory, ForumCategoryFactory, QuestionFactory
from tests.queries import page_queries

pytestmark = pytest.mark.django_db


def test_the_question_page_shows_answers_accepted_then_verified_then_by_score(client):
    question = QuestionFactory()
    popular = AnswerFactory(question=question, score=9, body="Popular answer text.")
    verified = AnswerFactory(question=question, is_verified=True, body="Verified answer text.")
    accepted = AnswerFactory(question=question, body="Accepted answer text.")
    AnswerFactory(question=question, state=PostState.HIDDEN, body="Hidden spam text.")
    services.answer_accept(answer=accepted, by=question.author)

    html = client.get(question.get_absolute_url()).content.decode()

    assert html.index(accepted.body) < html.index(verified.body) < html.index(popular.body)
    assert "Hidden spam text." not in html


def test_hidden_and_held_questions_are_not_shown_to_others(client):
    hidden, held = QuestionFactory(state=PostState.HIDDEN), QuestionFactory(state=PostState.HELD)

    assert client.get(hidden.get_absolute_url()).status_code == 404
    assert client.get(held.get_absolute_url()).status_code == 404
    client.force_login(held.author)
    assert client.get(held.get_absolute_url()).status_code == 200
    assert held.title not in client.get(reverse("community:questions")).content.decode()


def test_the_unanswered_list_holds_only_questions_without_answers(client):
    QuestionFactory(title="Answered one", answer_count=1)
    QuestionFactory(title="Still open one")

    html = client.get(reverse("community:questions"), {"list": "unanswered"}).content.decode()

    assert "Still open one" in html
    assert "Answered one" not in html


def test_question_page_queries_are_the_same_with_5_and_100_answers(client):
    question = QuestionFactory()
    for _ in range(5):
        AnswerFactory(question=question)
    few = page_queries(client, question.get_absolute_url())
    for _ in range(95):
        AnswerFactory(question=question)

    assert page_queries(client, question.get_absolute_url()) == few


def test_question_list_queries_do_not_grow_with_questions(client):
    category = ForumCategoryFactory()
    for _ in range(3):
        QuestionFactory(category=category)
    few = page_queries(client, reverse("community:questions"))
    for _ in range(17):
        QuestionFactory(category=ForumCategoryFactory())

    assert page_queries(client, reverse("community:questions")) == few


def test_a_new_answer_is_found_by_search_and_a_hidden_one_is_not(django_capture_on_commit_callbacks, settings):
    settings.KBPORTAL_FORUM_HOLD_FIRST_POSTS = 0
    moderator = StaffFactory(role=Role.MODERATOR)
    with django_capture_on_commit_callbacks(execute=True):
        question = QuestionFactory(title="Printer keeps going offline")
        answer = services.answer_post(question=question, author=UserFactory(), body="Reinstall the zebrafish driver.")

    hit = search.search("zebrafish").hits[0]
    assert (hit.kind, hit.object_id, hit.url) == ("question", question.pk, question.get_absolute_url())

    with django_capture_on_commit_callbacks(execute=True):
        services.post_hide(post=answer, by=moderator, reason="Wrong driver")
    assert search.search("zebrafish").hits == []
    assert search.search("printer offline").hits[0].object_id == question.pk
