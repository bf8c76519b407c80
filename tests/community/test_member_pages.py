"""The member pages: a member's profile, the notifications inbox and the moderators' queue."""

import pytest
from django.test import Client
from django.urls import reverse

from community import services
from community.member_views import NOTIFICATIONS_MAX_PAGE_SIZE
from community.models import (
    Answer,
    Flag,
    FlagReason,
    MemberProfile,
    ModerationAction,
    ModerationKind,
    Notification,
    NotificationKind,
    PostState,
    Question,
)
from kbportal.accounts.roles import Role
from tests.accounts.factories import StaffFactory, UserFactory
from tests.community.factories import AnswerFactory, QuestionFactory
from tests.queries import page_queries

pytestmark = pytest.mark.django_db

MEMBERS = reverse("community:questions")
INBOX = reverse("community:notifications")
QUEUE = reverse("community:moderation")


def _profile(member) -> str:
    return reverse("community:member", kwargs={"pk": member.pk})


def _html(response) -> str:
    return response.content.decode()


@pytest.fixture
def moderator(db):
    return StaffFactory(username="moderator", role=Role.MODERATOR)


@pytest.fixture
def moderator_client(client, moderator):
    client.force_login(moderator)
    return client


def _flag(post, count: int = 1, reason: str = FlagReason.SPAM, note: str = ""):
    for _ in range(count):
        services.post_flag(post=post, reporter=UserFactory(), reason=reason, note=note)


# --- A member's profile ----------------------------------------------------------------------


def test_a_profile_shows_the_public_name_reputation_staff_badge_and_counts_but_never_the_email(client):
    member = StaffFactory(display_name="Mona Moderator", email="mona.private@example.com")
    MemberProfile.objects.create(user=member, reputation=42)
    question = QuestionFactory(author=member)
    AnswerFactory(author=member, question=question)

    html = _html(client.get(_profile(member)))

    assert "Mona Moderator" in html
    assert ">42<" in html
    assert ">Staff<" in html
    assert "Member since" in html
    assert "1 question" in html
    assert "1 answer" in html
    assert "mona.private" not in html
    assert "@example.com" not in html


def test_a_member_without_a_forum_profile_has_reputation_1_and_no_staff_badge(client):
    member = UserFactory(display_name="Newcomer Nia")
    QuestionFactory(author=member)

    html = _html(client.get(_profile(member)))

    assert "<dt>Reputation</dt><dd>1</dd>" in html
    assert ">Staff<" not in html


def test_others_see_only_visible_posts_the_member_also_sees_their_held_ones_marked(client):
    member = UserFactory()
    QuestionFactory(author=member, title="A visible question about sync")
    QuestionFactory(author=member, title="A held question about sync", state=PostState.HELD)
    QuestionFactory(author=member, title="A hidden question about sync", state=PostState.HIDDEN)

    to_others = _html(client.get(_profile(member)))
    client.force_login(member)
    to_the_member = _html(client.get(_profile(member)))

    assert "A visible question about sync" in to_others
    assert "A held question about sync" not in to_others
    assert "Waiting for a moderator" not in to_others
    assert "A hidden question about sync" not in to_others
    assert "A held question about sync" in to_the_member
    assert "Waiting for a moderator" in to_the_member
    assert "A hidden question about sync" not in to_the_member


def test_the_answers_tab_links_to_each_answer_on_its_question_and_leaves_out_hidden_ones(client):
    member = UserFactory()
    shown = AnswerFactory(author=member, question=QuestionFactory(title="Where are my backups kept?"))
    AnswerFactory(author=member, state=PostState.HIDDEN, question=QuestionFactory(title="A hidden answer's question"))
    AnswerFactory(author=member, question=QuestionFactory(title="A hidden question's answer", state=PostState.HIDDEN))

    html = _html(client.get(_profile(member), {"tab": "answers"}))

    assert f'href="/community/questions/{shown.question_id}/#answer-{shown.pk}"' in html
    assert "Where are my backups kept?" in html
    assert "A hidden answer's question" not in html
    assert "A hidden question's answer" not in html


