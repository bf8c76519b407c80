"""The forum API: the pages' scoping and the services' rules behind REST endpoints, 400s and 403s, never 500s."""

from datetime import timedelta

import pytest
from django.utils import timezone

from articles import services as article_services
from community import services
from community.models import Answer, Comment, Follow, MemberProfile, ModerationAction, PostState, Question
from kbportal.accounts.roles import Role
from tests.accounts.factories import StaffFactory, UserFactory
from tests.articles.factories import CategoryFactory
from tests.community.factories import AnswerFactory, ForumCategoryFactory, QuestionFactory
from tests.queries import page_queries

pytestmark = pytest.mark.django_db

JSON = "application/json"
QUESTIONS = "/api/v1/forum/questions/"
ANSWERS = "/api/v1/forum/answers/"
BODY = "The desktop client stops syncing at 90% every time."
TOO_BIG = "9" * 30


@pytest.fixture(autouse=True)
def _no_holding(settings):
    """Most tests are about what happens after moderation; the held-first-post rule has its own tests."""
    settings.KBPORTAL_FORUM_HOLD_FIRST_POSTS = 0


@pytest.fixture
def moderator(db):
    return StaffFactory(username="moderator", role=Role.MODERATOR)


def _member(reputation: int = 1):
    """A member past the new-account limits, with the given reputation."""
    user = UserFactory()
    user.date_joined = timezone.now() - timedelta(days=365)
    user.save(update_fields=["date_joined"])
    MemberProfile.objects.create(user=user, reputation=reputation)
    return user


def _as(client, user):
    client.force_login(user)
    return client


def _ids(response) -> list[int]:
    assert response.status_code == 200, response.content
    return [row["id"] for row in response.json()["results"]]


def _ask(client, **fields):
    payload = {"category": ForumCategoryFactory().slug, "title": "Sync stops at 90 percent", "body": BODY, **fields}
    return client.post(QUESTIONS, payload, content_type=JSON)


# --- Listing, filters, ordering ------------------------------------------------------------------


def test_the_list_shows_visible_questions_pinned_first_then_by_latest_activity(client):
    now = timezone.now()
    older = QuestionFactory(last_activity_at=now - timedelta(days=2))
    newer = QuestionFactory(last_activity_at=now)
    pinned = QuestionFactory(last_activity_at=now - timedelta(days=9), is_pinned=True)
    QuestionFactory(state=PostState.HIDDEN)
    QuestionFactory(state=PostState.HELD)

    assert _ids(client.get(QUESTIONS)) == [pinned.pk, newer.pk, older.pk]


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"category": "printing"}, {"in_category"}),
        ({"tag": "sso"}, {"tagged"}),
        ({"language": "zh-hans"}, {"chinese"}),
        ({"product_version": "4.2"}, {"on_4_2"}),
        ({"unanswered": "true"}, {"in_category", "tagged", "chinese", "on_4_2"}),
        ({"unanswered": "false"}, {"answered", "accepted"}),
        ({"accepted": "true"}, {"accepted"}),
        ({"accepted": "false", "unanswered": "false"}, {"answered"}),
    ],
    ids=["category", "tag", "language", "version", "unanswered", "answered", "accepted", "combined"],
)
def test_questions_filter_by_declared_fields(client, params, expected):
    category = ForumCategoryFactory(slug="printing")
    (tag,) = article_services.tags_get_or_create(names=["SSO"])
    (version,) = article_services.product_versions_get_or_create(names=["4.2"])
    made = {
        "in_category": QuestionFactory(category=category),
        "tagged": QuestionFactory(),
        "chinese": QuestionFactory(language="zh-hans"),
        "on_4_2": QuestionFactory(product_version=version),
        "answered": QuestionFactory(answer_count=1),
        "accepted": QuestionFactory(),
    }
    made["tagged"].tags.add(tag)
    accepted = AnswerFactory(question=made["accepted"])
    services.answer_accept(answer=accepted, by=made["accepted"].author)
    Question.objects.filter(pk=made["accepted"].pk).update(answer_count=1)

    found = set(_ids(client.get(QUESTIONS, params)))

    assert found == {made[name].pk for name in expected}


