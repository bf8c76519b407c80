"""Migrations 0011-0013: the words old events kept, in English or Chinese, are read back into codes.

Each test migrates the tickets app back to 0010, writes events as the code of that time wrote them, and
migrates forward again (on SQLite and on PostgreSQL, as the suite runs on both).
"""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import translation

from tests.tickets.factories import MembershipFactory, OrganisationFactory, TicketFactory
from tickets.analytics_facts import fill_ticket_facts
from tickets.models import Event, Ticket

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

WORDS = [("tickets", "0010_dashboard_covering_indexes")]
CODES = [("tickets", "0013_remove_event_words")]

# (kind, from, to, reason) as the old services wrote them, and the values they are read back into.
OLD_ROWS = [
    ("created", "", "自助服务升级", "", {"channel": "self-service"}),
    ("assignee", "", "Ann Agent", "自动分配", {"from": None, "to": "Ann Agent", "cause": "auto-assigned"}),
    ("status", "New", "Open", "", {"from": "new", "to": "open"}),
    ("priority", "P3 · Minor problem", "P1 · System down", "Production is down",
     {"from": 3, "to": 1, "reason": "Production is down"}),
    ("tier", "一线支持", "二线支持", "需要数据库专家", {"from": 1, "to": 2, "reason": "需要数据库专家"}),
    ("status", "处理中", "已解决", "", {"from": "open", "to": "resolved"}),
    ("reopened", "", "", "客户已回复。", {"cause": "customer-replied"}),
    ("status", "Resolved", "Open", "The customer replied.", {"from": "resolved", "to": "open",
                                                            "cause": "customer-replied"}),
    ("due", "2026-05-04 17:00 CEST / —", "2026-05-04 15:00 UTC / 2026-05-06 17:00 CEST", "Plan changed",
     {"from": {"first_response": "2026-05-04T15:00:00+00:00", "resolution": None},
      "to": {"first_response": "2026-05-04T15:00:00+00:00", "resolution": "2026-05-06T15:00:00+00:00"},
      "cause": "plan-changed"}),
    ("sla-warning", "", "first response", "Due at 2026-05-04 15:00 UTC",
     {"clock": "first-response", "due": "2026-05-04T15:00:00+00:00"}),
    ("sla-breach", "", "resolution", "截止时间：2026-05-06 17:00 CEST",
     {"clock": "resolution", "due": "2026-05-06T15:00:00+00:00"}),
    ("article", "", "Proxy set-up", "", {"title": "Proxy set-up"}),
    # Words no catalogue wrote: kept, and shown as they were.
    ("status", "Nouveau", "Open", "", {"legacy": {"from": "Nouveau", "to": "Open"}}),
    ("created", "", "Fax", "", {"legacy": {"from": "", "to": "Fax"}}),
    ("sla-warning", "", "first response", "Due at some point",
     {"legacy": {"from": "", "to": "first response"}, "reason": "Due at some point"}),
]  # fmt: skip


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.fixture
def words_era():
    """The database as it was at 0010; afterwards, as it is now, whatever the test did."""
    berliner = MembershipFactory(organisation=OrganisationFactory(time_zone="Europe/Berlin")).user
    ticket = TicketFactory(requester=berliner)
    Event.objects.all().delete()
    apps = _migrate(WORDS)
    try:
        yield ticket, apps
    finally:
        _migrate(CODES)


def _write_old_rows(apps, ticket) -> list[int]:
    old_event = apps.get_model("tickets", "Event")
    return [
        old_event.objects.create(ticket_id=ticket.pk, kind=kind, from_value=before, to_value=after, reason=reason).pk
        for kind, before, after, reason, _values in OLD_ROWS
    ]


def test_old_words_in_english_and_chinese_become_codes_and_unknown_words_stay_as_they_were(words_era):
    ticket, apps = words_era
    pks = _write_old_rows(apps, ticket)

    _migrate(CODES)

    events = Event.objects.in_bulk(pks)
    assert [events[pk].values for pk in pks] == [values for *_words, values in OLD_ROWS]
    created, *_middle, legacy_status, legacy_created, legacy_warning = (events[pk] for pk in pks)
    with translation.override("en"):
        assert created.sentence == "Created via Self-service escalation"
        assert (legacy_status.sentence, legacy_created.sentence) == ("Status changed: Nouveau → Open", "Created: Fax")
        assert (legacy_warning.sentence, legacy_warning.reason) == ("SLA warning: first response", "Due at some point")
    with translation.override("zh-hans"):
        assert created.sentence == "通过自助服务升级创建"
        assert legacy_status.sentence == "状态已变更：Nouveau → Open"


def test_the_facts_count_the_same_escalations_and_reopenings_before_and_after(words_era):
    ticket, apps = words_era
    _write_old_rows(apps, ticket)
    # Migration 0008 read the words of its time; the function it calls still does, given those models.
    fill_ticket_facts(
        ticket_model=apps.get_model("tickets", "Ticket"),
        policy_model=apps.get_model("tickets", "SlaPolicy"),
        event_model=apps.get_model("tickets", "Event"),
    )
    before = Ticket.objects.values_list("escalation_count", "reopen_count").get(pk=ticket.pk)

    _migrate(CODES)
    Ticket.objects.filter(pk=ticket.pk).update(escalation_count=0, reopen_count=0)
    fill_ticket_facts()

    assert before == (1, 1)
    assert Ticket.objects.values_list("escalation_count", "reopen_count").get(pk=ticket.pk) == before


def test_going_back_writes_the_words_in_english(words_era):
    ticket, apps = words_era
    pks = _write_old_rows(apps, ticket)
    _migrate(CODES)

    apps = _migrate(WORDS)

    old_event = apps.get_model("tickets", "Event")
    rows = old_event.objects.in_bulk(pks)
    assert [(rows[pk].kind, rows[pk].from_value, rows[pk].to_value, rows[pk].reason) for pk in pks[:9]] == [
        ("created", "", "Self-service escalation", ""),
        ("assignee", "", "Ann Agent", "Automatic assignment"),
        ("status", "New", "Open", ""),
        ("priority", "P3 · Minor problem", "P1 · System down", "Production is down"),
        ("tier", "Tier 1", "Tier 2", "需要数据库专家"),
        ("status", "Open", "Resolved", ""),
        ("reopened", "", "", "The customer replied."),
        ("status", "Resolved", "Open", "The customer replied."),
        ("due", "2026-05-04 15:00 UTC / —", "2026-05-04 15:00 UTC / 2026-05-06 15:00 UTC", "Plan changed"),
    ]
    assert (rows[pks[12]].from_value, rows[pks[12]].to_value) == ("Nouveau", "Open")
