"""Followers are told of answers, comments and acceptance; questions become articles and tickets."""

import re
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from articles.models import Status as ArticleStatus
from community import services
from community.models import Follow, ModerationKind, Notification, NotificationKind, PostState
from community.notifications import UNSUBSCRIBE
from kbportal.accounts.roles import Role
from tests.accounts.factories import StaffFactory, UserFactory
from tests.articles.factories import CategoryFactory
from tests.community.factories import AnswerFactory, QuestionFactory
from tickets.models import Channel, Tier

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_holding(settings):
    settings.KBPORTAL_FORUM_HOLD_FIRST_POSTS = 0


def _followed_question():
    question = QuestionFactory(title="Sync stops at 90% on macOS")
    Follow.objects.create(question=question, user=question.author)
    return question


# --- Notifications -----------------------------------------------------------------------------


def test_a_new_answer_notifies_the_followers_on_site_and_by_email(mailoutbox, django_capture_on_commit_callbacks):
    question = _followed_question()
    helper = UserFactory(display_name="Helpful Hanna")

    with django_capture_on_commit_callbacks(execute=True):
        answer = services.answer_post(question=question, author=helper, body="Pause the sync, then resume it.")

    notice = Notification.objects.get(recipient=question.author)
    assert (notice.kind, notice.answer, notice.actor) == (NotificationKind.ANSWER, answer, helper)
    assert [mail.to for mail in mailoutbox] == [[question.author.email]]
    mail = mailoutbox[0]
    assert "Sync stops at 90% on macOS" in mail.subject
    assert f"{question.get_absolute_url()}#answer-{answer.pk}" in mail.body
    assert "Helpful Hanna" in mail.body
    token = re.search(r"/community/unsubscribe/([^/\s]+)/", mail.body).group(1)
    assert UNSUBSCRIBE.target(token) == (question.author.pk, question.pk)
    assert mail.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert f"/community/unsubscribe/{token}/" in mail.extra_headers["List-Unsubscribe"]


def test_the_actor_is_not_told_of_their_own_post(mailoutbox, django_capture_on_commit_callbacks):
    question = _followed_question()

    with django_capture_on_commit_callbacks(execute=True):
        services.comment_add(post=question, author=question.author, body="Still happening today.")

    assert not Notification.objects.exists()
    assert mailoutbox == []


def test_comments_and_acceptance_notify_followers(django_capture_on_commit_callbacks, mailoutbox):
    question = _followed_question()
    helper = UserFactory()
    answer = services.answer_post(question=question, author=helper, body="Pause the sync, then resume it.")
    Notification.objects.all().delete()

    with django_capture_on_commit_callbacks(execute=True):
        services.comment_add(post=answer, author=question.author, body="Which menu is that in?")
        services.answer_accept(answer=answer, by=question.author)

    # The answerer follows the question by answering: told of the comment and of the acceptance.
    kinds = list(Notification.objects.filter(recipient=helper).values_list("kind", flat=True).order_by("pk"))
    assert kinds == [NotificationKind.COMMENT, NotificationKind.ACCEPTED]
    assert {mail.to[0] for mail in mailoutbox} == {helper.email}


def test_a_held_answer_is_announced_when_the_moderator_lets_it_through(settings, django_capture_on_commit_callbacks):
    settings.KBPORTAL_FORUM_HOLD_FIRST_POSTS = 1
    question = _followed_question()
    answer = services.answer_post(question=question, author=UserFactory(), body="Pause the sync, then resume it.")
    assert answer.state == PostState.HELD
    assert not Notification.objects.exists()

    services.post_approve(post=answer, by=StaffFactory(role=Role.MODERATOR))

    assert Notification.objects.get().answer == answer


def test_the_unsubscribe_link_asks_first_then_stops_following_in_one_post(client):
    question = _followed_question()
    url = reverse("community:unsubscribe", args=[UNSUBSCRIBE.token(user_id=question.author.pk, item_id=question.pk)])

    page = client.get(url)  # link scanners fetch links: a GET changes nothing
    assert page.status_code == 200
    assert question.title in page.content.decode()
    assert Follow.objects.filter(user=question.author).exists()

    # No session and no CSRF token: what a mail client's one-click unsubscribe sends.
    client.handler.enforce_csrf_checks = True
    assert client.post(url, {"List-Unsubscribe": "One-Click"}).status_code == 200
    assert not Follow.objects.filter(user=question.author).exists()


def test_a_tampered_unsubscribe_link_is_refused(client):
    question = _followed_question()
    token = UNSUBSCRIBE.token(user_id=question.author.pk, item_id=question.pk)

    response = client.post(reverse("community:unsubscribe", args=[token[:-2] + "xx"]))

    assert response.status_code == 400
    assert Follow.objects.filter(user=question.author).exists()


# --- Promotion to an article -------------------------------------------------------------------


def _answered_question():
    question = QuestionFactory(title="Restore a deleted file", body="I deleted **report.docx** by mistake.")
    answer = AnswerFactory(question=question, author=UserFactory(display_name="Wise Wang"),
                           body="Open *Trash* and choose **Restore**.")  # fmt: skip
    services.answer_accept(answer=answer, by=question.author)
    question.refresh_from_db()
    return question, answer