def test_unknown_filter_values_answer_400_with_the_fields(client):
    response = client.get(
        QUESTIONS,
        {"category": "nope", "tag": "nope", "language": "klingon", "product_version": "99.9", "unanswered": "maybe"},
    )

    assert response.status_code == 400
    assert set(response.json()) == {"category", "tag", "language", "product_version", "unanswered"}


def test_only_declared_ordering_fields_are_used(client):
    low, high = QuestionFactory(score=1, title="B question title"), QuestionFactory(score=5, title="A question title")

    assert _ids(client.get(QUESTIONS, {"ordering": "-score"})) == [high.pk, low.pk]
    assert _ids(client.get(QUESTIONS, {"ordering": "score"})) == [low.pk, high.pk]
    # title is not declared: ignored, and the default (latest activity first) applies.
    assert _ids(client.get(QUESTIONS, {"ordering": "title"})) == [high.pk, low.pk]


def test_page_size_has_the_projects_hard_maximum(client):
    category = ForumCategoryFactory()
    for _ in range(105):
        QuestionFactory(category=category)

    response = client.get(QUESTIONS, {"page_size": 1000})

    assert len(response.json()["results"]) == 100
    assert response.json()["count"] == 105


def test_mine_adds_the_members_held_questions_and_needs_a_signed_in_member(client):
    member = _member()
    visible, held = QuestionFactory(author=member), QuestionFactory(author=member, state=PostState.HELD)
    QuestionFactory(author=member, state=PostState.HIDDEN)
    QuestionFactory()

    assert client.get(QUESTIONS, {"mine": "true"}).status_code in (401, 403)
    _as(client, member)
    assert set(_ids(client.get(QUESTIONS, {"mine": "true"}))) == {visible.pk, held.pk}
    assert held.pk not in _ids(client.get(QUESTIONS))


def test_categories_are_listed_in_their_order(client):
    second, first = ForumCategoryFactory(position=2), ForumCategoryFactory(position=1)

    assert _ids(client.get("/api/v1/forum/categories/")) == [first.pk, second.pk]


# --- Reading a question --------------------------------------------------------------------------


def test_a_question_reads_with_comments_and_answers_accepted_then_verified_then_by_score(client):
    question = QuestionFactory()
    popular = AnswerFactory(question=question, score=9)
    verified = AnswerFactory(question=question, is_verified=True)
    accepted = AnswerFactory(question=question)
    AnswerFactory(question=question, state=PostState.HIDDEN)
    services.answer_accept(answer=accepted, by=question.author)
    Comment.objects.create(question=question, author=popular.author, body="Which version?")
    Comment.objects.create(question=question, author=popular.author, body="Spam", state=PostState.HIDDEN)
    Comment.objects.create(answer=popular, author=question.author, body="That worked.")

    data = client.get(f"{QUESTIONS}{question.pk}/").json()

    assert [answer["id"] for answer in data["answers"]] == [accepted.pk, verified.pk, popular.pk]
    assert [answer["is_accepted"] for answer in data["answers"]] == [True, False, False]
    assert [comment["body"] for comment in data["comments"]] == ["Which version?"]
    assert [comment["body"] for comment in data["answers"][2]["comments"]] == ["That worked."]
    assert data["author"] == {"id": question.author.pk, "name": question.author.public_name, "is_staff": False}


def test_no_e_mail_address_is_ever_shown(client):
    question = QuestionFactory()
    answer = AnswerFactory(question=question)
    Comment.objects.create(answer=answer, author=question.author, body="Thanks!")

    for url in (QUESTIONS, f"{QUESTIONS}{question.pk}/", f"{ANSWERS}{answer.pk}/"):
        assert "@example.com" not in client.get(url).content.decode()


def test_hidden_and_held_questions_are_not_leaked(client, moderator):
    hidden, held = QuestionFactory(state=PostState.HIDDEN), QuestionFactory(state=PostState.HELD)
    hidden_answer = AnswerFactory(state=PostState.HIDDEN)

    assert client.get(f"{QUESTIONS}{hidden.pk}/").status_code == 404
    assert client.get(f"{QUESTIONS}{held.pk}/").status_code == 404
    assert client.get(f"{ANSWERS}{hidden_answer.pk}/").status_code == 404
    _as(client, _member())
    assert client.post(f"{QUESTIONS}{hidden.pk}/vote/", {"value": 1}, content_type=JSON).status_code == 404
    assert client.post(f"{QUESTIONS}{held.pk}/answers/", {"body": BODY}, content_type=JSON).status_code == 404
    assert client.post(f"{ANSWERS}{hidden_answer.pk}/vote/", {"value": 1}, content_type=JSON).status_code == 404
    _as(client, held.author)
    assert client.get(f"{QUESTIONS}{held.pk}/").json()["state"] == PostState.HELD
    _as(client, moderator)
    assert client.get(f"{QUESTIONS}{hidden.pk}/").status_code == 404  # moderators restore it, then read it


