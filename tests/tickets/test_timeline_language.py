"""The ticket timeline reads in the language of whoever looks, whatever the language of whoever caused the change.

Events keep codes (status ``open``, tier ``2``, channel ``self-service``) and the system's reasons as causes; the
customer's, the guest's and the staff pages, the API and the admin turn them into words when they are read.
"""

import html
import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from kbportal.helpcenter.guest import guest_token
from tests.tickets.factories import TicketFactory
from tickets import services
from tickets.jobs import sla_check
from tickets.models import Channel, Event, EventKind, Status, Ticket

pytestmark = pytest.mark.django_db

CHINESE = re.compile(r"[\u4e00-\u9fff]")


def _sentences(page: str) -> list[str]:
    """The first line of each event on a timeline, as the reader sees it."""
    found = re.findall(r'<li class="timeline-event">\s*<span[^>]*>(.*?)</span>', page, re.S)
    return [" ".join(html.unescape(re.sub(r"<[^>]+>", "", text)).split()) for text in found]


def _reasons(page: str) -> list[str]:
    return [html.unescape(text) for text in re.findall(r'<span class="event-reason">“(.*?)”</span>', page, re.S)]


@pytest.fixture
def chinese_guest(agent1):
    """A visitor writes in Chinese through the contact form, an agent resolves the request, and the visitor
    replies in Chinese through their secure link, which reopens it."""
    guest = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    form = guest.get(reverse("helpcenter:contact")).context["form"]
    data = {name: "" if form[name].value() is None else form[name].value() for name in form.fields}
    data.pop("attachments", None)
    data.update(email="guest@example.com", subject="安装失败", description="安装到 80% 时出错。", proposed_priority=3)
    assert guest.post(reverse("helpcenter:contact"), data).status_code == 302
    ticket = Ticket.objects.get()
    services.ticket_resolve(ticket=ticket, by=agent1)
    token = guest_token(ticket)
    assert guest.post(reverse("helpcenter:guest_reply", args=[token]), {"body": "还是不行。"}).status_code == 302
    return {"ticket": ticket, "token": token, "guest": guest}


def test_an_event_a_chinese_speaking_guest_caused_reads_in_english_for_an_english_agent(client, agent1, chinese_guest):
    ticket = chinese_guest["ticket"]
    client.force_login(agent1)

    page = client.get(reverse("tickets:staff_detail", args=[ticket.reference]), HTTP_ACCEPT_LANGUAGE="en")

    sentences, reasons = _sentences(page.content.decode()), _reasons(page.content.decode())
    assert sentences[0] == "Created via Self-service escalation"
    assert "Status changed: Resolved → Open" in sentences
    assert "The customer replied." in reasons
    assert not [words for words in sentences + reasons if CHINESE.search(words)]


def test_the_same_events_read_in_chinese_for_a_chinese_viewer(client, agent1, chinese_guest):
    ticket, guest = chinese_guest["ticket"], chinese_guest["guest"]
    client.force_login(agent1)

    guest_page = guest.get(reverse("helpcenter:guest_ticket", args=[chinese_guest["token"]])).content.decode()
    staff_page = client.get(reverse("tickets:staff_detail", args=[ticket.reference]), HTTP_ACCEPT_LANGUAGE="zh-hans")

    assert _sentences(guest_page) == [
        "通过自助服务升级创建",
        "状态已变更：新建 → 已解决",
        "已重新打开",
        "状态已变更：已解决 → 处理中",
    ]
    assert "客户已回复。" in _reasons(staff_page.content.decode())
    assert "Status changed" not in staff_page.content.decode()


def test_an_english_visitor_with_the_guest_link_reads_it_in_english(chinese_guest):
    page = Client(HTTP_ACCEPT_LANGUAGE="en").get(reverse("helpcenter:guest_ticket", args=[chinese_guest["token"]]))

    assert _sentences(page.content.decode())[0] == "Created via Self-service escalation"


def test_the_api_gives_each_caller_the_events_in_their_language_and_as_codes(client, agent1, chinese_guest):
    ticket = chinese_guest["ticket"]
    client.force_login(agent1)
    url = f"/api/v1/tickets/{ticket.reference}/events/"

    english = client.get(url, HTTP_ACCEPT_LANGUAGE="en").json()
    chinese = client.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans").json()

    created = next(event for event in english if event["kind"] == EventKind.CREATED)
    assert (created["text"], created["to_value"]) == ("Created via Self-service escalation", "Self-service escalation")
    assert created["values"] == {"channel": "self-service"}
    reopening = next(event for event in english if event["values"].get("from") == Status.RESOLVED)
    assert reopening["text"] == "Status changed: Resolved → Open"
    assert (reopening["from_value"], reopening["to_value"], reopening["reason"]) == (
        "Resolved",
        "Open",
        "The customer replied.",
    )
    assert reopening["values"] == {"from": "resolved", "to": "open", "cause": "customer-replied"}
    assert not [event["text"] for event in english if CHINESE.search(event["text"] + event["reason"])]
    assert chinese[0]["text"] == "通过自助服务升级创建"
    assert next(event["reason"] for event in chinese if event["id"] == reopening["id"]) == "客户已回复。"


