"""The forum's forms: asking (with similar questions as a deflection point), answering, commenting, voting,
accepting, flagging, following, moderating and editing — POST with CSRF, typed input kept on errors."""

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from articles import services as article_services
from community.models import (
    Answer,
    Comment,
    Flag,
    Follow,
    ForumCategory,
    MemberProfile,
    ModerationAction,
    ModerationKind,
    PostState,
    Question,
    Vote,
)
from kbportal.accounts.roles import Role
from kbportal.helpcenter.models import HelpOutcome, HelpSession, HelpSessionEvent, HelpVia
from tests.accounts.factories import StaffFactory, UserFactory
from tests.articles.factories import CategoryFactory
from tests.community.factories import AnswerFactory, ForumCategoryFactory, QuestionFactory
from tests.queries import page_queries

pytestmark = pytest.mark.django_db

BODY = "The desktop client stops syncing at 90% every time I add a folder."


@pytest.fixture(autouse=True)
def _no_holding(settings):
    settings.KBPORTAL_FORUM_HOLD_FIRST_POSTS = 0


@pytest.fixture
def member(db):
    user = UserFactory(display_name="Mia Member")
    user.date_joined = timezone.now() - timedelta(days=400)
    user.save(update_fields=["date_joined"])
    return user


@pytest.fixture
def member_client(client, member):
    client.force_login(member)
    return client


@pytest.fixture
def moderator_client(db):
    client = Client()
    client.force_login(StaffFactory(username="mod", role=Role.MODERATOR))
    return client


def _ask_data(category, **overrides):
    return {"title": "Sync stops at 90 percent", "body": BODY, "category": category.pk, "language": "en", **overrides}


# --- Asking --------------------------------------------------------------------------------------


def test_asking_needs_an_account(client):
    response = client.get(reverse("community:ask"))
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