@pytest.mark.parametrize(
    "url",
    [f"{QUESTIONS}{TOO_BIG}/", f"{ANSWERS}{TOO_BIG}/", f"{QUESTIONS}abc/", f"{QUESTIONS}{TOO_BIG}/vote/"],
    ids=["huge-question", "huge-answer", "letters", "huge-vote"],
)
def test_huge_or_malformed_ids_are_404_not_500(client, url):
    _as(client, _member())

    response = client.post(url, {"value": 1}, content_type=JSON) if url.endswith("vote/") else client.get(url)

    assert response.status_code == 404


# --- Asking, answering, commenting -----------------------------------------------------------------


def test_members_ask_and_the_html_is_sanitized(client):
    member = _member()
    (tag,) = article_services.tags_get_or_create(names=["sync"])
    (version,) = article_services.product_versions_get_or_create(names=["4.2"])
    _as(client, member)

    response = _ask(
        client,
        body="Sync **stops** at 90% <script>alert(1)</script> [x](javascript:alert(1)) every time.",
        tags=[tag.slug],
        product_version="4.2",
    )

    data = response.json()
    assert response.status_code == 201
    assert "<strong>stops</strong>" in data["body_html"]
    assert "<script" not in data["body_html"]
    assert 'href="javascript' not in data["body_html"]
    assert "<script>" in data["body"]  # the source stays as typed; only the HTML is served for display
    assert (data["state"], data["language"], data["product_version"]) == (PostState.VISIBLE, "en", version.name)
    assert data["tags"] == [{"name": "sync", "slug": tag.slug}]
    assert Follow.objects.filter(question_id=data["id"], user=member).exists()


def test_a_double_submitted_question_is_posted_once(client):
    _as(client, _member())
    category = ForumCategoryFactory()

    first = _ask(client, category=category.slug)
    second = _ask(client, category=category.slug)

    assert first.json()["id"] == second.json()["id"]
    assert Question.objects.count() == 1


def test_a_new_members_first_question_waits_for_a_moderator(client, settings, moderator):
    settings.KBPORTAL_FORUM_HOLD_FIRST_POSTS = 1
    member = _member()
    _as(client, member)

    held = _ask(client).json()

    assert held["state"] == PostState.HELD
    assert held["id"] not in _ids(client.get(QUESTIONS))
    assert held["id"] in _ids(client.get(QUESTIONS, {"mine": "true"}))
    _as(client, moderator)
    assert client.post(f"{QUESTIONS}{held['id']}/approve/").json()["state"] == PostState.VISIBLE
    assert held["id"] in _ids(client.get(QUESTIONS))


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"title": None}, "title"),
        ({"category": "no-such-category"}, "category"),
        ({"tags": ["no-such-tag"]}, "tags"),
        ({"tags": [f"t{n}" for n in range(6)]}, "tags"),
        ({"language": "klingon"}, "language"),
        ({"product_version": "99.9"}, "product_version"),
        ({"title": "Help"}, "title"),  # the service's minimum length
        ({"body": "Broken"}, "body"),
        ({"title": "x" * 201}, "title"),
    ],
    ids=["missing-title", "unknown-category", "unknown-tag", "too-many-tags", "language", "version", "short-title",
         "short-body", "long-title"],
)  # fmt: skip
def test_bad_question_input_answers_400_with_the_field(client, fields, field):
    _as(client, _member())
    payload = {"category": ForumCategoryFactory().slug, "title": "Sync stops at 90 percent", "body": BODY, **fields}
    payload = {name: value for name, value in payload.items() if value is not None}

    response = client.post(QUESTIONS, payload, content_type=JSON)

    assert response.status_code == 400
    assert field in response.json()
    assert not Question.objects.exists()


def test_only_staff_ask_in_a_staff_category(client):
    _as(client, _member())

    response = _ask(client, category=ForumCategoryFactory(staff_only=True).slug)

    assert response.status_code == 400
    assert "category" in response.json()


