"""`make run` loads the demo: rich content and a lively forum in both languages, an account per role, 90 days of
support history for the analytics dashboard, idempotently.

Loading it takes most of a minute, so this module loads it once (`demo`) and its tests read that database, each
in a transaction of its own rolled back after it. The module is one xdist group: one worker loads it.
"""

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from io import StringIO
from unittest import mock

import pytest
from django.core.management import call_command
from django.db import transaction
from django.db.models import Sum
from django.test import override_settings
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
from kbportal.analytics.scope import Scope, default_scope
from kbportal.choices import Language
from kbportal.demo import history
from kbportal.helpcenter.models import HelpOutcome, HelpSession, HelpSessionEvent
from kbportal.search import service as search
from kbportal.search.models import SearchDocument
from tests.analytics.test_every_figure import compute_everything
from tests.tickets.factories import OrganisationFactory
from tickets.analytics_facts import fill_ticket_facts
from tickets.models import Channel, FollowUpCase, Status, SurveyResponse, Ticket, Tier

pytestmark = [pytest.mark.django_db, pytest.mark.xdist_group("demo")]

NAMED_CUSTOMERS = ["grace", "henry", "li.wei", "ines", "sam"]
# `make run PORT=8100` sets it; the last run of the demo here names it.
SITE_URL = "http://127.0.0.1:8100"


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


def _requests() -> dict[str, int]:
    return {name: Ticket.objects.filter(requester__username=name).count() for name in NAMED_CUSTOMERS}


@dataclass(frozen=True)
class Demo:
    """What the three runs of `load_demo` left: without the 90 days, with them, and once more."""

    before_history: dict[str, int]
    requests_before_history: dict[str, int]
    loaded: dict[str, int]
    content: dict[str, int]
    output: str  # of the last two runs
    closing: str  # the last run's last line


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker) -> Iterator[Demo]:
    """The demo loaded once for the module inside a transaction rolled back after its last test; each test
    runs in a savepoint of it (pytest-django's `db`), as in test_access_matrix.py."""
    out = StringIO()
    with django_db_blocker.unblock(), transaction.atomic():
        with mock.patch.object(history, "load_demo_history", history.HistoryReport):
            call_command("load_demo", stdout=StringIO())
        before, requests = _history(), _requests()
        call_command("load_demo", stdout=out)
        loaded, content = _history(), _snapshot()
        with override_settings(SITE_URL=SITE_URL):
            call_command("load_demo", stdout=out)
        output = out.getvalue()
        yield Demo(before, requests, loaded, content, output, output.strip().splitlines()[-1])
        transaction.set_rollback(True)


def test_the_demo_loads_rich_bilingual_content_and_reloads_without_duplicates(demo):
    output = demo.output

    assert _snapshot() == demo.content
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


def test_the_demo_has_90_days_of_history_for_the_dashboard_without_touching_the_named_customers(demo, client):
    before, loaded = demo.before_history, demo.loaded

    assert _history() == loaded  # a second run adds nothing
    assert _requests() == demo.requests_before_history
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


def test_every_figure_computes_on_the_demo_with_and_without_filters(demo):
    organisation = OrganisationFactory()
    last_30_days = default_scope()
    filtered = Scope(
        since=last_30_days.since,
        until=last_30_days.until,
        tz=last_30_days.tz,
        organisation_id=organisation.pk,
        plan="enterprise",
        tier=Tier.TIER_2,
        language=Language.ZH_HANS,
    )

    assert compute_everything(last_30_days)["tickets_created"] > 0
    compute_everything(filtered)


def test_load_demo_names_the_configured_address(demo):
    assert f"{SITE_URL}/accounts/sign-in/" in demo.closing
    assert "8000" not in demo.closing
