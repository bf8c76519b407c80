"""Each staff role sees exactly its part of the admin; every registered model's pages work."""

import pytest
from django.contrib import admin
from django.contrib.auth.models import Group
from django.urls import reverse
from django_celery_beat.models import CrontabSchedule, IntervalSchedule, PeriodicTask
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from articles.models import Article, ArticleRevision, Category, Feedback, ProductVersion, Tag, Video, VideoChapter
from community.models import (
    Answer,
    Comment,
    Flag,
    FlagReason,
    ForumCategory,
    MemberProfile,
    ModerationAction,
    ModerationKind,
    Question,
)
from kbportal.accounts.models import User
from kbportal.accounts.roles import Role
from kbportal.announcements.models import ServiceNotice
from kbportal.announcements.services import notice_publish
from kbportal.search import service
from kbportal.search.analyzers import synonyms_changed
from kbportal.search.models import SynonymGroup
from tests.accounts.factories import StaffFactory, UserFactory, two_factor_enrol
from tests.articles.factories import ArticleFactory, VideoChapterFactory, VideoFactory
from tests.community.factories import AnswerFactory, ForumCategoryFactory, QuestionFactory
from tickets.models import Organisation, OrganisationMembership

pytestmark = pytest.mark.django_db

CONTENT = {"articles.article", "articles.video", "articles.category", "articles.tag", "articles.productversion"}
CUSTOMERS = {"accounts.user", "tickets.organisation", "tickets.organisationmembership"}
AGENT_DESK = {"tickets.ticket", "tickets.surveyresponse", "tickets.agentavailability"}
MANAGER_DESK = AGENT_DESK | {
    "tickets.servicecalendar", "tickets.slapolicy", "tickets.serviceindexweights", "tickets.followupcase",
}  # fmt: skip
FORUM_READ = {"community.question", "community.answer"}
# Support managers reset a lost phone by deleting the user's devices.
TWO_FACTOR_DEVICES = {"otp_totp.totpdevice", "otp_static.staticdevice"}
NOTICES = {"announcements.servicenotice"}
# Support managers switch the periodic jobs off and on and read the schedules they follow (django-celery-beat).
PERIODIC_TASKS = {
    "django_celery_beat.periodictask", "django_celery_beat.intervalschedule", "django_celery_beat.crontabschedule",
    "django_celery_beat.solarschedule", "django_celery_beat.clockedschedule",
}  # fmt: skip
FORUM_MODERATION = FORUM_READ | {
    "community.comment", "community.flag", "community.moderationaction", "community.memberprofile",
    "community.forumcategory",
}  # fmt: skip

EXPECTED_ADMIN = {
    Role.AGENT_TIER_1: CONTENT | CUSTOMERS | AGENT_DESK | FORUM_READ | NOTICES | {"articles.articlerevision"},
    Role.AGENT_TIER_2: CONTENT | CUSTOMERS | AGENT_DESK | FORUM_READ | NOTICES | {"articles.articlerevision"},
    Role.AGENT_TIER_3: CONTENT | CUSTOMERS | AGENT_DESK | FORUM_READ | NOTICES | {"articles.articlerevision"},
    Role.CONTENT_EDITOR: CONTENT
    | FORUM_READ
    | {"articles.articlerevision", "articles.feedback", "search.synonymgroup"},
    Role.MODERATOR: CONTENT | FORUM_MODERATION,
    Role.SUPPORT_MANAGER: CONTENT
    | CUSTOMERS
    | MANAGER_DESK
    | FORUM_MODERATION
    | NOTICES
    | TWO_FACTOR_DEVICES
    | PERIODIC_TASKS
    | {"articles.articlerevision", "articles.feedback", "search.synonymgroup", "axes.accessattempt"}
    | {"outbox.delivery"},
}


def _visible_models(client) -> set[str]:
    response = client.get(reverse("admin:index"))
    assert response.status_code == 200
    return {
        f"{app['app_label']}.{model['object_name'].lower()}"
        for app in response.context["app_list"]
        for model in app["models"]
    }


def test_the_roles_migration_created_every_role():
    assert set(Group.objects.values_list("name", flat=True)) >= {str(role) for role in Role}


@pytest.mark.parametrize("role", list(Role), ids=lambda role: role.name.lower())
def test_each_role_sees_exactly_its_part_of_the_admin(client, role):
    client.force_login(StaffFactory(role=role))

    assert _visible_models(client) == EXPECTED_ADMIN[role]


def test_an_editor_reaches_no_customer_data(client):
    client.force_login(StaffFactory(role=Role.CONTENT_EDITOR))
    customer = UserFactory()

    for url in (
        reverse("admin:accounts_user_changelist"),
        reverse("admin:accounts_user_change", args=[customer.pk]),
        reverse("admin:tickets_organisation_changelist"),
    ):
        assert client.get(url).status_code == 403