def test_accounts_without_a_forum_presence_or_inactive_have_no_profile_page(client):
    lurker, gone = UserFactory(), UserFactory(is_active=False)
    QuestionFactory(author=gone)
    only_held = UserFactory()
    QuestionFactory(author=only_held, state=PostState.HELD)

    assert client.get(_profile(lurker)).status_code == 404
    assert client.get(_profile(gone)).status_code == 404
    assert client.get(_profile(only_held)).status_code == 404
    client.force_login(only_held)
    assert client.get(_profile(only_held)).status_code == 200


@pytest.mark.parametrize("tab", ["questions", "answers"])
def test_profile_queries_are_the_same_with_3_and_30_posts(client, tab):
    member = UserFactory()
    MemberProfile.objects.create(user=member, reputation=7)

    def post(count: int) -> None:
        for _ in range(count):
            AnswerFactory(author=member, question=QuestionFactory(author=member))

    post(3)
    client.force_login(member)
    url = f"{_profile(member)}?tab={tab}"
    few = page_queries(client, url)
    post(27)

    assert page_queries(client, url) == few


# --- Notifications ---------------------------------------------------------------------------


@pytest.fixture
def follower(db):
    return UserFactory(display_name="Fiona Follower")


def _notice(recipient, **fields) -> Notification:
    question = fields.pop("question", None) or QuestionFactory()
    return Notification.objects.create(
        recipient=recipient, question=question, kind=fields.pop("kind", NotificationKind.ANSWER), **fields
    )


def test_the_inbox_needs_a_signed_in_member(client):
    for response in (client.get(INBOX), client.post(INBOX)):
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:login"))


def test_the_inbox_lists_only_the_members_own_notices_newest_first_linking_to_the_answer(client, follower):
    question = QuestionFactory(title="Backups fail on Sundays")
    answer = AnswerFactory(question=question, author=UserFactory(display_name="Arun Answerer"))
    older = _notice(follower, question=QuestionFactory(title="An older question"), kind=NotificationKind.COMMENT)
    newer = _notice(follower, question=question, answer=answer, actor=answer.author)
    newer.created_at = older.created_at.replace(year=older.created_at.year + 1)
    newer.save()
    _notice(UserFactory(), question=QuestionFactory(title="Someone else's question"))
    client.force_login(follower)

    html = _html(client.get(INBOX))

    assert html.index("Backups fail on Sundays") < html.index("An older question")
    assert f'href="/community/questions/{question.pk}/#answer-{answer.pk}"' in html
    assert "Arun Answerer answered" in html
    assert "Someone else&#x27;s question" not in html
    assert "Someone else's question" not in html


def test_unread_notices_are_marked_and_counted_in_the_header(client, follower):
    _notice(follower)
    _notice(follower)
    _notice(follower, read_at="2024-01-01T00:00:00Z")
    client.force_login(follower)

    html = _html(client.get(reverse("community:questions")))

    assert 'class="count-badge">2<' in html
    inbox = _html(client.get(INBOX))
    assert inbox.count("notice-unread") == 2
    assert "2 unread notifications" in inbox


def test_anonymous_visitors_see_no_notifications_link(client):
    assert INBOX not in _html(client.get(MEMBERS))


def test_opening_the_inbox_marks_nothing_read(client, follower):
    _notice(follower)
    client.force_login(follower)

    client.get(INBOX)
    client.get(INBOX, {"mark": "all"})

    assert Notification.objects.filter(recipient=follower, read_at__isnull=True).count() == 1


def test_mark_all_as_read_is_a_post_that_touches_only_the_members_notices(client, follower):
    _notice(follower)
    _notice(follower)
    someone_elses = _notice(UserFactory())
    client.force_login(follower)

    response = client.post(INBOX, follow=True)

    assert response.redirect_chain[-1][0] == INBOX
    assert not Notification.objects.filter(recipient=follower, read_at__isnull=True).exists()
    someone_elses.refresh_from_db()
    assert someone_elses.read_at is None
    assert "2 notifications marked as read." in _html(response)
    assert "count-badge" not in _html(response)


def test_mark_all_as_read_needs_the_csrf_token(follower):
    _notice(follower)
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(follower)

    assert browser.post(INBOX).status_code == 403
    assert Notification.objects.filter(recipient=follower, read_at__isnull=True).count() == 1