def test_anonymous_visitors_read_but_never_write(client):
    question = QuestionFactory()
    answer = AnswerFactory(question=question)

    writes = [
        client.post(QUESTIONS, {"title": "x"}, content_type=JSON),
        client.post(f"{QUESTIONS}{question.pk}/answers/", {"body": BODY}, content_type=JSON),
        client.post(f"{QUESTIONS}{question.pk}/vote/", {"value": 1}, content_type=JSON),
        client.post(f"{QUESTIONS}{question.pk}/follow/"),
        client.post(f"{ANSWERS}{answer.pk}/accept/"),
        client.post(f"{ANSWERS}{answer.pk}/flag/", {"reason": "spam"}, content_type=JSON),
    ]

    assert {response.status_code for response in writes} <= {401, 403}
    assert (Answer.objects.count(), Follow.objects.count()) == (1, 0)
    assert client.get(f"{ANSWERS}{answer.pk}/").status_code == 200


def test_members_answer_and_comment(client):
    question = QuestionFactory()
    member = _member()
    _as(client, member)

    answer = client.post(f"{QUESTIONS}{question.pk}/answers/", {"body": "Pause <b>sync</b>, then resume."},
                         content_type=JSON)  # fmt: skip
    on_question = client.post(f"{QUESTIONS}{question.pk}/comments/", {"body": "Which OS?"}, content_type=JSON)
    on_answer = client.post(f"{ANSWERS}{answer.json()['id']}/comments/", {"body": "Tried it."}, content_type=JSON)

    assert answer.status_code == 201
    assert answer.json()["author"]["id"] == member.pk
    assert (on_question.status_code, on_answer.status_code) == (201, 201)
    assert on_answer.json()["body"] == "Tried it."
    assert Question.objects.get(pk=question.pk).answer_count == 1


def test_bad_answers_and_comments_answer_400_and_closed_questions_403(client):
    locked = QuestionFactory(is_locked=True)
    question = QuestionFactory()
    _as(client, _member())

    assert "body" in client.post(f"{QUESTIONS}{question.pk}/answers/", {}, content_type=JSON).json()
    assert "body" in client.post(f"{QUESTIONS}{question.pk}/answers/", {"body": "Short"}, content_type=JSON).json()
    assert "body" in client.post(f"{QUESTIONS}{question.pk}/comments/", {"body": "x"}, content_type=JSON).json()
    assert client.post(f"{QUESTIONS}{locked.pk}/answers/", {"body": BODY}, content_type=JSON).status_code == 403
    assert client.post(f"{QUESTIONS}{locked.pk}/comments/", {"body": "Hello"}, content_type=JSON).status_code == 403


def test_authors_edit_their_posts_and_others_may_not(client, moderator):
    question = QuestionFactory()
    answer = AnswerFactory(question=question)
    url = f"{QUESTIONS}{question.pk}/"

    _as(client, answer.author)
    refused = client.patch(url, {"body": "Someone else's text."}, content_type=JSON)
    own = client.patch(f"{ANSWERS}{answer.pk}/", {"body": "Pause **sync** first."}, content_type=JSON)
    _as(client, moderator)
    no_reason = client.patch(url, {"body": "A moderator's fix."}, content_type=JSON)
    fixed = client.patch(url, {"body": "A moderator's fix.", "title": "Sync stops at 90%", "reason": "Typo"},
                         content_type=JSON)  # fmt: skip

    assert refused.status_code == 403
    assert "<strong>sync</strong>" in own.json()["body_html"]
    assert no_reason.status_code == 400
    assert "reason" in no_reason.json()
    assert (fixed.json()["title"], fixed.json()["body_html"]) == ("Sync stops at 90%", "<p>A moderator's fix.</p>\n")


# --- Votes, acceptance, verification, flags, following ---------------------------------------------


def test_an_up_vote_returns_the_score_and_a_double_submit_counts_once(client):
    question = QuestionFactory()
    _as(client, _member())
    url = f"{QUESTIONS}{question.pk}/vote/"

    first = client.post(url, {"value": 1}, content_type=JSON)
    again = client.post(url, {"value": 1}, content_type=JSON)

    assert first.json() == again.json() == {"value": 1, "score": 1}


