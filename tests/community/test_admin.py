"""The forum in the admin: changes and bulk actions go through the services; changelists cost constant queries."""

import pytest
from django.urls import reverse

from articles.models import ProductVersion, Tag
from community import services
from community.models import (
    Answer,
    Comment,
    Flag,
    FlagReason,
    MemberProfile,
    ModerationAction,
    ModerationKind,
    PostState,
    Question,
)
from kbportal.accounts.roles import Role
from kbportal.search import service as search
from kbportal.search.models import SearchDocument
from tests.accounts.factories import StaffFactory, UserFactory
from tests.community.factories import AnswerFactory, ForumCategoryFactory, QuestionFactory
from tests.queries import page_queries

pytestmark = pytest.mark.django_db


@pytest.fixture
def moderator(db):
    return StaffFactory(username="mod", role=Role.MODERATOR)


@pytest.fixture
def moderator_client(client, moderator):
    client.force_login(moderator)
    return client


def _action(client, model: str, action: str, objects) -> None:
    response = client.post(
        reverse(f"admin:community_{model}_changelist"),
        {"action": action, "_selected_action": [obj.pk for obj in objects]},
    )
    assert response.status_code == 302


def _change_data(question: Question, **changes) -> dict:
    data = {
        "category": question.category_id,
        "title": question.title,
        "body": question.body,
        "language": question.language,
        "state": question.state,
        "is_locked": "on" if question.is_locked else "",
        "is_pinned": "on" if question.is_pinned else "",
        "duplicate_of": question.duplicate_of_id or "",
        "accepted_answer": question.accepted_answer_id or "",
        "reason": "",
        "answers-TOTAL_FORMS": "0",
        "answers-INITIAL_FORMS": "0",
        "answers-MIN_NUM_FORMS": "0",
        "answers-MAX_NUM_FORMS": "1000",
        **changes,
    }
    return {key: value for key, value in data.items() if value != ""}


# --- Bulk actions --------------------------------------------------------------------------------


def test_approving_held_posts_counts_towards_the_author_and_is_logged(moderator_client, moderator):
    held = QuestionFactory(state=PostState.HELD)
    answer = AnswerFactory(state=PostState.HELD)

    _action(moderator_client, "question", "approve_selected", [held])
    _action(moderator_client, "answer", "approve_selected", [answer])

    held.refresh_from_db()
    assert held.state == PostState.VISIBLE
    assert MemberProfile.objects.get(user=held.author).approved_posts == 1
    assert Question.objects.get(pk=answer.question_id).answer_count == 1
    assert set(ModerationAction.objects.values_list("kind", "actor")) == {(ModerationKind.APPROVE, moderator.pk)}


