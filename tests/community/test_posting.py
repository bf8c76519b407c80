"""Asking, answering and commenting: rendering, held first posts, rate limits, links, closed questions."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from community import services
from community.models import Answer, Follow, MemberProfile, PostState, Question
from kbportal.accounts.roles import Role
from tests.accounts.factories import StaffFactory, UserFactory
from tests.community.factories import ForumCategoryFactory, QuestionFactory

pytestmark = pytest.mark.django_db

BODY = "The desktop client stops syncing at 90% every time."


@pytest.fixture(autouse=True)
def _no_holding(settings):
    settings.KBPORTAL_FORUM_HOLD_FIRST_POSTS = 0


@pytest.fixture
def moderator(db):
    return StaffFactory(username="moderator", role=Role.MODERATOR)


def _veteran(reputation: int = 1):
    user = UserFactory()
    user.date_joined = timezone.now() - timedelta(days=365)
    user.save(update_fields=["date_joined"])
    MemberProfile.objects.create(user=user, reputation=reputation)
    return user


def _ask(author, **fields):
    values = {"category": ForumCategoryFactory(), "title": "Sync stops at 90%", "body": BODY, "language": "en"}
    return services.question_ask(author=author, **{**values, **fields})


def test_a_question_is_rendered_sanitized_and_followed_by_its_asker():
    asker = _veteran()

    question = _ask(asker, body="Sync **stops** <script>alert(1)</script> [x](javascript:alert(1)) now.")

    assert "<strong>stops</strong>" in question.body_html
    assert "<script" not in question.body_html
    assert 'href="javascript' not in question.body_html
    assert Follow.objects.filter(question=question, user=asker).exists()


def test_too_short_fields_are_refused_with_field_errors():
    with pytest.raises(ValidationError) as error:
        _ask(_veteran(), title="Help", body="Broken")

    assert set(error.value.message_dict) == {"title", "body"}
    assert not Question.objects.exists()


def test_only_staff_ask_in_a_staff_only_category(manager):
    category = ForumCategoryFactory(staff_only=True)

    with pytest.raises(ValidationError):
        _ask(_veteran(), category=category)
    assert _ask(manager, category=category).is_visible


def test_a_members_first_post_waits_for_a_moderator_then_the_next_goes_straight_up(settings, moderator):
    settings.KBPORTAL_FORUM_HOLD_FIRST_POSTS = 1
    member = _veteran()

    first = _ask(member)
    assert first.state == PostState.HELD
    services.post_approve(post=first, by=moderator)

    assert _ask(member).state == PostState.VISIBLE


def test_new_accounts_are_limited_to_a_number_of_posts_an_hour(settings):
    settings.KBPORTAL_FORUM_NEW_ACCOUNT_POSTS_PER_HOUR = 2
    newcomer, veteran = UserFactory(), _veteran()
    question = _ask(veteran)

    services.answer_post(question=question, author=newcomer, body=BODY)
    services.comment_add(post=question, author=newcomer, body="Same here.")
    with pytest.raises(ValidationError):
        services.answer_post(question=question, author=newcomer, body=BODY + " Another try.")

    for number in range(3):
        services.comment_add(post=question, author=veteran, body=f"Still happening ({number}).")


def test_the_same_post_sent_twice_is_posted_once():
    veteran = _veteran()
    question = _ask(veteran)
    assert _ask(veteran) == question  # a double submit of the question

    helper = _veteran()
    first = services.answer_post(question=question, author=helper, body=BODY)
    assert services.answer_post(question=question, author=helper, body=BODY) == first
    comment = services.comment_add(post=first, author=veteran, body="Thanks!")
    assert services.comment_add(post=first, author=veteran, body="Thanks!") == comment
    assert (Question.objects.count(), Answer.objects.count(), first.comments.count()) == (1, 1, 1)


def test_links_need_reputation(settings):
    settings.KBPORTAL_FORUM_MAX_LINKS_UNTRUSTED, settings.KBPORTAL_FORUM_REPUTATION_FOR_LINKS = 1, 10
    spammy = "Buy here https://a.example and https://b.example today."

    with pytest.raises(ValidationError) as error:
        _ask(_veteran(reputation=9), body=spammy)
    assert "body" in error.value.message_dict
    assert _ask(_veteran(reputation=10), body=spammy).is_visible
    assert _ask(_veteran(reputation=1), body="See https://docs.example for the steps.").is_visible


def test_an_answer_counts_on_its_question_and_locked_or_duplicate_questions_take_none(moderator):
    question = QuestionFactory()

    services.answer_post(question=question, author=_veteran(), body=BODY)
    assert Question.objects.get().answer_count == 1

    services.question_moderate(question=question, by=moderator, locked=True, reason="Solved in 4.2")
    with pytest.raises(PermissionDenied):
        services.answer_post(question=question, author=_veteran(), body=BODY)


def test_hiding_and_restoring_an_answer_moves_the_answer_count_and_is_logged(moderator):
    answer = services.answer_post(question=QuestionFactory(), author=_veteran(), body=BODY)

    services.post_hide(post=answer, by=moderator, reason="Advertising")
    assert (Answer.objects.get().state, Question.objects.get().answer_count) == (PostState.HIDDEN, 0)
    services.post_restore(post=answer, by=moderator)
    assert (Answer.objects.get().state, Question.objects.get().answer_count) == (PostState.VISIBLE, 1)

    kinds = list(answer.moderation_actions.values_list("kind", flat=True))
    assert sorted(kinds) == ["hide", "restore"]


def test_members_cannot_moderate():
    question = QuestionFactory()

    with pytest.raises(PermissionDenied):
        services.question_moderate(question=question, by=_veteran(), pinned=True)
    with pytest.raises(PermissionDenied):
        services.post_hide(post=question, by=_veteran(), reason="Mine now")


def test_moderators_close_as_duplicate_move_and_edit_with_a_reason(moderator):
    original, copy = QuestionFactory(), QuestionFactory()
    elsewhere = ForumCategoryFactory(name="Billing")

    services.question_moderate(question=copy, by=moderator, duplicate_of=original, category=elsewhere)
    with pytest.raises(ValidationError):
        services.post_edit(post=copy, by=moderator, body=BODY, reason="")
    services.post_edit(post=copy, by=moderator, body=BODY + " (edited)", reason="Removed a password")

    copy.refresh_from_db()
    assert (copy.duplicate_of, copy.category) == (original, elsewhere)
    assert sorted(copy.moderation_actions.values_list("kind", flat=True)) == ["duplicate", "edit", "move"]


def test_an_edit_cannot_add_the_links_a_new_post_could_not_hold(settings):
    settings.KBPORTAL_FORUM_MAX_LINKS_UNTRUSTED, settings.KBPORTAL_FORUM_REPUTATION_FOR_LINKS = 1, 10
    author = _veteran(reputation=1)
    question = _ask(author)

    with pytest.raises(ValidationError) as error:
        services.post_edit(post=question, by=author, reason="", body="See https://a.example and https://b.example")
    assert "body" in error.value.message_dict


def test_an_edited_title_still_needs_ten_characters():
    author = _veteran()
    question = _ask(author)

    with pytest.raises(ValidationError) as error:
        services.post_edit(post=question, by=author, reason="", body=BODY, title="   ")
    assert "title" in error.value.message_dict
    question.refresh_from_db()
    assert question.title == "Sync stops at 90%"
