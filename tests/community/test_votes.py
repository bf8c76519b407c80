"""Votes on questions and answers: one per member and post, changeable, never on one's own, exact under load."""

import pytest
from django.core.exceptions import PermissionDenied

from community import services
from community.models import Answer, MemberProfile, PostState, Question, Vote
from tests.accounts.factories import UserFactory
from tests.community.factories import AnswerFactory, QuestionFactory
from tests.concurrency import run_concurrently

pytestmark = pytest.mark.django_db


def _score(post) -> int:
    return type(post).objects.values_list("score", flat=True).get(pk=post.pk)


def _reputation(user) -> int:
    return services.member_reputation(user)


def _trusted(points: int = 100):
    user = UserFactory()
    MemberProfile.objects.create(user=user, reputation=points)
    return user


def test_an_up_vote_raises_the_score_and_the_authors_reputation():
    answer = AnswerFactory()

    score = services.post_vote(post=answer, voter=UserFactory(), value=1)

    assert score == _score(answer) == 1
    assert _reputation(answer.author) == 1 + services.REPUTATION_UP[Answer]


def test_voting_again_changes_the_vote_and_zero_takes_it_back():
    question, voter = QuestionFactory(), _trusted()

    services.post_vote(post=question, voter=voter, value=1)
    services.post_vote(post=question, voter=voter, value=-1)
    assert (_score(question), Vote.objects.count()) == (-1, 1)
    assert _reputation(question.author) == 1 + services.REPUTATION_DOWN

    services.post_vote(post=question, voter=voter, value=0)
    assert (_score(question), Vote.objects.count(), _reputation(question.author)) == (0, 0, 1)


def test_nobody_votes_on_their_own_post():
    question = QuestionFactory()

    with pytest.raises(PermissionDenied):
        services.post_vote(post=question, voter=question.author, value=1)
    assert _score(question) == 0


def test_voting_down_needs_reputation(settings):
    settings.KBPORTAL_FORUM_REPUTATION_TO_DOWNVOTE = 15
    answer = AnswerFactory()

    with pytest.raises(PermissionDenied):
        services.post_vote(post=answer, voter=_trusted(14), value=-1)
    services.post_vote(post=answer, voter=_trusted(15), value=-1)

    assert _score(answer) == -1


def test_hidden_posts_take_no_votes():
    question = QuestionFactory(state=PostState.HIDDEN)

    with pytest.raises(PermissionDenied):
        services.post_vote(post=question, voter=UserFactory(), value=1)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.parametrize("factory", [QuestionFactory, AnswerFactory], ids=["question", "answer"])
def test_a_hundred_concurrent_votes_are_all_counted(factory):
    post = factory()
    voters = [_trusted() for _ in range(100)]

    errors = run_concurrently(
        100, lambda n: services.post_vote(post=post, voter=voters[n], value=-1 if n % 4 else 1), threads=40
    )

    assert errors == []
    assert _score(post) == 25 - 75
    assert Vote.objects.count() == 100
    expected = 1 + 25 * services.REPUTATION_UP[type(post)] + 75 * services.REPUTATION_DOWN
    assert _reputation(post.author) == expected


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_one_members_concurrent_changes_leave_one_vote_and_a_matching_score():
    answer, voter = AnswerFactory(), _trusted()

    errors = run_concurrently(20, lambda n: services.post_vote(post=answer, voter=voter, value=1 if n % 2 else -1))

    assert errors == []
    vote = Vote.objects.get()
    assert _score(answer) == vote.value
    assert Question.objects.count() == 1