def test_a_vote_changes_and_zero_takes_it_back(client):
    answer = AnswerFactory()
    _as(client, _member(reputation=100))
    url = f"{ANSWERS}{answer.pk}/vote/"

    assert client.post(url, {"value": 1}, content_type=JSON).json()["score"] == 1
    assert client.post(url, {"value": -1}, content_type=JSON).json()["score"] == -1
    assert client.post(url, {"value": 0}, content_type=JSON).json()["score"] == 0


def test_nobody_votes_on_their_own_post_and_voting_down_needs_reputation(client):
    question = QuestionFactory()
    _as(client, question.author)
    own = client.post(f"{QUESTIONS}{question.pk}/vote/", {"value": 1}, content_type=JSON)
    _as(client, _member(reputation=1))
    down = client.post(f"{QUESTIONS}{question.pk}/vote/", {"value": -1}, content_type=JSON)

    assert (own.status_code, down.status_code) == (403, 403)
    assert "reputation" in down.json()["detail"]
    assert Question.objects.get(pk=question.pk).score == 0


@pytest.mark.parametrize("value", ["abc", 5, TOO_BIG, None, [1]], ids=["letters", "five", "huge", "null", "list"])
def test_bad_vote_values_answer_400_with_the_field(client, value):
    question = QuestionFactory()
    _as(client, _member())

    response = client.post(f"{QUESTIONS}{question.pk}/vote/", {"value": value}, content_type=JSON)

    assert response.status_code == 400
    assert "value" in response.json()


def test_only_the_asker_or_staff_accept_an_answer(client, moderator):
    question = QuestionFactory()
    first, second = AnswerFactory(question=question), AnswerFactory(question=question)

    _as(client, first.author)
    refused = client.post(f"{ANSWERS}{first.pk}/accept/")
    _as(client, question.author)
    accepted = client.post(f"{ANSWERS}{first.pk}/accept/")
    _as(client, moderator)  # staff
    moved = client.post(f"{ANSWERS}{second.pk}/accept/")

    assert refused.status_code == 403
    assert accepted.json() == {"question": question.pk, "accepted_answer": first.pk}
    assert moved.json()["accepted_answer"] == second.pk
    assert client.get(f"{ANSWERS}{second.pk}/").json()["is_accepted"] is True
    assert client.delete(f"{ANSWERS}{second.pk}/accept/").json()["accepted_answer"] is None


def test_staff_verify_answers_and_members_cannot(client, moderator):
    answer = AnswerFactory()

    _as(client, _member())
    refused = client.post(f"{ANSWERS}{answer.pk}/verify/")
    _as(client, moderator)
    verified = client.post(f"{ANSWERS}{answer.pk}/verify/")
    taken_back = client.post(f"{ANSWERS}{answer.pk}/verify/", {"verified": False}, content_type=JSON)

    assert refused.status_code == 403
    assert verified.json()["is_verified"] is True
    assert taken_back.json()["is_verified"] is False


def test_members_flag_a_post_once_never_their_own_and_enough_flags_hide_it(client, settings):
    settings.KBPORTAL_FORUM_FLAGS_TO_HIDE = 2
    answer = AnswerFactory()
    url = f"{ANSWERS}{answer.pk}/flag/"

    _as(client, answer.author)
    own = client.post(url, {"reason": "spam"}, content_type=JSON)
    _as(client, _member())
    bad = client.post(url, {"reason": "boring"}, content_type=JSON)
    first = client.post(url, {"reason": "spam", "note": "Advert"}, content_type=JSON)
    again = client.post(url, {"reason": "offensive"}, content_type=JSON)
    _as(client, _member())
    client.post(url, {"reason": "spam"}, content_type=JSON)

    assert own.status_code == 403
    assert (bad.status_code, set(bad.json())) == (400, {"reason"})
    assert (first.status_code, first.json()["reason"], first.json()["note"]) == (201, "spam", "Advert")
    assert again.json()["id"] == first.json()["id"]
    assert Answer.objects.get(pk=answer.pk).state == PostState.HIDDEN
    assert client.get(f"{ANSWERS}{answer.pk}/").status_code == 404


def test_members_follow_and_unfollow_a_question(client):
    question = QuestionFactory()
    member = _member()
    _as(client, member)
    url = f"{QUESTIONS}{question.pk}/follow/"

    assert client.post(url).json() == {"following": True}
    assert client.post(url).json() == {"following": True}
    assert Follow.objects.filter(question=question, user=member).count() == 1
    assert client.delete(url).json() == {"following": False}
    assert not Follow.objects.filter(question=question, user=member).exists()


