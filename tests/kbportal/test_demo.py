"""`make run` loads the demo: rich content and a lively forum in both languages, an account per role, 90 days of
support history for the analytics dashboard, idempotently."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db.models import Sum
from django.utils import timezone

from articles.models import Article, Category, Feedback, Video
from community import services as forum
from community.models import (
    Answer,
    Comment,
    Flag,
    ForumCategory,
    MemberProfile,
    ModerationAction,
    ModerationKind,
    PostState,
    Question,
    Vote,
)
from kbportal.accounts.models import User
from kbportal.accounts.roles import Role
from kbportal.analytics.registry import registry
from kbportal.demo import history
from kbportal.search import service as search
from kbportal.search.models import SearchDocument
from tickets.analytics_facts import fill_ticket_facts
from tickets.helpcenter.models import HelpOutcome, HelpSession, HelpSessionEvent
from tickets.models import Channel, FollowUpCase, Status, SurveyResponse, Ticket


def _snapshot() -> dict[str, int]:
    return {
        "articles": Article.objects.count(),
        "videos": Video.objects.count(),
        "categories": Category.objects.count(),
        "users": User.objects.count(),
        "feedback": Feedback.objects.count(),
        "helpful": sum(Article.objects.values_list("helpful_count", flat=True)),
        "revisions": sum(a.revisions.count() for a in Article.objects.all()),
        "questions": Question.objects.count(),
        "answers": Answer.objects.count(),
        "comments": Comment.objects.count(),
        "votes": Vote.objects.count(),
        "flags": Flag.objects.count(),
        "moderation": ModerationAction.objects.count(),
        "reputation": MemberProfile.objects.aggregate(total=Sum("reputation"))["total"] or 0,
    }


@pytest.mark.django_db
def test_the_demo_loads_rich_bilingual_content_and_reloads_without_duplicates(capsys):
    call_command("load_demo")
    first = _snapshot()
    call_command("load_demo")
    output = capsys.readouterr().out

    assert _snapshot() == first
    published = Article.objects.published()
    english = published.filter(language="en")
    assert english.count() >= 40
    assert english.filter(translations__language="zh-hans", translations__status="published").count() >= 40
    assert Category.objects.filter(parent=None).count() >= 6
    videos = Video.objects.published().filter(language="en").exclude(transcript="")
    assert videos.filter(chapters__isnull=False).distinct().count() >= 8
    for role in Role:
        assert User.objects.filter(groups__name=str(role), is_staff=True).exists(), role
    assert "helloworld-demo" in output
    assert "editor" in output
    _assert_a_lively_bilingual_forum()


def _assert_a_lively_bilingual_forum() -> None:
    questions = Question.objects.all()
    visible = questions.filter(state=PostState.VISIBLE)
    assert questions.count() >= 30
    assert questions.filter(language="zh-hans").count() >= 12
    assert questions.filter(language="en").count() >= 12
    assert ForumCategory.objects.filter(staff_only=True).exists()
    assert ForumCategory.objects.exclude(name_zh_hans="").count() == ForumCategory.objects.count() >= 4

    assert visible.filter(accepted_answer__isnull=False).count() >= 8
    assert Answer.objects.filter(is_verified=True).exists()
    answered = visible.filter(answer_count__gte=2)
    assert answered.count() >= 15
    unanswered = visible.filter(answer_count=0, duplicate_of__isnull=True)
    assert unanswered.count() >= 6
    # Some waited long enough for the asker to be offered support.
    assert any(forum.escalation_offered(question=q, user=q.author) for q in unanswered)
    assert Vote.objects.values("voter").distinct().count() >= 5
    assert Comment.objects.count() >= 5

    hidden = questions.filter(state=PostState.HIDDEN)
    assert hidden.count() == 1
    assert hidden.get().flags.count() == 3
    assert ModerationAction.objects.filter(kind=ModerationKind.AUTO_HIDE, question=hidden.get()).exists()
    assert questions.filter(state=PostState.HELD).count() == 1
    assert visible.filter(is_pinned=True).exists()
    assert visible.filter(is_locked=True).exists()
    assert visible.filter(duplicate_of__isnull=False).exists()

    # Scores are the sum of the votes, as post_vote keeps them.
    for question in visible.prefetch_related("votes"):
        assert question.score == sum(vote.value for vote in question.votes.all()), question.title
    oldest = questions.order_by("created_at").first()
    assert timezone.now() - oldest.created_at > timedelta(days=21)

    webhook = search.search("webhook signature", kinds=["question"]).hits
    assert webhook
    assert webhook[0].language == "en"
    invoices = search.search("发票", kinds=["question"], language="zh-hans").hits
    assert invoices
    assert all(hit.language == "zh-hans" for hit in invoices)
    found = {hit.object_id for hit in search.search("HelloWorld", kinds=["question"], limit=100).hits}
    assert hidden.get().pk not in found
    indexed = set(SearchDocument.objects.filter(kind="question").values_list("object_id", flat=True))
    assert indexed == set(visible.values_list("pk", flat=True))


NAMED_CUSTOMERS = ["grace", "henry", "li.wei", "ines", "sam"]


def _history() -> dict[str, int]:
    return {
        "tickets": Ticket.objects.count(),
        "surveys": SurveyResponse.objects.count(),
        "follow_up_cases": FollowUpCase.objects.count(),
        "sessions": HelpSession.objects.count(),
        "session_events": HelpSessionEvent.objects.count(),
        "feedback": Feedback.objects.count(),
        "users": User.objects.count(),
    }


@pytest.mark.django_db
def test_the_demo_has_90_days_of_history_for_the_dashboard_without_touching_the_named_customers(client, monkeypatch):
    with monkeypatch.context() as patched:
        patched.setattr(history, "load_demo_history", history.HistoryReport)
        call_command("load_demo")
    requests = {name: Ticket.objects.filter(requester__username=name).count() for name in NAMED_CUSTOMERS}
    before = _history()
    call_command("load_demo")
    loaded = _history()
    call_command("load_demo")

    assert _history() == loaded  # a second run adds nothing
    assert {name: Ticket.objects.filter(requester__username=name).count() for name in NAMED_CUSTOMERS} == requests
    past = Ticket.objects.filter(organisation__name__in=[row[0] for row in history.ORGANISATIONS])
    assert loaded["tickets"] - before["tickets"] == past.count() >= 1_000
    assert len({moment.date() for moment in past.values_list("created_at", flat=True)}) >= 80
    assert not past.filter(requester__username__in=NAMED_CUSTOMERS).exists()
    assert not any(user.has_usable_password() for user in User.objects.filter(tickets__in=past).distinct())
    assert set(past.values_list("channel", flat=True)) == set(Channel.values)
    assert past.filter(status__in=Status.active()).count() >= 30
    assert loaded["surveys"] - before["surveys"] >= 300
    assert loaded["follow_up_cases"] > before["follow_up_cases"]
    assert loaded["feedback"] - before["feedback"] >= 1_500
    outcomes = set(HelpSession.objects.values_list("outcome", flat=True))
    assert outcomes == set(HelpOutcome.values)
    assert loaded["sessions"] - before["sessions"] >= 5_000
    # The facts are those the services count from the timestamps and events: recomputing changes nothing.
    assert fill_ticket_facts(pks=past.values_list("pk", flat=True)) == 0

    client.force_login(User.objects.get(username="manager"))
    response = client.get("/staff/analytics/")
    assert response.status_code == 200
    html = response.content.decode()
    # Every chart is drawn and every list has rows over the default 30 days.
    assert html.count('<svg class="dashboard-chart') == len(registry.breakdowns)
    assert "Nothing in this period." not in html
