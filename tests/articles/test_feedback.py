"""Was this helpful?: one answer per voter and item, changeable, exact under concurrency."""

import pytest
from django.urls import reverse

from articles import services
from articles.models import Article, Feedback, Video
from tests.accounts.factories import UserFactory
from tests.articles.factories import ArticleFactory, VideoFactory
from tests.concurrency import run_concurrently


def _vote(client, item, **data):
    kind = "article" if isinstance(item, Article) else "video"
    return client.post(reverse("articles:feedback", args=[kind, item.pk]), data)


def _tallies(item) -> tuple[int, int]:
    item.refresh_from_db()
    return item.helpful_count, item.not_helpful_count


@pytest.mark.django_db
def test_a_signed_in_user_votes_once_and_can_change_the_answer(customer_client):
    article = ArticleFactory()

    _vote(customer_client, article, helpful="yes")
    _vote(customer_client, article, helpful="yes")
    assert _tallies(article) == (1, 0)

    _vote(customer_client, article, helpful="no", reason="outdated", comment="Menu moved in 4.2")
    assert _tallies(article) == (0, 1)
    feedback = Feedback.objects.get()
    assert (feedback.reason, feedback.comment) == ("outdated", "Menu moved in 4.2")


@pytest.mark.django_db
def test_an_anonymous_session_votes_once_per_item(client):
    article = ArticleFactory()

    first = _vote(client, article, helpful="no")
    _vote(client, article, helpful="no", reason="unclear")

    assert first.status_code == 302
    assert first["Location"].endswith("#helpfulness")
    assert _tallies(article) == (0, 1)
    assert Feedback.objects.get().session_key == client.session.session_key


@pytest.mark.django_db
def test_two_anonymous_browsers_count_as_two_votes(client):
    from django.test import Client

    article = ArticleFactory()

    _vote(client, article, helpful="yes")
    _vote(Client(), article, helpful="yes")

    assert _tallies(article) == (2, 0)


@pytest.mark.django_db
def test_videos_take_feedback_like_articles(client):
    video = VideoFactory()

    _vote(client, video, helpful="no", reason="not-solved")

    assert _tallies(video) == (0, 1)


@pytest.mark.django_db
def test_a_reason_is_dropped_when_the_answer_is_yes(customer_client):
    article = ArticleFactory()

    _vote(customer_client, article, helpful="yes", reason="outdated")

    assert Feedback.objects.get().reason == ""


@pytest.mark.django_db
def test_bad_input_is_refused_with_a_message_and_counts_nothing(client):
    article = ArticleFactory()

    response = _vote(client, article, helpful="maybe")
    scripted = client.post(
        reverse("articles:feedback", args=["article", article.pk]),
        {"helpful": "no", "reason": "because"},
        HTTP_ACCEPT="application/json",
    )

    assert response.status_code == 302
    assert scripted.status_code == 400
    assert "reason" in scripted.json()["error"].lower()
    assert _tallies(article) == (0, 0)


@pytest.mark.django_db
def test_feedback_requires_post(client):
    article = ArticleFactory()

    assert client.get(reverse("articles:feedback", args=["article", article.pk])).status_code == 405


@pytest.mark.django_db
def test_feedback_checks_the_csrf_token(customer):
    from django.test import Client

    article = ArticleFactory()
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(customer)

    assert _vote(strict, article, helpful="yes").status_code == 403
    assert _tallies(article) == (0, 0)


@pytest.mark.django_db
def test_the_page_answers_scripts_with_the_new_widget(client):
    article = ArticleFactory()

    response = client.post(
        reverse("articles:feedback", args=["article", article.pk]), {"helpful": "no"}, HTTP_ACCEPT="application/json"
    )

    assert response.status_code == 200
    assert "What was wrong?" in response.json()["html"]


@pytest.mark.django_db
def test_the_helpful_percentage_shows_only_with_enough_votes(client, settings):
    settings.KBPORTAL_HELPFULNESS_MIN_VOTES = 3
    article = ArticleFactory()
    for n in range(2):
        services.feedback_submit(item=article, voter=services.Voter(session_key=f"s{n}"), helpful=True)
    assert "found this helpful" not in client.get(article.get_absolute_url()).content.decode()

    services.feedback_submit(item=article, voter=services.Voter(session_key="s2"), helpful=False)

    assert "67% of 3 readers found this helpful" in client.get(article.get_absolute_url()).content.decode()


@pytest.mark.django_db
def test_the_api_takes_feedback_from_signed_in_users_only(customer_client):
    from django.test import Client

    article = ArticleFactory()
    url = f"/api/v1/articles/{article.pk}/feedback/"

    assert Client().post(url, {"helpful": True}, content_type="application/json").status_code == 403
    response = customer_client.post(url, {"helpful": False, "reason": "unclear"}, content_type="application/json")
    invalid = customer_client.post(url, {"helpful": "perhaps"}, content_type="application/json")

    assert response.status_code == 200
    assert response.json()["not_helpful_count"] == 1
    assert invalid.status_code == 400
    assert "helpful" in invalid.json()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.parametrize("model_factory", [ArticleFactory, VideoFactory], ids=["article", "video"])
def test_fifty_concurrent_votes_are_all_counted(model_factory):
    item = model_factory()
    users = [UserFactory() for _ in range(50)]

    errors = run_concurrently(
        50,
        lambda n: services.feedback_submit(
            item=item, voter=services.Voter(user=users[n]), helpful=n % 5 != 0, reason="" if n % 5 else "unclear"
        ),
    )

    assert errors == []
    assert _tallies(item) == (40, 10)
    model = type(item)
    assert Feedback.objects.filter(**{model.__name__.lower(): item}).count() == 50
    assert model.objects.get(pk=item.pk).votes_total == 50


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_changes_by_one_voter_leave_one_vote():
    article = ArticleFactory()
    voter = services.Voter(session_key="same-browser")

    errors = run_concurrently(20, lambda n: services.feedback_submit(item=article, voter=voter, helpful=n % 2 == 0))

    assert errors == []
    assert Feedback.objects.filter(article=article).count() == 1
    helpful, not_helpful = _tallies(article)
    assert helpful + not_helpful == 1
    assert helpful == int(Feedback.objects.get(article=article).helpful)


@pytest.mark.django_db
def test_a_user_and_a_video_vote_do_not_collide(customer):
    article, video = ArticleFactory(), VideoFactory()

    services.feedback_submit(item=article, voter=services.Voter(user=customer), helpful=True)
    services.feedback_submit(item=video, voter=services.Voter(user=customer), helpful=True)

    assert (Article.objects.get().helpful_count, Video.objects.get().helpful_count) == (1, 1)