def test_editors_read_feedback_comments_without_who_gave_them(client):
    article = ArticleFactory()
    voter = UserFactory(email="secret.customer@example.com")
    Feedback.objects.create(article=article, user=voter, helpful=False, comment="Screenshots are outdated")
    client.force_login(StaffFactory(role=Role.CONTENT_EDITOR))

    changelist = client.get(reverse("admin:articles_feedback_changelist")).content.decode()
    change = client.get(reverse("admin:articles_article_change", args=[article.pk])).content.decode()

    assert "Screenshots are outdated" in changelist
    assert "Screenshots are outdated" in change
    assert "secret.customer" not in changelist
    assert "secret.customer" not in change


def test_managers_see_who_gave_feedback(client):
    Feedback.objects.create(article=ArticleFactory(), user=UserFactory(username="vocal"), helpful=True)
    client.force_login(StaffFactory(role=Role.SUPPORT_MANAGER))

    assert "vocal" in client.get(reverse("admin:articles_feedback_changelist")).content.decode()


def test_agents_cannot_publish(client):
    article = ArticleFactory(status="draft")
    client.force_login(StaffFactory(role=Role.AGENT_TIER_1))

    changelist = client.get(reverse("admin:articles_article_changelist"))
    actions = [name for name, _label in changelist.context["action_form"].fields["action"].choices]
    form = client.get(reverse("admin:articles_article_change", args=[article.pk])).context["adminform"].form

    assert "publish_selected" not in actions
    assert "submit_for_review_selected" in actions
    assert {value for value, _label in form.fields["status"].choices} == {"draft", "review"}


def test_the_publish_action_goes_through_the_service(client):
    drafts = [ArticleFactory(status="draft") for _ in range(3)]
    client.force_login(StaffFactory(role=Role.CONTENT_EDITOR))

    client.post(
        reverse("admin:articles_article_changelist"),
        {"action": "publish_selected", "_selected_action": [a.pk for a in drafts]},
    )

    assert Article.objects.filter(status="published").count() == 3
    assert all(a.revisions.filter(comment="Published").exists() for a in drafts)


def test_bulk_article_actions_say_how_many_in_the_right_number(client):
    one = ArticleFactory(status="draft")
    three = [ArticleFactory(status="draft") for _ in range(3)]
    client.force_login(StaffFactory(role=Role.CONTENT_EDITOR))
    url = reverse("admin:articles_article_changelist")

    singular = client.post(url, {"action": "publish_selected", "_selected_action": [one.pk]}, follow=True)
    plural = client.post(url, {"action": "archive_selected", "_selected_action": [a.pk for a in three]}, follow=True)

    assert [str(m) for m in singular.context["messages"]] == ["Published 1 article."]
    assert [str(m) for m in plural.context["messages"]] == ["Archived 3 articles."]


def test_mark_reviewed_sets_today(client):
    article = ArticleFactory()
    client.force_login(StaffFactory(role=Role.CONTENT_EDITOR))

    client.post(
        reverse("admin:articles_article_changelist"),
        {"action": "mark_reviewed_selected", "_selected_action": [article.pk]},
    )

    article.refresh_from_db()
    assert article.last_reviewed_at is not None


# --- Smoke tests: every registered model's changelist, search, add and change pages ------------


def _sample(model):
    makers = {
        Article: ArticleFactory,
        Video: VideoFactory,
        VideoChapter: VideoChapterFactory,
        Category: lambda: ArticleFactory().category,
        Tag: lambda: Tag.objects.create(name="sample", slug="sample"),
        ProductVersion: lambda: ProductVersion.objects.create(name="9.9"),
        ArticleRevision: lambda: ArticleRevision.objects.create(
            article=ArticleFactory(), number=1, title="t", status="draft"
        ),
        Feedback: lambda: Feedback.objects.create(article=ArticleFactory(), session_key="s", helpful=True),
        User: UserFactory,
        Organisation: lambda: Organisation.objects.create(name="Org"),
        OrganisationMembership: lambda: OrganisationMembership.objects.create(
            user=UserFactory(), organisation=Organisation.objects.create(name="Org 2")
        ),
        Group: lambda: Group.objects.first(),
        SynonymGroup: lambda: SynonymGroup.objects.create(phrases="sample\nexample"),
        ForumCategory: ForumCategoryFactory,
        Question: QuestionFactory,
        Answer: AnswerFactory,
        Comment: lambda: Comment.objects.create(question=QuestionFactory(), author=UserFactory(), body="sample"),
        Flag: lambda: Flag.objects.create(question=QuestionFactory(), reporter=UserFactory(), reason=FlagReason.SPAM),
        ModerationAction: lambda: ModerationAction.objects.create(
            question=QuestionFactory(), answer=None, actor=UserFactory(), kind=ModerationKind.HIDE, reason="sample"
        ),
        MemberProfile: lambda: MemberProfile.objects.create(user=UserFactory(), reputation=20),
        ServiceNotice: lambda: notice_publish(title="sample", body="Sample **details**", by=None),
        TOTPDevice: lambda: _enrolled_device(TOTPDevice),
        StaticDevice: lambda: _enrolled_device(StaticDevice),
        IntervalSchedule: lambda: IntervalSchedule.objects.create(every=60, period=IntervalSchedule.SECONDS),
        CrontabSchedule: lambda: CrontabSchedule.objects.create(minute="0", hour="7", day_of_week="1"),
        PeriodicTask: lambda: PeriodicTask.objects.create(
            name="sample",
            task="tickets.tasks.sla_check_task",
            interval=IntervalSchedule.objects.create(every=60, period=IntervalSchedule.SECONDS),
        ),
    }
    return makers[model]() if model in makers else None