# --- Moderation ----------------------------------------------------------------------------------


def test_moderators_hide_and_restore_questions_with_a_reason(client, moderator):
    question = QuestionFactory()
    _as(client, moderator)

    no_reason = client.post(f"{QUESTIONS}{question.pk}/hide/", {}, content_type=JSON)
    hidden = client.post(f"{QUESTIONS}{question.pk}/hide/", {"reason": "Spam"}, content_type=JSON)
    unreadable = client.get(f"{QUESTIONS}{question.pk}/")
    restored = client.post(f"{QUESTIONS}{question.pk}/restore/", {"reason": "Not spam"}, content_type=JSON)

    assert (no_reason.status_code, set(no_reason.json())) == (400, {"reason"})
    assert hidden.json()["state"] == PostState.HIDDEN
    assert unreadable.status_code == 404
    assert restored.json()["state"] == PostState.VISIBLE
    assert list(ModerationAction.objects.values_list("kind", "reason").order_by("pk")) == [
        ("hide", "Spam"),
        ("restore", "Not spam"),
    ]


def test_moderators_hide_and_approve_answers(client, moderator):
    question = QuestionFactory()
    spam, held = AnswerFactory(question=question), AnswerFactory(question=question, state=PostState.HELD)
    Question.objects.filter(pk=question.pk).update(answer_count=1)
    _as(client, moderator)

    hidden = client.post(f"{ANSWERS}{spam.pk}/hide/", {"reason": "Advert"}, content_type=JSON)
    approved = client.post(f"{ANSWERS}{held.pk}/approve/")

    assert hidden.json()["state"] == PostState.HIDDEN
    assert approved.json()["state"] == PostState.VISIBLE
    assert [answer["id"] for answer in client.get(f"{QUESTIONS}{question.pk}/").json()["answers"]] == [held.pk]


@pytest.mark.parametrize(
    ("method", "path", "payload"),
    [
        ("post", "{q}/hide/", {"reason": "Spam"}),
        ("post", "{q}/restore/", {}),
        ("post", "{q}/approve/", {}),
        ("post", "{q}/moderate/", {"locked": True}),
        ("post", "{a}/hide/", {"reason": "Spam"}),
        ("post", "{a}/approve/", {}),
        ("post", f"{QUESTIONS}{TOO_BIG}/hide/", {"reason": "Spam"}),
    ],
    ids=["hide", "restore", "approve", "moderate", "hide-answer", "approve-answer", "unknown-id"],
)
def test_members_are_refused_moderation(client, method, path, payload):
    question = QuestionFactory()
    answer = AnswerFactory(question=question)
    _as(client, _member(reputation=1000))
    url = path.format(q=f"{QUESTIONS}{question.pk}", a=f"{ANSWERS}{answer.pk}")

    response = getattr(client, method)(url, payload, content_type=JSON)

    assert response.status_code == 403
    assert not ModerationAction.objects.exists()


def test_moderators_lock_pin_close_as_duplicate_and_move(client, moderator):
    question, original = QuestionFactory(), QuestionFactory()
    elsewhere = ForumCategoryFactory()
    _as(client, moderator)
    url = f"{QUESTIONS}{question.pk}/moderate/"

    data = client.post(url, {"locked": True, "pinned": True, "reason": "Settled"}, content_type=JSON).json()
    assert (data["is_locked"], data["is_pinned"]) == (True, True)
    data = client.post(url, {"duplicate_of": original.pk, "category": elsewhere.slug}, content_type=JSON).json()
    assert (data["duplicate_of"], data["category"]) == (original.pk, elsewhere.slug)
    _as(client, _member())
    assert client.post(f"{QUESTIONS}{question.pk}/answers/", {"body": BODY}, content_type=JSON).status_code == 403


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({}, "non_field_errors"),
        ({"duplicate_of": "abc"}, "duplicate_of"),
        ({"duplicate_of": int(TOO_BIG)}, "duplicate_of"),
        ({"duplicate_of": "self"}, "duplicate_of"),
        ({"category": "no-such-category"}, "category"),
        ({"locked": "perhaps"}, "locked"),
    ],
    ids=["nothing", "letters", "huge", "itself", "unknown-category", "not-a-boolean"],
)
def test_bad_moderation_input_answers_400_with_the_field(client, moderator, payload, field):
    question = QuestionFactory()
    _as(client, moderator)
    if payload.get("duplicate_of") == "self":
        payload = {"duplicate_of": question.pk}

    response = client.post(f"{QUESTIONS}{question.pk}/moderate/", payload, content_type=JSON)

    assert response.status_code == 400
    assert field in response.json()