def test_the_ask_form_speaks_the_viewers_language(member_client):
    ForumCategoryFactory(name="Installation", name_zh_hans="安装")

    chinese = member_client.get(reverse("community:ask"), HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    english = member_client.get(reverse("community:ask"), HTTP_ACCEPT_LANGUAGE="en").content.decode()

    assert ">安装</option>" in chinese
    assert ">Installation</option>" in english
    assert "最多 5 个。" in chinese
    assert "Up to 5." in english
    assert "---------" not in chinese
    assert "---------" not in english
    assert ">选择分类</option>" in chinese
    assert ">Choose a category</option>" in english


def _checkbox_values(html: str, name: str) -> dict[str, bool]:
    """The checkboxes called `name` on a page: their value, and whether each is ticked."""
    boxes = re.findall(rf'<input type="checkbox" name="{name}"[^>]*>', html)
    return {re.search(r'value="([^"]*)"', box).group(1): " checked" in box for box in boxes}


def test_tags_are_ticked_in_a_list_of_checkboxes_that_the_script_turns_into_a_tag_picker(member_client):
    sync, sso = article_services.tags_get_or_create(names=["sync", "sso"])

    html = member_client.get(reverse("community:ask")).content.decode()

    # Without JavaScript a phone ticks boxes; a Ctrl-click listbox is unusable there.
    assert not re.search(r"<select[^>]*\smultiple", html)
    assert _checkbox_values(html, "tags") == {str(sso.pk): False, str(sync.pk): False}
    group = re.search(r'<fieldset class="tag-picker[^"]*"[^>]*>\s*<legend[^>]*>([^<]*)</legend>', html)
    assert group is not None
    assert group.group(1) == "Tags"
    assert "data-tag-picker" in group.group(0)
    assert 'data-max-tags="5"' in group.group(0)
    assert "Up to 5." in html
    # The script that makes the chips is loaded on this page only.
    assert "js/tag-picker" in html
    assert "js/tag-picker" not in member_client.get(reverse("community:questions")).content.decode()


def test_the_tag_pickers_words_for_screen_readers_are_in_the_viewers_language(member_client):
    article_services.tags_get_or_create(names=["sync"])

    chinese = member_client.get(reverse("community:ask"), HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()

    picker = re.search(r'<fieldset class="tag-picker[^"]*"[^>]*>', chinese).group(0)
    assert "<legend>标签</legend>" in chinese
    assert 'data-filter-label="输入以筛选标签"' in picker
    assert 'data-remove-label="移除标签 %(tag)s"' in picker
    assert "已选 %(count)s 个标签" in picker


def test_the_tags_ticked_go_with_the_question(member_client):
    sync, _sso, api = article_services.tags_get_or_create(names=["sync", "sso", "api"])

    member_client.post(reverse("community:ask"), _ask_data(ForumCategoryFactory(), tags=[sync.pk, api.pk]))

    assert set(Question.objects.get().tags.all()) == {sync, api}


def test_more_than_five_tags_are_refused_and_the_question_stays_as_typed(member_client):
    tags = article_services.tags_get_or_create(names=[f"tag-{n}" for n in range(7)])
    chosen = [tag.pk for tag in tags[:6]]

    response = member_client.post(
        reverse("community:ask"), _ask_data(ForumCategoryFactory(), body=BODY + " typed", tags=chosen)
    )

    html = response.content.decode()
    assert response.status_code == 400
    assert "Choose at most 5 tags: untick 1 of the 6 you chose." in html
    assert 'value="Sync stops at 90 percent"' in html
    assert BODY + " typed" in html
    ticked = _checkbox_values(html, "tags")
    assert {int(pk) for pk, on in ticked.items() if on} == set(chosen)
    assert not Question.objects.exists()


def test_a_member_asks_a_question_and_follows_it(member_client, member):
    category = ForumCategoryFactory()

    response = member_client.post(reverse("community:ask"), _ask_data(category))

    question = Question.objects.get()
    assert response["Location"] == question.get_absolute_url()
    assert (question.author, question.category, question.state) == (member, category, PostState.VISIBLE)
    assert Follow.objects.filter(question=question, user=member).exists()


def test_a_question_with_errors_keeps_what_was_typed(member_client):
    category = ForumCategoryFactory()

    response = member_client.post(reverse("community:ask"), _ask_data(category, title="Help", body=BODY + " typed"))

    html = response.content.decode()
    assert response.status_code == 400
    assert "at least 10 characters" in html
    assert BODY + " typed" in html
    assert 'value="Help"' in html
    assert not Question.objects.exists()


def test_a_double_submitted_question_is_posted_once(member_client):
    data = _ask_data(ForumCategoryFactory())

    first = member_client.post(reverse("community:ask"), data)
    second = member_client.post(reverse("community:ask"), data)

    assert Question.objects.count() == 1
    assert first["Location"] == second["Location"]


def test_members_cannot_ask_in_a_staff_only_category(member_client):
    announcements = ForumCategoryFactory(staff_only=True, name="Announcements")

    page = member_client.get(reverse("community:ask")).content.decode()
    response = member_client.post(reverse("community:ask"), _ask_data(announcements))

    assert "Announcements" not in page
    assert response.status_code == 400
    assert not Question.objects.exists()


def test_similar_questions_appear_for_the_title_and_are_recorded_as_a_deflection_point(
    member_client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        existing = QuestionFactory(title="Sync stops at ninety percent on Windows")
    category = ForumCategoryFactory()

    similar = member_client.get(reverse("community:similar"), {"q": "sync stops"}).json()["results"]
    assert similar[0]["id"] == existing.pk
    assert similar[0]["kind"] == "question"
    assert similar[0]["link"] == f"{existing.get_absolute_url()}?hs=community-ask"

    # Without JavaScript: "Check for similar questions" shows them before posting, and keeps the form.
    page = member_client.post(reverse("community:ask"), {**_ask_data(category), "check": "1"})
    assert existing.title in page.content.decode()
    assert BODY in page.content.decode()
    assert not Question.objects.exclude(pk=existing.pk).exists()
    shown = HelpSessionEvent.objects.get(via=HelpVia.COMMUNITY_ASK)
    assert shown.results[0]["id"] == existing.pk

    # Opening one asks "Did this solve your problem?"; yes ends the help session as solved by self-service.
    opened = member_client.get(similar[0]["link"]).content.decode()
    assert "Did this solve your problem?" in opened
    member_client.post(
        reverse("helpcenter:help_answer"),
        {"answer": "yes", "kind": "question", "item": existing.pk, "next": existing.get_absolute_url()},
    )
    assert HelpSession.objects.get().outcome == HelpOutcome.DEFLECTED


def test_no_on_a_suggestion_from_the_ask_page_leads_back_to_asking(member_client):
    existing = QuestionFactory()
    member_client.get(f"{existing.get_absolute_url()}?hs=community-ask")

    response = member_client.post(
        reverse("helpcenter:help_answer"),
        {"answer": "no", "kind": "question", "item": existing.pk, "via": "community-ask"},
    )

    assert response["Location"] == reverse("community:ask")


def test_the_suggestions_shown_by_the_script_go_with_the_question(member_client):
    existing = QuestionFactory()
    shown = f'[{{"kind": "question", "id": {existing.pk}, "title": "Older one", "url": "/community/"}}]'

    member_client.post(reverse("community:ask"), {**_ask_data(ForumCategoryFactory()), "shown_suggestions": shown})

    event = HelpSessionEvent.objects.get(via=HelpVia.COMMUNITY_ASK)
    assert event.query == "Sync stops at 90 percent"
    assert event.results[0]["id"] == existing.pk


# --- Answering and commenting ----------------------------------------------------------------------


def test_an_answer_is_posted_from_the_question_page(member_client, member):
    question = QuestionFactory()

    response = member_client.post(reverse("community:answer", args=[question.pk]), {"body": "Pause it, then resume."})

    answer = Answer.objects.get()
    assert response["Location"] == f"{question.get_absolute_url()}#answer-{answer.pk}"
    assert answer.author == member


def test_a_too_short_answer_is_refused_and_kept(member_client):
    question = QuestionFactory()

    response = member_client.post(reverse("community:answer", args=[question.pk]), {"body": "Try it"})

    assert response.status_code == 400
    html = response.content.decode()
    assert "at least 10 characters" in html
    assert "Try it</textarea>" in html
    assert not Answer.objects.exists()


def test_a_locked_question_takes_no_answers(member_client):
    question = QuestionFactory(is_locked=True)

    response = member_client.post(reverse("community:answer", args=[question.pk]), {"body": "Pause it, then resume."})

    assert response.status_code == 400
    assert not Answer.objects.exists()
    assert "This question takes no new answers." in response.content.decode()


def test_comments_on_a_question_and_on_an_answer(member_client):
    answer = AnswerFactory()
    question = answer.question

    member_client.post(reverse("community:comment", args=[question.pk]), {"body": "Which version?"})
    member_client.post(reverse("community:comment", args=[question.pk]), {"body": "Worked for me", "answer": answer.pk})

    assert Comment.objects.get(question=question).body == "Which version?"
    assert Comment.objects.get(answer=answer).body == "Worked for me"
    html = member_client.get(question.get_absolute_url()).content.decode()
    assert "Which version?" in html
    assert "Worked for me" in html


def test_a_comment_that_is_too_short_shows_its_error_under_its_post(member_client):
    answer = AnswerFactory()

    response = member_client.post(
        reverse("community:comment", args=[answer.question_id]), {"body": "ok", "answer": answer.pk}
    )

    assert response.status_code == 400
    assert "A comment is 3 to 600 characters." in response.content.decode()
    assert not Comment.objects.exists()


def test_an_answer_of_another_question_cannot_be_targeted(member_client):
    elsewhere = AnswerFactory()
    question = QuestionFactory()

    response = member_client.post(
        reverse("community:comment", args=[question.pk]), {"body": "Sneaky", "answer": elsewhere.pk}
    )

    assert response.status_code == 404
    assert not Comment.objects.exists()


# --- Votes, acceptance, flags, following ----------------------------------------------------------


def test_voting_is_post_only_and_changeable(member_client, member):
    answer = AnswerFactory()
    url = reverse("community:vote", args=[answer.question_id])

    assert member_client.get(url).status_code == 405
    member_client.post(url, {"value": "1", "answer": answer.pk})
    member_client.post(url, {"value": "1"})  # the question too
    answer.refresh_from_db()
    assert answer.score == 1
    assert Vote.objects.filter(voter=member).count() == 2

    member_client.post(url, {"value": "0", "answer": answer.pk})  # taken back
    answer.refresh_from_db()
    assert answer.score == 0


def test_the_script_votes_and_reads_the_new_score(member_client):
    answer = AnswerFactory()

    response = member_client.post(
        reverse("community:vote", args=[answer.question_id]),
        {"value": "1", "answer": answer.pk},
        headers={"Accept": "application/json"},
    )

    assert response.json() == {"score": 1, "value": 1}


def test_a_refused_vote_says_why(member_client, member):
    own = AnswerFactory(author=member)

    response = member_client.post(
        reverse("community:vote", args=[own.question_id]), {"value": "1", "answer": own.pk}, follow=True
    )

    assert "You cannot vote on your own post." in response.content.decode()
    assert not Vote.objects.exists()


def test_votes_need_a_csrf_token(member):
    answer = AnswerFactory()
    client = Client(enforce_csrf_checks=True)
    client.force_login(member)

    response = client.post(reverse("community:vote", args=[answer.question_id]), {"value": "1", "answer": answer.pk})

    assert response.status_code == 403
    assert not Vote.objects.exists()


def test_the_asker_accepts_and_others_cannot(client, member):
    answer = AnswerFactory()
    url = reverse("community:accept", args=[answer.question_id, answer.pk])

    client.force_login(member)
    client.post(url)
    assert Question.objects.get().accepted_answer is None

    client.force_login(answer.question.author)
    client.post(url)
    assert Question.objects.get().accepted_answer == answer
    assert "Accepted answer" in client.get(answer.question.get_absolute_url()).content.decode()


def test_staff_mark_an_answer_verified(client):
    answer = AnswerFactory()
    client.force_login(StaffFactory(role=Role.AGENT_TIER_2))

    client.post(reverse("community:verify", args=[answer.question_id, answer.pk]), {"verified": "1"})

    answer.refresh_from_db()
    assert answer.is_verified
    assert ModerationAction.objects.filter(kind=ModerationKind.VERIFY).exists()


def test_members_cannot_verify(member_client):
    answer = AnswerFactory()

    member_client.post(reverse("community:verify", args=[answer.question_id, answer.pk]), {"verified": "1"})

    answer.refresh_from_db()
    assert not answer.is_verified


def test_a_member_flags_an_answer_with_a_reason(member_client, member):
    answer = AnswerFactory()

    member_client.post(
        reverse("community:flag", args=[answer.question_id]), {"reason": "spam", "note": "Ads", "answer": answer.pk}
    )

    flag = Flag.objects.get()
    assert (flag.answer, flag.reporter, flag.reason, flag.note) == (answer, member, "spam", "Ads")


def test_a_flag_without_a_reason_is_refused(member_client):
    question = QuestionFactory()

    response = member_client.post(reverse("community:flag", args=[question.pk]), {"reason": "boring"}, follow=True)

    assert "Choose why the post should be looked at." in response.content.decode()
    assert not Flag.objects.exists()


def test_follow_and_stop_following(member_client, member):
    question = QuestionFactory()
    url = reverse("community:follow", args=[question.pk])

    member_client.post(url, {"follow": "1"})
    assert Follow.objects.filter(user=member, question=question).exists()
    assert "Stop following" in member_client.get(question.get_absolute_url()).content.decode()

    member_client.post(url, {"follow": "0"})
    assert not Follow.objects.filter(user=member, question=question).exists()


# --- Moderation and editing -----------------------------------------------------------------------


def test_moderators_lock_pin_move_and_close_as_duplicate_from_the_page(moderator_client):
    question, original = QuestionFactory(), QuestionFactory(title="The original question")
    elsewhere = ForumCategoryFactory(name="Mobile apps")
    url = reverse("community:moderate", args=[question.pk])

    moderator_client.post(url, {"action": "lock", "reason": "Resolved"})
    moderator_client.post(url, {"action": "pin"})
    moderator_client.post(url, {"action": "move", "category": elsewhere.pk})
    moderator_client.post(url, {"action": "duplicate", "duplicate_of": original.pk})

    question.refresh_from_db()
    assert question.is_locked
    assert question.is_pinned
    assert (question.category, question.duplicate_of) == (elsewhere, original)
    kinds = set(ModerationAction.objects.values_list("kind", flat=True))
    assert kinds == {ModerationKind.LOCK, ModerationKind.PIN, ModerationKind.MOVE, ModerationKind.CLOSE_DUPLICATE}
    # The log is shown to staff on the page.
    html = moderator_client.get(question.get_absolute_url()).content.decode()
    assert "Moderation log" in html
    assert "Resolved" in html
    assert "The original question" in html


def test_a_moderation_form_error_keeps_the_form(moderator_client):
    question = QuestionFactory()

    response = moderator_client.post(
        reverse("community:moderate", args=[question.pk]), {"action": "duplicate", "duplicate_of": 10**12}
    )

    assert response.status_code == 400
    assert "Give the number of an existing question." in response.content.decode()
    question.refresh_from_db()
    assert question.duplicate_of is None


def test_moderators_hide_an_answer_with_a_reason(moderator_client):
    answer = AnswerFactory(body="Buy cheap licences at example.biz")

    moderator_client.post(
        reverse("community:moderate", args=[answer.question_id]),
        {"action": "hide", "answer": answer.pk, "reason": "Advertising"},
    )

    answer.refresh_from_db()
    assert answer.state == PostState.HIDDEN
    assert ModerationAction.objects.get().reason == "Advertising"
    assert "example.biz" not in moderator_client.get(answer.question.get_absolute_url()).content.decode()


def test_members_cannot_moderate(member_client):
    question = QuestionFactory()

    response = member_client.post(reverse("community:moderate", args=[question.pk]), {"action": "lock"})

    assert response.status_code == 403
    question.refresh_from_db()
    assert not question.is_locked
    assert not ModerationAction.objects.exists()


def test_the_author_edits_their_question(client):
    question = QuestionFactory(title="Old title here")
    client.force_login(question.author)

    client.post(reverse("community:edit", args=[question.pk]), {"title": "New title here", "body": BODY})

    question.refresh_from_db()
    assert (question.title, question.body) == ("New title here", BODY)


def test_a_moderator_edits_someone_elses_answer_only_with_a_reason(moderator_client, member_client):
    answer = AnswerFactory()
    url = reverse("community:edit_answer", args=[answer.question_id, answer.pk])

    assert member_client.get(url).status_code == 403
    refused = moderator_client.post(url, {"body": "Fixed the command: sync --resume"})
    assert refused.status_code == 400
    assert "sync --resume" in refused.content.decode()

    moderator_client.post(url, {"body": "Fixed the command: sync --resume", "reason": "Typo in the command"})
    answer.refresh_from_db()
    assert answer.body == "Fixed the command: sync --resume"
    assert ModerationAction.objects.get(kind=ModerationKind.EDIT).reason == "Typo in the command"


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_no_community_form_offers_a_row_of_dashes(client, language):
    """The ask, edit, moderation and draft-article forms: every empty choice says what to do."""
    question = QuestionFactory()
    QuestionFactory(author=question.author)
    manager = StaffFactory(role=Role.SUPPORT_MANAGER)  # moderates and makes draft articles
    AnswerFactory(question=question)
    question.accepted_answer = question.answers.get()
    question.save(update_fields=["accepted_answer"])
    client.force_login(manager)

    pages = [
        reverse("community:ask"),
        reverse("community:edit", args=[question.pk]),
        question.get_absolute_url(),
    ]
    for url in pages:
        html = client.get(url, HTTP_ACCEPT_LANGUAGE=language).content.decode()
        assert "---------" not in html, url
    detail = client.get(question.get_absolute_url(), HTTP_ACCEPT_LANGUAGE=language).content.decode()
    placeholder = "选择分类" if language == "zh-hans" else "Choose a category"
    assert detail.count(f'<option value="" selected>{placeholder}</option>') == 2  # "Move to" and the article's


def test_the_move_to_and_draft_article_categories_are_named_in_the_viewers_language(client):
    question = QuestionFactory()
    ForumCategoryFactory(name="Mobile apps", name_zh_hans="移动应用")
    CategoryFactory(name="Troubleshooting", name_zh_hans="故障排除")
    AnswerFactory(question=question)
    question.accepted_answer = question.answers.get()
    question.save(update_fields=["accepted_answer"])
    client.force_login(StaffFactory(role=Role.SUPPORT_MANAGER))

    chinese = client.get(question.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    english = client.get(question.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="en").content.decode()

    assert ">移动应用</option>" in chinese
    assert ">故障排除</option>" in chinese
    assert "Mobile apps" not in chinese
    assert "Troubleshooting" not in chinese
    assert ">Mobile apps</option>" in english
    assert ">Troubleshooting</option>" in english


# --- Sanitisation of every field ------------------------------------------------------------------


def test_every_field_a_member_types_is_sanitised_or_escaped(member_client, member):
    MemberProfile.objects.create(user=member, reputation=100)
    attack = '<script>alert(1)</script><img src=x onerror="alert(2)">'
    category = ForumCategoryFactory()

    member_client.post(
        reverse("community:ask"),
        _ask_data(category, title=f"Title {attack}", body=f"Body **bold** {attack} [x](javascript:alert(3))"),
    )
    question = Question.objects.get()
    member_client.post(reverse("community:answer", args=[question.pk]), {"body": f"Answer {attack}"})
    member_client.post(reverse("community:comment", args=[question.pk]), {"body": f"Comment {attack}"})
    answer = Answer.objects.get()
    member_client.post(reverse("community:edit_answer", args=[question.pk, answer.pk]), {"body": f"Edited {attack}"})
    reader = Client()

    html = reader.get(question.get_absolute_url()).content.decode()
    listing = reader.get(reverse("community:questions")).content.decode()

    for page in (html, listing):
        assert "<script>alert(1)" not in page
        assert not re.search(r"<img[^>]*onerror", page)
    assert 'href="javascript' not in html.lower()
    assert "<strong>bold</strong>" in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html  # the title and comment, shown as text
    for body_html in (question.body_html, Answer.objects.get().body_html):
        assert "<script" not in body_html
        assert not re.search(r"<img[^>]*onerror", body_html)


# --- Constant queries for a signed-in reader ----------------------------------------------------


def test_a_signed_in_moderator_sees_the_page_in_the_same_queries_with_5_and_100_answers(moderator_client):
    question = QuestionFactory()
    for _ in range(5):
        AnswerFactory(question=question)
    few = page_queries(moderator_client, question.get_absolute_url())
    for _ in range(95):
        AnswerFactory(question=question)

    assert page_queries(moderator_client, question.get_absolute_url()) == few


def test_unknown_categories_in_forms_are_errors_not_crashes(member_client):
    response = member_client.post(reverse("community:ask"), _ask_data(ForumCategory(pk=10**12)))

    assert response.status_code == 400
    assert not Question.objects.exists()


def test_flag_notes_reasons_and_names_are_shown_as_text_to_moderators(moderator_client):
    attack = "<script>alert(1)</script>"
    question = QuestionFactory(author=UserFactory(display_name=f"Eve {attack}"))
    reporter = Client()
    reporter.force_login(UserFactory())
    reporter.post(reverse("community:flag", args=[question.pk]), {"reason": "spam", "note": f"Note {attack}"})
    moderator_client.post(
        reverse("community:moderate", args=[question.pk]), {"action": "lock", "reason": f"Reason {attack}"}
    )

    pages = [
        moderator_client.get(reverse("community:moderation")).content.decode(),
        moderator_client.get(question.get_absolute_url()).content.decode(),
        moderator_client.get(reverse("community:member", args=[question.author_id])).content.decode(),
    ]

    assert "Note &lt;script&gt;" in pages[0]
    assert "Reason &lt;script&gt;" in pages[1]
    for page in pages:
        assert "<script>alert(1)" not in page
        assert "Eve &lt;script&gt;" in page


def test_the_asker_takes_back_an_acceptance_from_the_page(client):
    from community import services

    answer = AnswerFactory()
    question = answer.question
    services.answer_accept(answer=answer, by=question.author)
    client.force_login(question.author)

    assert "Take back the acceptance" in client.get(question.get_absolute_url()).content.decode()
    client.post(reverse("community:accept", args=[question.pk, answer.pk]), {"accepted": "0"})

    question.refresh_from_db()
    assert question.accepted_answer is None