def test_the_inbox_pages_with_a_hard_maximum(client, follower):
    question = QuestionFactory()
    Notification.objects.bulk_create(
        [Notification(recipient=follower, question=question, kind=NotificationKind.ANSWER)]
        * (NOTIFICATIONS_MAX_PAGE_SIZE + 5)
    )
    client.force_login(follower)

    page = client.get(INBOX, {"per_page": 10_000}).context["page"]

    assert len(page.object_list) == NOTIFICATIONS_MAX_PAGE_SIZE
    assert page.has_next()


def test_inbox_queries_are_the_same_with_3_and_30_notices(client, follower):
    def notify(count: int) -> None:
        for _ in range(count):
            answer = AnswerFactory()
            _notice(follower, question=answer.question, answer=answer, actor=answer.author)

    notify(3)
    client.force_login(follower)
    few = page_queries(client, INBOX)
    notify(27)

    assert page_queries(client, INBOX) == few


# --- The moderation queue --------------------------------------------------------------------


def test_the_queue_is_for_moderators_only(client, customer):
    response = client.get(QUEUE)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))

    client.force_login(customer)
    assert client.get(QUEUE).status_code == 403
    assert client.post(QUEUE, {"action": "approve", "post_type": "question", "post_id": 1}).status_code == 403

    client.force_login(StaffFactory(role=Role.SUPPORT_MANAGER))
    assert client.get(QUEUE).status_code == 200


def test_only_moderators_see_the_moderation_link_in_the_header(client, customer, moderator):
    client.force_login(customer)
    assert QUEUE not in _html(client.get(MEMBERS))
    client.force_login(StaffFactory(role=Role.AGENT_TIER_1))
    assert QUEUE not in _html(client.get(MEMBERS))

    QuestionFactory(state=PostState.HELD)
    client.force_login(moderator)
    html = _html(client.get(MEMBERS))
    assert QUEUE in html
    assert 'class="count-badge">1<' in html


def test_the_queue_shows_held_and_flagged_posts_oldest_first_with_the_flags(moderator_client):
    flagged = AnswerFactory(body="Buy cheap watches at example.test", question=QuestionFactory(title="Sync is slow"))
    _flag(flagged, reason=FlagReason.SPAM, note="Advertising watches")
    held = QuestionFactory(title="My very first question", state=PostState.HELD)
    hidden_by_flags = QuestionFactory(title="A rude question")
    _flag(hidden_by_flags, count=3, reason=FlagReason.OFFENSIVE)
    QuestionFactory(title="A quiet visible question")

    html = _html(moderator_client.get(QUEUE))

    assert html.index("Sync is slow") < html.index("My very first question") < html.index("A rude question")
    assert "Advertising watches" in html
    assert "Spam or advertising" in html
    assert "3 open flags" in html
    assert ">Hidden<" in html
    assert "A quiet visible question" not in html
    assert "3 posts wait for a moderator" in html
    assert held.title in html


def test_a_moderator_approves_a_held_answer(moderator_client, moderator):
    question = QuestionFactory()
    answer = services.answer_post(question=question, author=UserFactory(), body="Restart the sync service first.")
    assert answer.state == PostState.HELD

    response = moderator_client.post(
        QUEUE, {"action": "approve", "post_type": "answer", "post_id": answer.pk}, follow=True
    )

    answer.refresh_from_db()
    question.refresh_from_db()
    assert answer.state == PostState.VISIBLE
    assert question.answer_count == 1
    assert ModerationAction.objects.filter(answer=answer, kind=ModerationKind.APPROVE, actor=moderator).exists()
    assert response.redirect_chain[-1][0] == QUEUE
    assert "readers can see it now" in _html(response)
    assert "Restart the sync service first." in _html(Client().get(question.get_absolute_url()))


def test_a_second_click_on_a_post_already_dealt_with_changes_nothing(moderator_client):
    answer = AnswerFactory(state=PostState.HELD)
    form = {"action": "approve", "post_type": "answer", "post_id": answer.pk}
    moderator_client.post(QUEUE, form)

    response = moderator_client.post(QUEUE, form, follow=True)

    assert ModerationAction.objects.filter(kind=ModerationKind.APPROVE).count() == 1
    assert Question.objects.get(pk=answer.question_id).answer_count == 1
    assert "dealt with this post already" in _html(response)