# --- Into support and knowledge --------------------------------------------------------------------


def test_support_staff_escalate_and_editors_promote(client, editor):
    question = QuestionFactory()
    answer = AnswerFactory(question=question)
    services.answer_accept(answer=answer, by=question.author)

    _as(client, _member())
    refused = client.post(f"{QUESTIONS}{question.pk}/escalate/", {}, content_type=JSON)
    _as(client, editor)
    bad = client.post(f"{QUESTIONS}{question.pk}/promote/", {"category": TOO_BIG}, content_type=JSON)
    promoted = client.post(f"{QUESTIONS}{question.pk}/promote/", {"category": CategoryFactory().pk}, content_type=JSON)
    _as(client, StaffFactory(role=Role.AGENT_TIER_1))
    escalated = client.post(f"{QUESTIONS}{QuestionFactory().pk}/escalate/", {"reason": "Bug"}, content_type=JSON)

    assert refused.status_code == 403
    assert (bad.status_code, set(bad.json())) == (400, {"category"})
    assert promoted.status_code == 201
    assert Question.objects.get(pk=question.pk).promoted_article_id == promoted.json()["article"]
    assert escalated.status_code == 201
    assert escalated.json()["ticket"].startswith("HW-")


# --- Query counts and the schema -----------------------------------------------------------------


def _populate_questions(count: int) -> None:
    tags = article_services.tags_get_or_create(names=["sync", "sso"])
    (version,) = article_services.product_versions_get_or_create(names=["4.2"])
    for _ in range(count):
        question = QuestionFactory(category=ForumCategoryFactory(), product_version=version)
        question.tags.set(tags)


@pytest.mark.parametrize("signed_in", [False, True], ids=["anonymous", "member"])
def test_the_question_list_costs_the_same_queries_for_5_and_30_questions(client, signed_in):
    if signed_in:
        _as(client, _member())
    url = f"{QUESTIONS}?page_size=100"
    _populate_questions(5)
    few = page_queries(client, url)
    _populate_questions(25)

    assert page_queries(client, url) == few
    assert len(client.get(url).json()["results"]) == 30


def _populate_answers(question: Question, count: int) -> None:
    for n in range(count):
        answer = AnswerFactory(question=question, score=n % 4, is_verified=n % 7 == 0)
        Comment.objects.create(answer=answer, author=question.author, body=f"Thanks {n}")
        Comment.objects.create(question=question, author=answer.author, body=f"Also seen {n}")


def test_a_question_costs_the_same_queries_with_5_and_50_answers(client):
    question = QuestionFactory()
    url = f"{QUESTIONS}{question.pk}/"
    _populate_answers(question, 5)
    services.answer_accept(answer=question.answers.last(), by=question.author)
    few = page_queries(client, url)
    _populate_answers(question, 45)

    assert page_queries(client, url) == few
    assert len(client.get(url).json()["answers"]) == 50


def test_the_schema_describes_the_forum(client):
    schema = client.get("/api/v1/schema/")

    assert schema.status_code == 200
    for path in (b"/api/v1/forum/questions/", b"/api/v1/forum/questions/{id}/moderate/", b"/api/v1/forum/answers/"):
        assert path in schema.content


def test_forum_writes_are_rate_limited_per_member_and_reads_are_not(client, settings):
    settings.KBPORTAL_RATE_LIMITS = {**settings.KBPORTAL_RATE_LIMITS, "forum": {"user": "2/m"}}
    answer = AnswerFactory()
    _as(client, _member())
    url = f"/api/v1/forum/answers/{answer.pk}/vote/"

    codes = [client.post(url, {"value": value}, content_type=JSON).status_code for value in (1, 0, 1)]

    assert codes == [200, 200, 429]
    assert client.get(f"/api/v1/forum/questions/{answer.question_id}/").status_code == 200