def _enrolled_device(model):
    user = UserFactory()
    two_factor_enrol(user)
    return model.objects.get(user=user)


@pytest.mark.parametrize(
    "model", list(admin.site._registry), ids=lambda model: f"{model._meta.app_label}.{model._meta.model_name}"
)
def test_admin_pages_of_every_registered_model_open(admin_client, model):
    opts = model._meta
    obj = _sample(model)
    base = f"admin:{opts.app_label}_{opts.model_name}"

    assert admin_client.get(reverse(f"{base}_changelist")).status_code == 200
    assert admin_client.get(reverse(f"{base}_changelist"), {"q": "sample"}).status_code == 200
    assert admin_client.get(reverse(f"{base}_add")).status_code in (200, 403)
    if obj is not None:
        assert admin_client.get(reverse(f"{base}_change", args=[obj.pk])).status_code == 200


@pytest.fixture
def _forget_synonyms():
    """The analyzer caches the synonym groups; the rolled-back ones must not reach the next test."""
    yield
    synonyms_changed()


@pytest.mark.usefixtures("_forget_synonyms")
def test_an_editor_adds_a_synonym_group_in_the_admin_and_search_uses_it(
    client, editor, django_capture_on_commit_callbacks
):
    client.force_login(editor)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("admin:search_synonymgroup_add"), {"phrases": "receipt\ninvoice", "note": "billing words"}
        )

    assert response.status_code == 302
    assert "receipt" in service.current_analyzer().query_tokens("receipt")
    assert "invoic" in service.current_analyzer().query_tokens("receipt")


@pytest.mark.usefixtures("_forget_synonyms")
def test_an_editor_adds_a_one_way_group_for_an_abbreviation(client, editor, django_capture_on_commit_callbacks):
    client.force_login(editor)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("admin:search_synonymgroup_add"), {"phrases": "invoice\ninv", "one_way": "on", "note": ""}
        )

    assert response.status_code == 302
    assert "invoic" in service.current_analyzer().query_tokens("inv missing")
    assert "inv" not in service.current_analyzer().query_tokens("invoice missing")
    assert str(SynonymGroup.objects.get()) == "inv → invoice"


def test_a_manager_turns_a_periodic_job_off_in_the_admin_and_reads_its_schedule_in_chinese(client, manager):
    every_minute = IntervalSchedule.objects.create(every=60, period=IntervalSchedule.SECONDS)
    job = PeriodicTask.objects.create(name="sla-check", task="tickets.tasks.sla_check_task", interval=every_minute)
    client.force_login(manager)

    client.post(
        reverse("admin:django_celery_beat_periodictask_changelist"),
        {"action": "disable_tasks", "_selected_action": [job.pk]},
    )
    schedule = client.get(
        reverse("admin:django_celery_beat_intervalschedule_change", args=[every_minute.pk]),
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )

    job.refresh_from_db()
    assert job.enabled is False
    assert schedule.status_code == 200
    assert "间隔" in schedule.content.decode()  # django-celery-beat's own catalogue: "interval"
    assert client.get(reverse("admin:django_celery_beat_periodictask_add")).status_code == 403


def test_a_manager_switches_a_periodic_job_but_cannot_change_what_it_runs(client, manager):
    every_minute = IntervalSchedule.objects.create(every=60, period=IntervalSchedule.SECONDS)
    job = PeriodicTask.objects.create(name="sla-check", task="tickets.tasks.sla_check_task", interval=every_minute)
    client.force_login(manager)
    url = reverse("admin:django_celery_beat_periodictask_change", args=[job.pk])

    page = client.get(url)
    response = client.post(
        url,
        {
            "enabled": "",  # switched off: allowed
            "task": "accounts.send_account_mail",  # what a worker runs: not theirs to change
            "kwargs": '{"subject": "Reset", "body": "http://evil.example/", "to": "victim@example.com"}',
        },
    )

    assert page.status_code == 200
    assert 'name="task"' not in page.content.decode()
    assert response.status_code == 302
    job.refresh_from_db()
    assert (job.enabled, job.task, job.kwargs) == (False, "tickets.tasks.sla_check_task", "{}")


def test_a_superuser_still_edits_periodic_jobs(client):
    from tests.accounts.factories import StaffFactory

    client.force_login(StaffFactory(is_superuser=True))

    page = client.get(reverse("admin:django_celery_beat_periodictask_add"))

    assert page.status_code == 200
    assert 'name="task"' in page.content.decode()
