"""tickets 0014 + helpcenter 0001: help sessions, their events and content gaps move to the help center.

Each test migrates back to before the move (tickets 0013, as the previous release left the database), writes
rows with the models of that time, migrates forward, and reads every row back through the help center's models
of that migration (the models have moved on since: helpcenter 0003 replaced the content-gap tallies with a
daily rollup); then it goes back again. The suite runs on SQLite and on PostgreSQL, so both are covered.
"""

from datetime import timedelta

import pytest
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from tests.accounts.factories import StaffFactory, UserFactory
from tests.tickets.factories import TicketFactory

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

BEFORE = [("tickets", "0013_remove_event_words")]
AFTER = [("helpcenter", "0001_help_center_takes_over_its_tables")]
MOVED = ["helpsession", "helpsessionevent", "contentgap"]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    # The process's cache of content types still knows the labels from before.
    ContentType.objects.clear_cache()
    return executor.loader.project_state(targets).apps


def _latest():
    return MigrationExecutor(connection).loader.graph.leaf_nodes()


@pytest.fixture
def before_the_move():
    """The database as the previous release left it; afterwards, as it is now, whatever the test did."""
    ticket = TicketFactory(requester=UserFactory())
    apps = _migrate(BEFORE)
    try:
        yield ticket, apps
    finally:
        _migrate(_latest())


def _write_old_rows(apps, ticket) -> dict:
    """Rows of every kind, with every field set, written with the models of tickets 0013."""
    old_session = apps.get_model("tickets", "HelpSession")
    old_event = apps.get_model("tickets", "HelpSessionEvent")
    old_gap = apps.get_model("tickets", "ContentGap")
    now = timezone.now().replace(microsecond=123456)
    escalated = old_session.objects.create(
        session_key="k" * 32, user_id=ticket.requester_id, language="zh-hans", started_at=now - timedelta(hours=2),
        last_activity_at=now - timedelta(hours=1), outcome="escalated", ticket_id=ticket.pk,
        verdict_at=now - timedelta(hours=1), search_count=2, open_count=1,
    )  # fmt: skip
    anonymous = old_session.objects.create(session_key="", language="en", started_at=now, last_activity_at=now)
    events = [
        old_event.objects.create(
            session_id=escalated.pk, kind="search", query="安装 失败", normalised_query="安装 失败", result_count=1,
            results=[{"kind": "article", "id": 7, "title": "安装", "url": "/articles/7/"}], via="search",
            created_at=now - timedelta(minutes=90),
        ),
        old_event.objects.create(
            session_id=escalated.pk, kind="open", item_kind="article", item_id=7, item_title="安装",
            item_url="/articles/7/?hs=search", via="search", created_at=now - timedelta(minutes=80),
        ),
        old_event.objects.create(
            session_id=escalated.pk, kind="rating", item_kind="article", item_id=7, helpful=False,
            created_at=now - timedelta(minutes=70),
        ),
        old_event.objects.create(session_id=anonymous.pk, kind="followed-notice", item_kind="notice", item_id=3,
                                 item_title="Sync outage", via="contact-form", created_at=now),
    ]  # fmt: skip
    gap = old_gap.objects.create(
        normalised_query="vpn 断开", language="zh-hans", example_query="VPN 断开?", zero_result_count=4,
        escalated_count=2, first_seen_at=now - timedelta(days=3), last_seen_at=now,
    )  # fmt: skip
    return {
        "helpsession": [escalated.pk, anonymous.pk],
        "helpsessionevent": [event.pk for event in events],
        "contentgap": [gap.pk],
    }


def _rows(model) -> list[dict]:
    return list(model.objects.order_by("pk").values())


def _snapshot(apps) -> dict:
    return {name: _rows(apps.get_model("tickets", name)) for name in MOVED}


def _permissions(app_label: str) -> list[tuple]:
    return sorted(
        Permission.objects.filter(content_type__app_label=app_label, content_type__model__in=MOVED).values_list(
            "pk", "content_type_id", "content_type__model", "codename"
        )
    )