def test_a_chinese_customer_reads_an_english_agents_changes_in_chinese_and_never_the_reason(
    customer_client, customer, agent1
):
    ticket = TicketFactory(requester=customer)
    services.ticket_escalate(ticket=ticket, to_tier=2, reason="CANARY needs a database expert", by=agent1)

    page = customer_client.get(ticket.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    api = customer_client.get(f"/api/v1/tickets/{ticket.reference}/events/", HTTP_ACCEPT_LANGUAGE="zh-hans").json()

    assert "支持层级已变更：一线支持 → 二线支持" in _sentences(page)
    tier = next(event for event in api if event["kind"] == EventKind.TIER)
    assert (tier["text"], tier["values"]) == ("支持层级已变更：一线支持 → 二线支持", {"from": 1, "to": 2})
    assert "reason" not in tier
    assert "CANARY" not in page + str(api)


def test_a_reason_a_person_typed_is_kept_as_written_and_the_systems_reasons_are_translated(agent1, customer):
    ticket = TicketFactory(requester=customer)
    services.ticket_escalate(ticket=ticket, to_tier=2, reason="需要数据库专家", by=agent1)
    automatic = ticket.events.filter(kind=EventKind.ASSIGNEE).last()

    escalation = ticket.events.get(kind=EventKind.TIER)
    with translation.override("en"):
        assert (escalation.sentence, escalation.reason) == ("Tier changed: Tier 1 → Tier 2", "需要数据库专家")
        first = ticket.events.filter(kind=EventKind.ASSIGNEE).first()
        assert (first.sentence, first.reason) == (f"Assigned to {agent1.public_name}", "Automatic assignment")
    with translation.override("zh-hans"):
        assert first.reason == "自动分配"
    assert automatic is not None


def test_the_admin_shows_the_timeline_in_the_readers_language(client, manager, chinese_guest):
    client.force_login(manager)
    url = reverse("admin:tickets_ticket_change", args=[chinese_guest["ticket"].pk])

    english = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    chinese = client.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()

    assert "Created via Self-service escalation" in english
    assert "The customer replied." in english
    assert "通过自助服务升级创建" in chinese
    assert "客户已回复。" in chinese


def test_service_level_alarms_name_their_clock_in_the_readers_language(agent1, customer):
    ticket = TicketFactory(requester=customer)
    Ticket.objects.filter(pk=ticket.pk).update(first_response_due_at=ticket.created_at)

    sla_check()

    breach = ticket.events.get(kind=EventKind.SLA_BREACH)
    assert breach.values["clock"] == "first-response"
    with translation.override("en"):
        assert breach.sentence.startswith("SLA breached: the first response target was due at ")
    with translation.override("zh-hans"):
        assert breach.sentence.startswith("SLA 已违约：首次响应目标已于 ")


@pytest.mark.parametrize(
    ("kind", "values", "english", "chinese"),
    [
        (EventKind.CREATED, {"channel": Channel.EMAIL}, "Created via E-mail", "通过电子邮件创建"),
        (EventKind.PRIORITY, {"from": 3, "to": 1}, "Priority changed: P3 · Minor problem → P1 · System down",
         "优先级已变更：P3 · 小问题 → P1 · 系统宕机"),
        (EventKind.ASSIGNEE, {"from": "Ann", "to": None}, "No longer assigned to Ann", "不再分配给 Ann"),
        (EventKind.ARTICLE, {"article": 7, "title": "Proxy set-up"}, "Knowledge article drafted: Proxy set-up",
         "已起草知识库文章：Proxy set-up"),
        (EventKind.STATUS, {"legacy": {"from": "Nouveau", "to": "Ouvert"}}, "Status changed: Nouveau → Ouvert",
         "状态已变更：Nouveau → Ouvert"),
        (EventKind.STATUS, {"from": "retired-status", "to": "open"}, "Status changed: retired-status → Open",
         "状态已变更：retired-status → 处理中"),
        (EventKind.TIER, {"from": 1}, "Tier changed", "支持层级已变更"),
    ],
)  # fmt: skip
def test_every_kind_reads_as_a_sentence_and_odd_rows_still_read(kind, values, english, chinese):
    event = Event(kind=kind, values=values)

    with translation.override("en"):
        assert event.sentence == english
    with translation.override("zh-hans"):
        assert event.sentence == chinese


@pytest.mark.parametrize(
    ("due", "english"),
    [
        ({"first_response": "2026-05-04T15:00:00+00:00", "resolution": "2026-05-06T15:00:00+00:00"},
         "Due times changed: first response by May 4, 2026, 15:00, resolution by May 6, 2026, 15:00"),
        ({"first_response": None, "resolution": "2026-05-06T15:00:00+00:00"},
         "Due times changed: resolution by May 6, 2026, 15:00"),
        ({"first_response": None, "resolution": None}, "Due times changed: no clock is running"),
    ],
)  # fmt: skip
def test_due_times_read_in_the_readers_time_zone_and_name_only_the_running_clocks(due, english):
    event = Event(kind=EventKind.DUE, values={"from": {}, "to": due})

    with translation.override("en"), timezone.override("UTC"):
        assert event.sentence == english
    with translation.override("zh-hans"), timezone.override("Asia/Shanghai"):
        assert "2026年5月6日 23:00" in event.sentence or not due["resolution"]
