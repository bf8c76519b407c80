"""Accepted answers (one per question, even in a race) and flags that hide a post pending review."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from articles.models import ProductVersion, Tag
from community import services
from community.models import Flag, MemberProfile, ModerationAction, ModerationKind, PostState, Question
from tests.accounts.factories import UserFactory
from tests.community.factories import AnswerFactory, QuestionFactory
from tests.concurrency import run_concurrently

pytestmark = pytest.mark.django_db


def test_the_asker_accepts_an_answer_and_its_author_gains_reputation():
    answer = AnswerFactory()

    question = services.answer_accept(answer=answer, by=answer.question.author)

    assert question.accepted_answer == answer
    assert services.member_reputation(answer.author) == 1 + services.REPUTATION_ACCEPTED


def test_accepting_another_answer_moves_the_reputation():
    first = AnswerFactory()
    second = AnswerFactory(question=first.question)
    asker = first.question.author

    services.answer_accept(answer=first, by=asker)
    services.answer_accept(answer=second, by=asker)

    assert Question.objects.get().accepted_answer == second
    assert services.member_reputation(first.author) == 1
    assert services.member_reputation(second.author) == 1 + services.REPUTATION_ACCEPTED


def test_only_the_asker_or_staff_accept(manager):
    answer = AnswerFactory()

    with pytest.raises(PermissionDenied):
        services.answer_accept(answer=answer, by=UserFactory())
    services.answer_accept(answer=answer, by=manager)

    assert Question.objects.get().accepted_answer == answer


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_racing_accepts_leave_one_accepted_answer_and_one_reward():
    question = QuestionFactory()
    answers = [AnswerFactory(question=question) for _ in range(6)]

    errors = run_concurrently(6, lambda n: services.answer_accept(answer=answers[n], by=question.author))

    assert errors == []
    accepted = Question.objects.get().accepted_answer
    assert accepted in answers
    rewarded = [a for a in answers if services.member_reputation(a.author) > 1]
    assert rewarded == [accepted]


def test_a_post_flagged_by_three_members_is_hidden_pending_review(settings):
    settings.KBPORTAL_FORUM_FLAGS_TO_HIDE = 3
    answer = AnswerFactory()
    Question.objects.filter(pk=answer.question_id).update(answer_count=1)
    reporters = [UserFactory() for _ in range(3)]

    for reporter in reporters[:2]:
        services.post_flag(post=answer, reporter=reporter, reason="spam")
    answer.refresh_from_db()
    assert answer.state == PostState.VISIBLE

    services.post_flag(post=answer, reporter=reporters[2], reason="offensive")
    answer.refresh_from_db()
    assert answer.state == PostState.HIDDEN
    assert Question.objects.get().answer_count == 0
    assert ModerationAction.objects.get().kind == ModerationKind.AUTO_HIDE


def test_flagging_twice_counts_once():
    question, reporter = QuestionFactory(), UserFactory()

    first = services.post_flag(post=question, reporter=reporter, reason="spam")
    again = services.post_flag(post=question, reporter=reporter, reason="other")

    assert first == again
    assert (Flag.objects.count(), Question.objects.get().flag_count) == (1, 1)


def test_nobody_flags_their_own_post():
    question = QuestionFactory()

    with pytest.raises(PermissionDenied):
        services.post_flag(post=question, reporter=question.author, reason="spam")


def test_moving_the_accept_away_from_the_askers_own_answer_takes_nothing_from_the_asker():
    question = QuestionFactory()
    own = AnswerFactory(question=question, author=question.author)
    other = AnswerFactory(question=question)

    services.answer_accept(answer=own, by=question.author)
    services.answer_accept(answer=other, by=question.author)

    assert services.member_reputation(question.author) == 1
    assert services.member_reputation(other.author) == 1 + services.REPUTATION_ACCEPTED


def test_a_post_already_hidden_or_held_cannot_be_flagged():
    for state in (PostState.HIDDEN, PostState.HELD):
        with pytest.raises(PermissionDenied):
            services.post_flag(post=QuestionFactory(state=state), reporter=UserFactory(), reason="spam")
    assert not Flag.objects.exists()


def test_a_question_closes_as_a_duplicate_only_of_a_visible_one(manager):
    hidden = QuestionFactory(state=PostState.HIDDEN)

    with pytest.raises(ValidationError):
        services.question_moderate(question=QuestionFactory(), by=manager, duplicate_of=hidden)


def test_a_moderator_reclassifies_a_question_and_each_change_is_logged(manager):
    question = QuestionFactory()
    version = ProductVersion.objects.create(name="4.2")
    tag = Tag.objects.create(name="sync", slug="sync")

    for _ in range(2):  # the second time changes nothing and logs nothing
        services.question_reclassify(question=question, by=manager, language="zh-hans", product_version=version,
                                     tags=[tag])  # fmt: skip
    services.question_reclassify(question=question, by=manager, product_version=None, reason="No version applies")

    question.refresh_from_db()
    assert (question.language, question.product_version, list(question.tags.all())) == ("zh-hans", None, [tag])
    assert list(ModerationAction.objects.order_by("pk").values_list("kind", "reason")) == [
        (ModerationKind.EDIT, "language: English → Simplified Chinese"),
        (ModerationKind.EDIT, "product version: — → 4.2"),
        (ModerationKind.EDIT, "tags: — → sync"),
        (ModerationKind.EDIT, "No version applies"),
    ]
    with pytest.raises(PermissionDenied):
        services.question_reclassify(question=question, by=question.author, language="en")


def test_a_moderator_corrects_only_the_counters_given(manager):
    profile = MemberProfile.objects.create(user=UserFactory(), reputation=40, approved_posts=2)

    services.member_profile_correct(profile=profile, by=manager, reputation=10)
    MemberProfile.objects.filter(pk=profile.pk).update(approved_posts=3)  # meanwhile, an approval

    profile.refresh_from_db()
    assert (profile.reputation, profile.approved_posts) == (10, 3)
    with pytest.raises(PermissionDenied):
        services.member_profile_correct(profile=profile, by=UserFactory(), reputation=1000)


def test_a_moderator_dismisses_the_flags_of_a_post_that_is_fine(manager):
    question = QuestionFactory()
    for reporter in UserFactory.create_batch(2):
        services.post_flag(post=question, reporter=reporter, reason="spam")

    assert services.post_dismiss_flags(post=question, by=manager, reason="Not spam") == 2

    question.refresh_from_db()
    assert question.flag_count == 0
    assert question.state == PostState.VISIBLE
    assert not Flag.objects.filter(resolved_at__isnull=True).exists()
    assert ModerationAction.objects.get(kind=ModerationKind.DISMISS_FLAGS).reason == "Not spam"
    with pytest.raises(PermissionDenied):
        services.post_dismiss_flags(post=question, by=UserFactory())


def test_approving_is_for_held_posts_and_does_not_restore_a_hidden_one(manager):
    hidden = QuestionFactory(state=PostState.HIDDEN)

    services.post_approve(post=hidden, by=manager)

    hidden.refresh_from_db()
    assert hidden.state == PostState.HIDDEN
    assert not ModerationAction.objects.exists()


def test_the_asker_takes_back_an_acceptance_and_the_reward_goes_with_it():
    answer = AnswerFactory()
    question = answer.question
    services.answer_accept(answer=answer, by=question.author)
    rewarded = MemberProfile.objects.get(user=answer.author).reputation

    with pytest.raises(PermissionDenied):
        services.answer_unaccept(answer=answer, by=UserFactory())
    services.answer_unaccept(answer=answer, by=question.author)
    services.answer_unaccept(answer=answer, by=question.author)  # again: nothing more to take

    question.refresh_from_db()
    assert question.accepted_answer is None
    assert MemberProfile.objects.get(user=answer.author).reputation == rewarded - services.REPUTATION_ACCEPTED