def test_hiding_needs_a_reason_and_the_form_keeps_what_was_typed(moderator_client):
    question = QuestionFactory(title="Visit my shop")
    _flag(question)
    form = {"action": "hide", "post_type": "question", "post_id": question.pk}

    blank = moderator_client.post(QUEUE, {**form, "reason": "   "})
    too_long = moderator_client.post(QUEUE, {**form, "reason": "Spam " + "x" * 300})

    assert blank.status_code == too_long.status_code == 400
    assert "Say why the post is hidden." in _html(blank)
    assert 'value="Spam xxx' in _html(too_long)
    assert 'aria-invalid="true"' in _html(too_long)
    question.refresh_from_db()
    assert question.state == PostState.VISIBLE


def test_a_moderator_hides_a_post_with_a_reason_and_the_log_shows_it(moderator_client, moderator):
    answer = AnswerFactory(question=QuestionFactory(title="Printer setup"))
    _flag(answer, note="Link to a shop")

    response = moderator_client.post(
        QUEUE, {"action": "hide", "post_type": "answer", "post_id": answer.pk, "reason": "Advertising"}, follow=True
    )

    answer.refresh_from_db()
    assert answer.state == PostState.HIDDEN
    assert ModerationAction.objects.get(answer=answer, kind=ModerationKind.HIDE).reason == "Advertising"
    html = _html(response)
    assert "Recent moderation" in html
    assert f"#answer-{answer.pk}" in html
    assert moderator.public_name in html


def test_a_moderator_restores_a_post_hidden_by_flags(moderator_client, moderator):
    question = QuestionFactory(title="Sync conflicts on shared folders")
    _flag(question, count=3)
    question.refresh_from_db()
    assert question.state == PostState.HIDDEN

    moderator_client.post(QUEUE, {"action": "restore", "post_type": "question", "post_id": question.pk})

    question.refresh_from_db()
    assert question.state == PostState.VISIBLE
    assert question.flag_count == 0
    assert not Flag.objects.filter(question=question, resolved_at__isnull=True).exists()
    assert ModerationAction.objects.filter(question=question, kind=ModerationKind.RESTORE, actor=moderator).exists()
    assert f'id="question-{question.pk}"' not in _html(moderator_client.get(QUEUE))


def test_a_moderator_keeps_hidden_a_post_the_flags_hid_and_it_leaves_the_queue(moderator_client):
    question = QuestionFactory(title="Cheap licences here")
    _flag(question, count=3)

    moderator_client.post(
        QUEUE, {"action": "hide", "post_type": "question", "post_id": question.pk, "reason": "Spam confirmed"}
    )

    question.refresh_from_db()
    assert (question.state, question.flag_count) == (PostState.HIDDEN, 0)
    assert ModerationAction.objects.get(question=question, kind=ModerationKind.HIDE).reason == "Spam confirmed"
    assert f'id="question-{question.pk}"' not in _html(moderator_client.get(QUEUE))


def test_a_moderator_dismisses_the_flags_of_a_post_that_is_fine(moderator_client):
    answer = AnswerFactory()
    _flag(answer)

    page = _html(moderator_client.get(QUEUE))
    moderator_client.post(QUEUE, {"action": "dismiss", "post_type": "answer", "post_id": answer.pk})

    answer.refresh_from_db()
    assert "dismiss the flags" in page
    assert (answer.state, answer.flag_count) == (PostState.VISIBLE, 0)
    assert ModerationAction.objects.filter(answer=answer, kind=ModerationKind.DISMISS_FLAGS).exists()
    assert f'id="answer-{answer.pk}"' not in _html(moderator_client.get(QUEUE))


def test_moderation_buttons_need_the_csrf_token(moderator):
    answer = AnswerFactory(state=PostState.HELD)
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(moderator)

    assert browser.post(QUEUE, {"action": "approve", "post_type": "answer", "post_id": answer.pk}).status_code == 403
    assert Answer.objects.get(pk=answer.pk).state == PostState.HELD


def test_queue_queries_are_the_same_with_3_and_30_waiting_posts(moderator_client, moderator):
    def wait(count: int) -> None:
        for n in range(count):
            if n % 3 == 0:
                QuestionFactory(state=PostState.HELD)
            elif n % 3 == 1:
                AnswerFactory(state=PostState.HELD)
            else:
                post = AnswerFactory()
                _flag(post, note="Looks like spam")
                services.post_hide(post=post, by=moderator, reason="Spam")

    wait(3)
    few = page_queries(moderator_client, QUEUE)
    wait(27)

    assert page_queries(moderator_client, QUEUE) == few