def test_hiding_from_the_admin_logs_the_reason_and_leaves_search(moderator_client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        question = QuestionFactory(title="Axolotl printer driver keeps crashing")
    assert search.search("axolotl").hits

    with django_capture_on_commit_callbacks(execute=True):
        _action(moderator_client, "question", "hide_selected", [question])

    question.refresh_from_db()
    assert question.state == PostState.HIDDEN
    log = ModerationAction.objects.get()
    assert (log.kind, log.reason) == (ModerationKind.HIDE, "Hidden from the admin")
    assert search.search("axolotl").hits == []


def test_hiding_an_answer_moves_its_question_answer_count(moderator_client):
    answer = AnswerFactory()
    Question.objects.filter(pk=answer.question_id).update(answer_count=1)

    _action(moderator_client, "answer", "hide_selected", [answer])

    assert Question.objects.get(pk=answer.question_id).answer_count == 0


def test_restoring_a_post_hidden_by_flags_resolves_its_flags(moderator_client, settings):
    settings.KBPORTAL_FORUM_FLAGS_TO_HIDE = 2
    question = QuestionFactory()
    for _ in range(2):
        services.post_flag(post=question, reporter=UserFactory(), reason=FlagReason.SPAM)
    assert Question.objects.get().state == PostState.HIDDEN

    _action(moderator_client, "flag", "restore_posts", Flag.objects.all())

    question.refresh_from_db()
    assert (question.state, question.flag_count) == (PostState.VISIBLE, 0)
    assert not Flag.objects.filter(resolved_at__isnull=True).exists()


def test_dismissing_flags_on_a_post_that_is_fine_keeps_it_visible(moderator_client):
    question = QuestionFactory()
    services.post_flag(post=question, reporter=UserFactory(), reason=FlagReason.OFF_TOPIC)

    _action(moderator_client, "flag", "dismiss_flags", Flag.objects.all())

    question.refresh_from_db()
    assert (question.state, question.flag_count) == (PostState.VISIBLE, 0)
    assert not Flag.objects.filter(resolved_at__isnull=True).exists()


def test_the_flag_queue_shows_open_flags_unless_asked(moderator_client):
    open_flag = Flag.objects.create(question=QuestionFactory(title="Open one here"), reporter=UserFactory(),
                                    reason=FlagReason.SPAM)  # fmt: skip
    Flag.objects.create(
        question=QuestionFactory(title="Resolved one here"), reporter=UserFactory(), reason=FlagReason.SPAM,
        resolved_at=open_flag.created_at,
    )  # fmt: skip
    url = reverse("admin:community_flag_changelist")

    queue = moderator_client.get(url).content.decode()
    everything = moderator_client.get(url, {"status": "all"}).content.decode()

    assert "Open one here" in queue
    assert "Resolved one here" not in queue
    assert "Resolved one here" in everything


def test_verifying_from_the_admin_is_logged(moderator_client):
    answer = AnswerFactory()

    _action(moderator_client, "answer", "verify_selected", [answer])

    assert Answer.objects.get().is_verified
    assert ModerationAction.objects.get().kind == ModerationKind.VERIFY


# --- The change form -----------------------------------------------------------------------------


def test_an_edited_body_is_rendered_sanitised_and_reindexed(moderator_client, django_capture_on_commit_callbacks):
    question = QuestionFactory()
    url = reverse("admin:community_question_change", args=[question.pk])
    body = "Printing **stops** at page two <script>alert('x')</script> zeppelin"

    with django_capture_on_commit_callbacks(execute=True):
        response = moderator_client.post(url, _change_data(question, body=body, reason="Clearer wording"))

    assert response.status_code == 302
    question.refresh_from_db()
    assert question.body == body
    assert "<strong>stops</strong>" in question.body_html
    assert "<script" not in question.body_html
    assert ModerationAction.objects.get().reason == "Clearer wording"
    assert search.search("zeppelin").hits[0].object_id == question.pk


def test_editing_a_question_in_the_admin_goes_through_the_services_and_reaches_the_index(
    moderator_client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        question = QuestionFactory(title="Printing stops at page two")
    version = ProductVersion.objects.create(name="4.2")
    tag = Tag.objects.create(name="printing", slug="printing")
    url = reverse("admin:community_question_change", args=[question.pk])
    changes = {"title": "Zeppelin printer stops at page two", "language": "zh-hans", "product_version": version.pk,
               "tags": [tag.pk], "reason": "Clearer title"}  # fmt: skip

    with django_capture_on_commit_callbacks(execute=True):
        response = moderator_client.post(url, _change_data(question, **changes))

    assert response.status_code == 302
    question.refresh_from_db()
    assert (question.title, question.language, question.product_version) == (changes["title"], "zh-hans", version)
    assert list(question.tags.all()) == [tag]
    # Through post_edit and question_reclassify: the moderation log has an entry for each change.
    assert list(ModerationAction.objects.values_list("kind", "reason")) == [(ModerationKind.EDIT, "Clearer title")] * 4
    # Through the registry's receiver for the services' saves: the index has the new title and language.
    assert [hit.object_id for hit in search.search("zeppelin").hits] == [question.pk]
    assert search.search("printing stops").hits[0].title == changes["title"]
    assert SearchDocument.objects.get(kind="question", object_id=question.pk).language == "zh-hans"


def test_an_edit_without_a_reason_is_refused(moderator_client):
    question = QuestionFactory()
    url = reverse("admin:community_question_change", args=[question.pk])

    response = moderator_client.post(url, _change_data(question, body="Something else entirely, longer."))

    assert response.status_code == 200
    assert "reason" in response.context["adminform"].form.errors
    question.refresh_from_db()
    assert question.body != "Something else entirely, longer."


def test_lock_pin_and_accept_in_the_form_go_through_the_services(moderator_client, moderator):
    question = QuestionFactory()
    answer = AnswerFactory(question=question)
    url = reverse("admin:community_question_change", args=[question.pk])

    response = moderator_client.post(
        url, _change_data(question, is_locked="on", is_pinned="on", accepted_answer=answer.pk, reason="Solved")
    )

    assert response.status_code == 302
    question.refresh_from_db()
    assert (question.is_locked, question.is_pinned, question.accepted_answer) == (True, True, answer)
    assert set(ModerationAction.objects.values_list("kind", flat=True)) == {ModerationKind.LOCK, ModerationKind.PIN}
    assert services.member_reputation(answer.author) == 1 + services.REPUTATION_ACCEPTED


def test_an_answer_of_another_question_cannot_be_accepted(moderator_client):
    question = QuestionFactory()
    url = reverse("admin:community_question_change", args=[question.pk])

    response = moderator_client.post(url, _change_data(question, accepted_answer=AnswerFactory().pk))

    assert response.status_code == 200
    assert "accepted_answer" in response.context["adminform"].form.errors
    assert Question.objects.get(pk=question.pk).accepted_answer is None


def test_hiding_in_the_form_needs_a_reason(moderator_client):
    question = QuestionFactory()
    url = reverse("admin:community_question_change", args=[question.pk])

    refused = moderator_client.post(url, _change_data(question, state=PostState.HIDDEN))
    hidden = moderator_client.post(url, _change_data(question, state=PostState.HIDDEN, reason="Personal data"))

    assert refused.status_code == 200
    assert hidden.status_code == 302
    assert ModerationAction.objects.get().reason == "Personal data"


# --- Who may do what -----------------------------------------------------------------------------


def test_the_moderation_log_is_read_only_for_moderators(moderator_client):
    question = QuestionFactory()
    log = ModerationAction.objects.create(question=question, kind=ModerationKind.HIDE, reason="spam")

    assert moderator_client.get(reverse("admin:community_moderationaction_add")).status_code == 403
    page = moderator_client.get(reverse("admin:community_moderationaction_change", args=[log.pk]))
    assert page.status_code == 200
    assert not page.context["has_change_permission"]
    assert moderator_client.post(reverse("admin:community_moderationaction_delete", args=[log.pk])).status_code == 403


def test_agents_read_questions_without_changing_them(client):
    question = QuestionFactory(title="Read-only question for agents")
    AnswerFactory(question=question)
    client.force_login(StaffFactory(role=Role.AGENT_TIER_1))

    page = client.get(reverse("admin:community_question_change", args=[question.pk]))
    changelist = client.get(reverse("admin:community_question_changelist"))

    assert page.status_code == 200
    assert not page.context["has_change_permission"]
    assert "Read-only question for agents" in changelist.content.decode()
    assert changelist.context["action_form"] is None  # no bulk actions without the change permission
    assert client.get(reverse("admin:community_flag_changelist")).status_code == 403


@pytest.mark.parametrize(
    "model", ["question", "answer", "comment", "flag", "moderationaction", "memberprofile", "forumcategory"]
)
def test_moderators_open_every_forum_page(moderator_client, model):
    answer = AnswerFactory()
    samples = {
        "question": answer.question,
        "answer": answer,
        "comment": Comment.objects.create(answer=answer, author=UserFactory(), body="Thanks!"),
        "flag": Flag.objects.create(answer=answer, reporter=UserFactory(), reason=FlagReason.OFF_TOPIC),
        "moderationaction": ModerationAction.objects.create(question=answer.question, kind=ModerationKind.LOCK),
        "memberprofile": MemberProfile.objects.create(user=answer.author),
        "forumcategory": answer.question.category,
    }

    assert moderator_client.get(reverse(f"admin:community_{model}_changelist")).status_code == 200
    assert moderator_client.get(reverse(f"admin:community_{model}_change", args=[samples[model].pk])).status_code == 200


def test_a_profile_change_writes_only_the_changed_counter(moderator_client):
    profile = MemberProfile.objects.create(user=UserFactory(), reputation=40, approved_posts=2)
    url = reverse("admin:community_memberprofile_change", args=[profile.pk])

    response = moderator_client.post(url, {"reputation": "10", "approved_posts": "2"})

    assert response.status_code == 302
    profile.refresh_from_db()
    assert (profile.reputation, profile.approved_posts) == (10, 2)


# --- Query counts --------------------------------------------------------------------------------


def _forum_rows(count: int) -> None:
    for n in range(count):
        answer = AnswerFactory(question=QuestionFactory(category=ForumCategoryFactory()))
        services.answer_accept(answer=answer, by=answer.question.author)
        Comment.objects.create(answer=answer, author=UserFactory(), body=f"Comment {n}")
        Comment.objects.create(question=answer.question, author=UserFactory(), body=f"Remark {n}")
        Flag.objects.create(answer=answer, reporter=UserFactory(), reason=FlagReason.SPAM)
        Flag.objects.create(question=answer.question, reporter=UserFactory(), reason=FlagReason.OTHER)
        ModerationAction.objects.create(question=answer.question, answer=answer, kind=ModerationKind.VERIFY,
                                        actor=UserFactory())  # fmt: skip
        MemberProfile.objects.get_or_create(user=answer.author)


@pytest.mark.parametrize(
    "model", ["question", "answer", "comment", "flag", "moderationaction", "memberprofile", "forumcategory"]
)
def test_forum_changelists_cost_the_same_for_4_and_12_rows(moderator_client, model):
    url = reverse(f"admin:community_{model}_changelist")
    _forum_rows(4)
    few = page_queries(moderator_client, url)
    _forum_rows(8)

    assert page_queries(moderator_client, url) == few