def test_every_row_is_kept_and_read_through_the_help_centers_models(before_the_move):
    ticket, apps = before_the_move
    written = _write_old_rows(apps, ticket)
    before = _snapshot(apps)

    moved = _migrate(AFTER)
    help_session, help_event, content_gap = (moved.get_model("helpcenter", name) for name in MOVED)

    after = {name: _rows(moved.get_model("helpcenter", name)) for name in MOVED}
    assert after == before
    assert {name: [row["id"] for row in rows] for name, rows in after.items()} == written
    session = help_session.objects.get(pk=written["helpsession"][0])
    assert (session.ticket_id, session.user_id, session.outcome) == (ticket.pk, ticket.requester_id, "escalated")
    assert list(help_session.objects.filter(ticket_id=ticket.pk)) == [session]
    assert [event.kind for event in session.events.order_by("created_at")] == ["search", "open", "rating"]
    assert session.events.order_by("created_at").first().results == [
        {"kind": "article", "id": 7, "title": "安装", "url": "/articles/7/"}
    ]
    assert content_gap.objects.get().example_query == "VPN 断开?"
    # The tables were not recreated: new rows carry on from the old ids (PostgreSQL's sequences too).
    assert help_session.objects.create(language="en").pk > max(written["helpsession"])
    assert help_event.objects.create(session=session, kind="search").pk > max(written["helpsessionevent"])


def test_content_types_move_so_permissions_and_admin_history_keep_pointing_at_the_same_rows(before_the_move):
    ticket, apps = before_the_move
    written = _write_old_rows(apps, ticket)
    old_types = dict(ContentType.objects.filter(app_label="tickets", model__in=MOVED).values_list("model", "pk"))
    old_permissions = _permissions("tickets")
    report = Permission.objects.get(content_type__app_label="tickets", codename="view_deflection_report")
    readers = Group.objects.create(name="Report readers")
    readers.permissions.add(report)
    reader = StaffFactory()
    reader.groups.add(readers)
    viewer = StaffFactory()
    viewer.user_permissions.add(
        Permission.objects.get(content_type__app_label="tickets", codename="view_helpsessionevent")
    )
    entry = LogEntry.objects.create(
        user=viewer, content_type_id=old_types["helpsession"], object_id=str(written["helpsession"][0]),
        object_repr="help session", action_flag=CHANGE,
    )  # fmt: skip

    moved = _migrate(AFTER)

    new_types = dict(ContentType.objects.filter(app_label="helpcenter", model__in=MOVED).values_list("model", "pk"))
    assert new_types == old_types
    assert not ContentType.objects.filter(app_label="tickets", model__in=MOVED).exists()
    assert {name: ContentType.objects.get_by_natural_key("helpcenter", name).pk for name in MOVED} == old_types
    assert [(pk, type_id, codename) for pk, type_id, _model, codename in _permissions("helpcenter")] == [
        (pk, type_id, codename) for pk, type_id, _model, codename in old_permissions
    ]
    assert type(reader).objects.get(pk=reader.pk).has_perm("helpcenter.view_deflection_report")
    assert type(viewer).objects.get(pk=viewer.pk).has_perm("helpcenter.view_helpsessionevent")
    entry.refresh_from_db()
    assert (entry.content_type_id, entry.object_id) == (new_types["helpsession"], str(written["helpsession"][0]))
    assert moved.get_model("helpcenter", "helpsession").objects.filter(pk=int(entry.object_id)).exists()


def test_going_back_gives_the_desk_its_models_rows_and_content_types_again(before_the_move):
    ticket, apps = before_the_move
    written = _write_old_rows(apps, ticket)
    before = _snapshot(apps)
    old_permissions = _permissions("tickets")
    _migrate(AFTER)

    apps = _migrate(BEFORE)

    assert _snapshot(apps) == before
    assert {name: [row["id"] for row in rows] for name, rows in before.items()} == written
    assert _permissions("tickets") == old_permissions
    assert not ContentType.objects.filter(app_label="helpcenter", model__in=MOVED).exists()
    old_session = apps.get_model("tickets", "HelpSession").objects.get(pk=written["helpsession"][0])
    assert old_session.ticket_id == ticket.pk
    assert old_session.events.count() == 3