def test_staff_promote_a_question_with_its_accepted_answer_to_a_draft_article_crediting_the_member(editor):
    question, _answer = _answered_question()
    category = CategoryFactory()

    article = services.question_promote(question=question, by=editor, category=category)

    question.refresh_from_db()
    assert article.status == ArticleStatus.DRAFT
    assert (article.title, article.category, article.language) == (question.title, category, question.language)
    assert question.promoted_article == article
    assert article.source_question == question
    assert "I deleted **report.docx** by mistake." in article.body
    assert "Open *Trash* and choose **Restore**." in article.body
    assert "Wise Wang" in article.body
    assert question.get_absolute_url() in article.body
    assert "<strong>Restore</strong>" in article.body_html
    assert question.moderation_actions.filter(kind=ModerationKind.PROMOTE, actor=editor).exists()
    # Promoting again makes nothing new.
    assert services.question_promote(question=question, by=editor, category=category) == article


def test_only_staff_who_write_articles_promote_and_only_answered_questions(editor):
    question, _answer = _answered_question()
    with pytest.raises(PermissionDenied):
        services.question_promote(question=question, by=question.author, category=CategoryFactory())
    with pytest.raises(PermissionDenied):
        services.question_promote(question=question, by=StaffFactory(role=Role.MODERATOR), category=CategoryFactory())
    with pytest.raises(ValidationError):
        services.question_promote(question=QuestionFactory(), by=editor, category=CategoryFactory())


def test_the_promotion_form_opens_the_draft_in_the_admin(client, editor):
    question, _answer = _answered_question()
    client.force_login(editor)

    response = client.post(reverse("community:promote", args=[question.pk]), {"category": CategoryFactory().pk})

    question.refresh_from_db()
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:articles_article_change", args=[question.promoted_article_id])


# --- Escalation to a ticket --------------------------------------------------------------------


@pytest.fixture
def agent(db):
    return StaffFactory(username="agent", role=Role.AGENT_TIER_1)


def test_staff_escalate_an_unanswered_question_to_a_tier_1_ticket_for_the_asker(agent):
    question = QuestionFactory(title="Licence key rejected", body="It says the key is invalid.")

    ticket = services.question_escalate(question=question, by=agent)

    question.refresh_from_db()
    assert question.escalated_ticket == ticket
    assert ticket.source_question == question
    assert (ticket.requester, ticket.channel, ticket.tier) == (question.author, Channel.COMMUNITY, Tier.TIER_1)
    assert ticket.subject == "Licence key rejected"
    assert "It says the key is invalid." in ticket.description
    assert question.get_absolute_url() in ticket.description
    assert question.moderation_actions.filter(kind=ModerationKind.ESCALATE, actor=agent).exists()
    assert services.question_escalate(question=question, by=agent) == ticket  # once


def test_the_agent_sees_the_question_the_ticket_came_from(client, agent):
    question = QuestionFactory(title="Licence key rejected")
    ticket = services.question_escalate(question=question, by=agent)
    client.force_login(agent)

    html = client.get(reverse("tickets:staff_detail", args=[ticket.reference])).content.decode()

    assert "From the community" in html
    assert f'href="{question.get_absolute_url()}"' in html


def test_the_asker_is_offered_a_ticket_only_after_the_configured_hours(settings):
    settings.KBPORTAL_FORUM_ESCALATION_OFFER_HOURS = 24
    question = QuestionFactory(created_at=timezone.now() - timedelta(hours=23))

    assert not services.escalation_offered(question=question, user=question.author)
    with pytest.raises(PermissionDenied):
        services.question_escalate(question=question, by=question.author)

    question.created_at = timezone.now() - timedelta(hours=25)
    question.save(update_fields=["created_at"])
    assert services.escalation_offered(question=question, user=question.author)
    assert not services.escalation_offered(question=question, user=UserFactory())
    assert services.question_escalate(question=question, by=question.author).channel == Channel.COMMUNITY


def test_an_answered_question_is_not_offered_and_members_cannot_escalate_others(settings):
    settings.KBPORTAL_FORUM_ESCALATION_OFFER_HOURS = 1
    old = timezone.now() - timedelta(days=3)
    answered = QuestionFactory(created_at=old, answer_count=1)
    assert not services.escalation_offered(question=answered, user=answered.author)
    with pytest.raises(PermissionDenied):
        services.question_escalate(question=QuestionFactory(created_at=old), by=UserFactory())


def test_the_asker_sees_the_offer_on_the_page_and_lands_on_the_ticket(client, settings):
    settings.KBPORTAL_FORUM_ESCALATION_OFFER_HOURS = 48
    question = QuestionFactory(created_at=timezone.now() - timedelta(hours=50))
    client.force_login(question.author)

    assert "Ask the support team" in client.get(question.get_absolute_url()).content.decode()
    response = client.post(reverse("community:escalate", args=[question.pk]))

    question.refresh_from_db()
    assert response["Location"] == question.escalated_ticket.get_absolute_url()
    assert "Ask the support team" not in client.get(question.get_absolute_url()).content.decode()


def test_a_question_s_unsubscribe_link_does_not_open_another_kind_of_follow(client):
    question = _followed_question()
    token = UNSUBSCRIBE.token(user_id=question.author.pk, item_id=question.pk)

    assert client.post(f"/status/unsubscribe/{token}/").status_code == 400
    assert Follow.objects.filter(user=question.author).exists()
