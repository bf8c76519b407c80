"""Ninety days of support-center history, so the managers' analytics dashboard looks like a real support center.

The other demo modules play a few dozen stories through the services; a dashboard needs volume, so this module
bulk-creates a plausible past instead: about 1,500 tickets from synthetic customers of thirteen synthetic
organisations (weekday-heavy, a bump after the 4.2 update three weeks ago and a one-day outage seven weeks ago),
survey answers with their follow-up cases, about 6,000 help sessions with their searches and opened articles, and
about 2,000 "Was this helpful?" answers.

Each ticket's clocks are generated as business time on its plan's calendar (in its organisation's time zone) and
turned into moments with the same arithmetic the services use, and its escalations and reopenings are written as
events, so the stored analytics facts are exactly what ``tickets.analytics_facts`` counts: ``manage.py
fill_ticket_facts`` finds nothing to change. Tickets still open carry due times and the warnings and breaches the
periodic check would have recorded, and resolved tickets past the reopen window are closed, so the next SLA check
has nothing to catch up on. No e-mail, no SLA job, no search indexing.

Deterministic in shape (one seeded generator; times are relative to now) and loaded once: the first synthetic
organisation is the marker, and everything is written in one transaction.
"""

from __future__ import annotations

import math
import random
from collections import Counter, defaultdict
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import cache
from itertools import pairwise
from zoneinfo import ZoneInfo

from django.db import transaction
from django.db.models import F
from django.utils import timezone, translation

from articles.models import Article, Category, Feedback, FeedbackReason, ProductVersion, Video
from kbportal.accounts.models import User
from kbportal.helpcenter.models import HelpEventKind, HelpOutcome, HelpSession, HelpSessionEvent, HelpVia
from kbportal.helpcenter.services import content_gap_rollup_due, normalise_query
from kbportal.markdown import render_markdown
from kbportal.search import service as search_service
from tickets import clocks, sla, surveys
from tickets.models import (
    SERVICE_DIMENSIONS,
    Channel,
    Event,
    EventKind,
    FollowUpCase,
    FollowUpStage,
    FollowUpStageKind,
    FollowUpStatus,
    Organisation,
    OrganisationMembership,
    Plan,
    Priority,
    SlaPause,
    SlaPolicy,
    Status,
    SurveyResponse,
    Ticket,
    Tier,
)

SEED = 20_260_217
DAYS = 90
TICKETS = 1_500
SESSIONS = 6_000
FEEDBACK = 2_000
BATCH = 500
REOPEN_WINDOW = timedelta(days=7)  # settings.KBPORTAL_REOPEN_DAYS: older resolved tickets are closed by the job
EN, ZH = "en", "zh-hans"

# (name, plan, time zone, e-mail domain, share of Chinese-speaking customers, relative ticket volume)
ORGANISATIONS = [
    ("Aurora Freight GmbH", Plan.PROFESSIONAL, "Europe/Berlin", "aurora-freight.example", 0.05, 1.0),
    ("Blue Heron Clinics", Plan.ENTERPRISE, "America/Chicago", "blueheron-clinics.example", 0.02, 1.3),
    ("Cedar & Pine Architects", Plan.BASIC, "America/Los_Angeles", "cedar-pine.example", 0.03, 0.6),
    ("Daqing Precision Tools", Plan.PROFESSIONAL, "Asia/Shanghai", "daqing-tools.example", 0.95, 1.1),
    ("Evergreen Schools Trust", Plan.BASIC, "Europe/London", "evergreen-schools.example", 0.02, 0.7),
    ("Fjord Analytics AS", Plan.PROFESSIONAL, "Europe/Oslo", "fjord-analytics.example", 0.03, 0.8),
    ("Golden Lotus Media", Plan.ENTERPRISE, "Asia/Shanghai", "golden-lotus.example", 0.9, 1.4),
    ("Harbor Street Bank", Plan.ENTERPRISE, "America/New_York", "harborstreet.example", 0.02, 1.4),
    ("Kestrel Games", Plan.BASIC, "Australia/Sydney", "kestrel-games.example", 0.08, 0.6),
    ("Maple Leaf Mutual", Plan.PROFESSIONAL, "America/Toronto", "mapleleaf-mutual.example", 0.05, 0.9),
    ("Shenzhen Bright Circuit", Plan.BASIC, "Asia/Shanghai", "bright-circuit.example", 0.95, 0.9),
    ("Lion City Logistics", Plan.ENTERPRISE, "Asia/Singapore", "lioncity-logistics.example", 0.6, 1.2),
    ("Kaze Design Tokyo", Plan.PROFESSIONAL, "Asia/Tokyo", "kaze-design.example", 0.2, 0.7),
]
# fmt: off
FIRST_NAMES = ["Anna", "Ben", "Carla", "David", "Elena", "Felix", "Greta", "Hugo", "Isabel", "Jonas", "Kara", "Liam",
               "Maya", "Noah", "Olivia", "Pablo", "Quinn", "Rosa", "Stefan", "Tara", "Umar", "Vera", "Will", "Yuki"]
LAST_NAMES = ["Keller", "Brooks", "Santos", "Novak", "Fischer", "Larsen", "Okafor", "Moreau", "Tanaka", "Walsh",
              "Becker", "Haddad", "Lindqvist", "Rossi", "Kowalski", "Nguyen", "Schmidt", "Dubois", "Patel", "Young"]
ZH_NAMES = [("王芳", "wang.fang"), ("李强", "li.qiang"), ("张伟", "zhang.wei"), ("刘洋", "liu.yang"),
            ("陈静", "chen.jing"), ("杨磊", "yang.lei"), ("赵敏", "zhao.min"), ("黄涛", "huang.tao"),
            ("周婷", "zhou.ting"), ("吴刚", "wu.gang"), ("徐丽", "xu.li"), ("孙浩", "sun.hao"), ("马琳", "ma.lin"),
            ("朱军", "zhu.jun"), ("胡月", "hu.yue"), ("郭鹏", "guo.peng"), ("何雪", "he.xue"), ("高峰", "gao.feng")]
# fmt: on


@dataclass(frozen=True)
class Topic:
    """What customers write and search about: subjects and queries in both languages, and how urgent it tends to be."""

    category: str
    subjects: tuple[str, ...]
    subjects_zh: tuple[str, ...]
    queries: tuple[str, ...]
    queries_zh: tuple[str, ...]
    priorities: tuple[int, int, int, int]  # weights of P1–P4
    weight: int = 10


# fmt: off
TOPICS = [
    Topic("Troubleshooting",
          ("Sync stuck at “Preparing files”", "Files not syncing between laptop and server",
           "Sync creates conflict copies of every file"),
          ("同步一直停在“正在准备文件”", "笔记本和服务器之间文件不同步", "同步产生大量冲突副本"),
          ("sync stuck", "sync conflict", "files not syncing"), ("同步 卡住", "同步冲突"), (2, 20, 55, 23), 14),
    Topic("Installation",
          ("Installer fails with error 1603 on Windows", "Desktop app will not install on macOS 15",
           "Which parameters for a silent MSI install?"),
          ("Windows 安装失败，错误 1603", "macOS 上无法安装桌面应用", "MSI 静默安装需要哪些参数？"),
          ("install windows", "msi silent install", "install macos"), ("安装 windows", "安装失败"),
          (0, 10, 55, 35), 10),
    Topic("Sign-in & passwords",
          ("Password reset e-mail never arrives", "Locked out after too many sign-in attempts",
           "Two-factor codes are rejected"),
          ("收不到重置密码的邮件", "多次登录失败后账户被锁定", "双重验证码总是无效"),
          ("reset password", "2fa", "account locked"), ("重置密码", "双重验证"), (1, 20, 50, 29), 12),
    Topic("Licenses",
          ("Licence activation fails with HW-1042", "We need more seats on our licence",
           "Licence shows as expired after renewal"),
          ("许可证激活失败，提示 HW-1042", "需要增加许可证席位", "续费后许可证仍显示过期"),
          ("license activation", "HW-1042", "add seats"), ("许可证激活", "许可证 过期"), (1, 20, 50, 29), 9),
    Topic("Billing & invoices",
          ("Please send a corrected invoice with our VAT number", "We were charged twice this month",
           "How do I download all invoices of the year?"),
          ("需要开具带税号的发票", "本月被重复扣费", "如何下载全年的发票？"),
          ("download invoice", "vat number", "change plan"), ("发票", "退款"), (0, 8, 42, 50), 8),
    Topic("Single sign-on",
          ("SSO with Okta loops back to the sign-in page", "Azure AD users are not provisioned",
           "SAML assertion rejected: clock skew"),
          ("Okta 单点登录后又回到登录页", "Azure AD 用户没有自动创建", "SAML 断言被拒绝：时间偏差"),
          ("okta sso", "saml", "azure ad"), ("单点登录", "saml 配置"), (3, 30, 47, 20), 7),
    Topic("REST API",
          ("API returns 429 Too Many Requests", "REST API answers “token expired” for new tokens",
           "Pagination skips records in /v1/files"),
          ("API 返回 429 请求过多", "新令牌调用 API 也提示过期", "/v1/files 分页漏掉记录"),
          ("api 429", "api token", "rate limit"), ("api 限流", "api 令牌"), (1, 22, 52, 25), 7),
    Topic("Webhooks",
          ("Webhook signatures fail verification", "Webhook deliveries arrive hours late"),
          ("Webhook 签名校验失败", "Webhook 推送延迟好几个小时"),
          ("webhook signature", "webhook retry"), ("webhook 签名",), (1, 25, 54, 20), 5),
    Topic("Third-party integrations",
          ("Slack notifications stopped", "Teams connector says “unauthorised”", "Jira links are no longer created"),
          ("Slack 集成不再推送通知", "Teams 连接器提示未授权", "不再自动创建 Jira 链接"),
          ("slack notifications", "teams integration", "jira"), ("slack 通知", "集成 授权"), (0, 12, 58, 30), 7),
    Topic("Performance",
          ("Desktop app very slow with large folders", "Server CPU at 100% since this morning"),
          ("文件夹很大时桌面应用非常卡", "服务器 CPU 从早上起一直 100%"),
          ("slow performance", "high cpu"), ("很慢", "cpu 占用"), (2, 25, 53, 20), 6),
    Topic("Permissions & roles",
          ("Guest users can see internal folders", "How do I give a team lead admin rights?"),
          ("访客能看到内部文件夹", "如何给组长管理员权限？"),
          ("permissions", "guest access", "roles"), ("权限", "角色"), (1, 15, 44, 40), 6),
    Topic("Network & connectivity",
          ("Cannot connect through our corporate proxy", "Connection drops every few minutes on VPN"),
          ("通过公司代理无法连接", "使用 VPN 时每隔几分钟断线"),
          ("proxy", "connection error", "vpn"), ("代理 连接", "连接失败"), (1, 18, 56, 25), 6),
    Topic("First steps",
          ("How do I share a folder with an external partner?", "Feature request: dark mode in the web app",
           "Best way to archive old projects?"),
          ("如何与外部合作伙伴共享文件夹？", "功能建议：网页版深色模式", "旧项目怎样归档最好？"),
          ("share folder", "dark mode", "archive project"), ("共享文件夹", "深色模式"), (0, 2, 28, 70), 10),
]
# The bump after the 4.2 update, and the outage.
RELEASE = Topic("Errors & crashes",
                ("Desktop app crashes on start after updating to 4.2",
                 "After the 4.2 update sync stalls on large folders", "Plug-ins disappeared after the 4.2 update",
                 "Server migration to 4.2 fails with HW-5001"),
                ("升级到 4.2 后桌面应用启动即崩溃", "4.2 更新后大文件夹同步停滞", "4.2 更新后插件不见了"),
                ("crash after update", "4.2 update", "desktop crash start"), ("更新后 崩溃", "4.2 升级"),
                (4, 35, 46, 15))
OUTAGE = Topic("Network & connectivity",
               ("Cannot sign in: service unavailable (HTTP 503)", "Sync is down for our whole team",
                "HelloWorld cloud unreachable since this morning"),
               ("无法登录：服务不可用（503）", "整个团队都无法同步", "从早上开始无法访问 HelloWorld 云服务"),
               ("503 service unavailable", "helloworld down", "sync outage"), ("无法登录", "服务不可用"),
               (25, 50, 20, 5))
# Searches the knowledge base has no answer for: recorded without results.
GAP_QUERIES = {EN: ["raspberry pi", "chromebook", "smartwatch", "harmonyos", "freebsd", "apple vision pro"],
               ZH: ["鸿蒙", "统信 uos", "麒麟系统", "树莓派", "智能手表"]}
DESCRIPTION = {
    EN: "{subject}.\n\nWe are on HelloWorld **{version}**. It started a few days ago and affects several people in "
        "our team. We already restarted the app and signed out and in again.\n\nCould you have a look?",
    ZH: "{subject}。\n\n我们使用的是 HelloWorld **{version}**，几天前开始出现，团队里好几个人都遇到了。"
        "已经尝试过重启应用、退出后重新登录。\n\n麻烦帮忙看一下。",
}
COMMENTS = {
    (EN, True): ["Quick and clear answer.", "Solved on the first reply, thank you!", "Very patient and knowledgeable.",
                 "Great follow-up, we are all set.", "Thanks for the detailed explanation."],
    (EN, False): ["Took far too long.", "I had to explain the problem three times.", "The workaround is not a fix.",
                  "Nobody told us what was going on during the outage.", "Still not sure it will not happen again."],
    (ZH, True): ["解决得很快。", "客服很专业，谢谢！", "一次就解决了。", "解释得很清楚。"],
    (ZH, False): ["等了太久。", "问题反复出现，没有根本解决。", "故障期间没有任何通知。", "同样的问题要解释好几遍。"],
}
STAGE_NOTES = {
    FollowUpStageKind.REMEDY: "Called the customer, apologised and walked them through the fix.",
    FollowUpStageKind.REVIEW: "Reviewed the ticket: the first reply asked for details we already had.",
    FollowUpStageKind.IMPROVEMENT: "Updated the troubleshooting article and the tier-1 checklist.",
}
FEEDBACK_COMMENTS = ["The screenshots show an older version.", "Steps 3 and 4 do not match what I see.",
                     "Did not cover our proxy setup.", "步骤和界面对不上。", "没有解决我的问题。"]
# fmt: on
WEEKDAY = (1.25, 1.2, 1.15, 1.1, 0.95, 0.3, 0.25)  # Monday … Sunday
HOURS = (1, 1, 1, 1, 1, 2, 3, 6, 10, 13, 13, 12, 10, 11, 12, 12, 11, 9, 6, 4, 3, 2, 2, 1)  # local hour of day
RELEASE_DAYS = {21: 1.9, 20: 1.8, 19: 1.6, 18: 1.4, 17: 1.25, 16: 1.15, 14: 1.1}  # days ago: volume multiplier
OUTAGE_DAYS = {47: 2.6, 46: 1.3}
TIER_WEIGHTS = {Tier.TIER_1: 70, Tier.TIER_2: 22, Tier.TIER_3: 8}
CHANNEL_WEIGHTS = {Channel.WEB: 38, Channel.SELF_SERVICE: 20, Channel.EMAIL: 24, Channel.API: 8, Channel.COMMUNITY: 10}
VERSION_WEIGHTS = {"4.2": 55, "4.1": 25, "4.0": 12, "3.8": 5, "": 3}
OUTCOMES = {HelpOutcome.DEFLECTED: 45, HelpOutcome.WITHDRAWN: 5, HelpOutcome.ESCALATED: 15, HelpOutcome.OPEN: 35}


@dataclass
class HistoryReport:
    tickets: int = 0
    surveys: int = 0
    follow_up_cases: int = 0
    sessions: int = 0
    feedback: int = 0

    def __str__(self) -> str:
        return (
            f"{self.tickets} past tickets, {self.surveys} survey answers, {self.follow_up_cases} follow-up cases, "
            f"{self.sessions} help sessions, {self.feedback} helpfulness answers"
        )


@dataclass
class Customer:
    user: User
    organisation: Organisation
    language: str


@dataclass
class Past:
    """One generated ticket with what the later steps need to know about it."""

    ticket: Ticket
    topic: Topic
    customer: Customer
    trouble: bool  # created in the outage or the release bump: slower, less satisfied
    events: list[Event] = field(default_factory=list)


def load_demo_history() -> HistoryReport:
    """Create the 90 days of history unless they exist; returns what was created (all zero on a second run)."""
    if Organisation.objects.filter(name=ORGANISATIONS[0][0]).exists():
        return HistoryReport()
    rng = random.Random(SEED)  # noqa: S311 - demo data, not security
    now = timezone.now().replace(microsecond=0)
    # Display labels in events are read back in every language (analytics_facts), but are written in one.
    with (
        translation.override(EN),
        transaction.atomic(),
        _given_times(Organisation, OrganisationMembership, Ticket, Event, SurveyResponse, FollowUpCase, Feedback),
    ):
        customers = _customers(rng, now)
        past = _tickets(rng, now, customers)
        answered, cases = _surveys(rng, now, past)
        sessions = _help_sessions(rng, now, past, customers)
        feedback = _feedback(rng, now, customers)
    return HistoryReport(len(past), answered, cases, sessions, feedback)


# --- Saving with given times ------------------------------------------------------------------------------


@contextmanager
def _given_times(*models):
    """Let bulk_create keep the times generated here in auto_now_add and auto_now fields, for the block's duration.

    Those fields stamp "now" in ``pre_save``, which bulk_create calls. The alternative, writing the times again
    afterwards, costs a second write of every row (bulk_update's CASE … WHEN took longer than the inserts); the
    switch is restored on the way out, and load_demo runs alone in its process (tests run one at a time).
    """
    switched = [
        (field, field.auto_now_add, field.auto_now)
        for model in models
        for field in model._meta.concrete_fields
        if getattr(field, "auto_now_add", False) or getattr(field, "auto_now", False)
    ]
    try:
        for field, _add, _now in switched:
            field.auto_now_add = field.auto_now = False
        yield
    finally:
        for field, auto_now_add, auto_now in switched:
            field.auto_now_add, field.auto_now = auto_now_add, auto_now


def _weighted(rng: random.Random, weights: dict):
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def _day_weights(weekend: float = 1.0) -> list[float]:
    """Relative volume of each day, 0 = today … 89 days ago: weekdays, slow growth, the update and the outage."""
    today = timezone.localdate()
    weights = []
    for days_ago in range(DAYS):
        weekday = (today - timedelta(days=days_ago)).weekday()
        factor = WEEKDAY[weekday] if weekday < 5 else WEEKDAY[weekday] * weekend
        trend = 1.1 - 0.2 * days_ago / DAYS
        weights.append(factor * trend * RELEASE_DAYS.get(days_ago, 1) * OUTAGE_DAYS.get(days_ago, 1))
    return weights


def _when(rng: random.Random, now: datetime, day_weights: list[float], zone: str) -> tuple[int, datetime]:
    """(days ago, moment): a day drawn by its weight, at a local hour busier in office hours, in the past.

    A moment later than now is drawn again rather than moved back, so today holds only the hours gone by.
    """
    while True:
        days_ago = rng.choices(range(DAYS), weights=day_weights)[0]
        day = timezone.localdate(now) - timedelta(days=days_ago)
        hour = rng.choices(range(24), weights=HOURS)[0]
        moment = datetime(
            day.year, day.month, day.day, hour, rng.randrange(60), rng.randrange(60), tzinfo=ZoneInfo(zone)
        )
        if moment <= now - timedelta(minutes=30):
            return days_ago, moment.astimezone(now.tzinfo)


# --- Customers ---------------------------------------------------------------------------------------------


def _customers(rng: random.Random, now: datetime) -> list[Customer]:
    """Twelve to twenty-six customers per organisation; none can sign in."""
    organisations = Organisation.objects.bulk_create(
        [
            Organisation(name=name, plan=plan, time_zone=zone, created_at=now - timedelta(days=rng.randint(200, 900)))
            for name, plan, zone, *_rest in ORGANISATIONS
        ],
        batch_size=BATCH,
    )
    users, languages, owners = [], [], []
    taken = set(User.objects.values_list("username", flat=True))
    for organisation, (_name, _plan, _zone, domain, zh_share, volume) in zip(organisations, ORGANISATIONS, strict=True):
        for _n in range(round(12 + 10 * volume)):
            language = ZH if rng.random() < zh_share else EN
            if language == ZH:
                display_name, local = rng.choice(ZH_NAMES)
            else:
                first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
                display_name, local = f"{first} {last}", f"{first}.{last}".lower()
            username, suffix = local, 2
            while username in taken:
                username, suffix = f"{local}{suffix}", suffix + 1
            taken.add(username)
            user = User(username=username, email=f"{username}@{domain}", display_name=display_name,
                        date_joined=now - timedelta(days=rng.randint(100, 800)))  # fmt: skip
            user.set_unusable_password()
            users.append(user)
            languages.append(language)
            owners.append(organisation)
    users = User.objects.bulk_create(users, batch_size=BATCH)
    OrganisationMembership.objects.bulk_create(
        [
            OrganisationMembership(
                user=user, organisation=organisation, is_admin=index % 9 == 0, joined_at=user.date_joined
            )
            for index, (user, organisation) in enumerate(zip(users, owners, strict=True))
        ],
        batch_size=BATCH,
    )
    return [Customer(*row) for row in zip(users, owners, languages, strict=True)]


# --- Tickets ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Clock:
    """A plan's calendar in one time zone and its targets per priority, in seconds."""

    calendar: sla.BusinessCalendar
    first_response: dict[int, int]
    resolution: dict[int, int]
    warn_before: timedelta


def _clock_for(policies: dict[str, SlaPolicy]):
    @cache
    def clock(plan: str, zone: str) -> Clock:
        policy = policies.get(plan) or policies[Plan.BASIC]
        targets = list(policy.targets.all())
        return Clock(
            calendar=clocks.business_calendar(policy, time_zone=zone),
            first_response={target.priority: target.first_response_minutes * 60 for target in targets},
            resolution={target.priority: target.resolution_minutes * 60 for target in targets},
            warn_before=timedelta(minutes=policy.warn_before_minutes),
        )

    return clock


@cache
def _rendered(text: str) -> str:
    return render_markdown(text).html


def _tickets(rng: random.Random, now: datetime, customers: list[Customer]) -> list[Past]:
    policies = {
        policy.plan: policy
        for policy in SlaPolicy.objects.select_related("calendar").prefetch_related("calendar__holidays", "targets")
    }
    clock = _clock_for(policies)
    versions = {version.name: version for version in ProductVersion.objects.all()}
    categories = {category.name: category for category in Category.objects.all()}
    agents = {tier: User.objects.filter(username=f"agent{tier}").first() for tier in Tier.values}
    volume = {name: weight for name, *_rest, weight in ORGANISATIONS}
    customer_weights = [volume[customer.organisation.name] for customer in customers]
    day_weights = _day_weights()
    past = []
    for _n in range(TICKETS):
        customer = rng.choices(customers, weights=customer_weights)[0]
        days_ago, created = _when(rng, now, day_weights, customer.organisation.time_zone)
        if rng.random() < 1 - 1 / OUTAGE_DAYS.get(days_ago, 1):
            topic, trouble = OUTAGE, True
        elif rng.random() < 1 - 1 / RELEASE_DAYS.get(days_ago, 1):
            topic, trouble = RELEASE, True
        else:
            topic, trouble = rng.choices(TOPICS, weights=[topic.weight for topic in TOPICS])[0], False
        past.append(_ticket(rng, now, created, customer, topic, trouble, clock, versions, categories, agents))
    # A few older requests still wait on engineering or on the customer: the backlog's long tail.
    for item in rng.sample([item for item in past if item.ticket.created_at < now - timedelta(days=5)], k=4):
        _keep_open(rng, now, item)
    past.sort(key=lambda item: item.ticket.created_at)
    tickets = Ticket.objects.bulk_create([item.ticket for item in past], batch_size=BATCH)
    for item, ticket in zip(past, tickets, strict=True):
        item.ticket = ticket
    for item in past:
        _events_and_due_times(now, item, clock(item.ticket.plan, item.customer.organisation.time_zone))
    Event.objects.bulk_create([event for item in past for event in item.events], batch_size=BATCH)
    SlaPause.objects.bulk_create(
        [
            SlaPause(ticket=item.ticket, started_at=item.ticket.updated_at)
            for item in past
            if item.ticket.status == Status.WAITING
        ],
        batch_size=BATCH,
    )
    Ticket.objects.bulk_update(
        [item.ticket for item in past],
        ["first_response_due_at", "resolution_due_at", "first_response_warned_at", "first_response_breached_at",
         "resolution_warned_at", "resolution_breached_at"],
        batch_size=BATCH,
    )  # fmt: skip
    return past


def _ticket(rng, now, created, customer, topic, trouble, clock, versions, categories, agents) -> Past:
    organisation = customer.organisation
    language = customer.language
    subjects = topic.subjects_zh if language == ZH else topic.subjects
    subject = rng.choice(subjects)
    version = "4.2" if topic is RELEASE else _weighted(rng, VERSION_WEIGHTS)
    priority = rng.choices(Priority.values, weights=topic.priorities)[0]
    urgent = {Tier.TIER_1: 30, Tier.TIER_2: 40, Tier.TIER_3: 30}
    tier = _weighted(rng, urgent if priority == Priority.P1 else TIER_WEIGHTS)
    channel = _weighted(rng, CHANNEL_WEIGHTS)
    description = DESCRIPTION[language].format(subject=subject.rstrip("?？。."), version=version or "4.x")
    targets = clock(organisation.plan, organisation.time_zone)
    # Business seconds on the clock, lognormal around a fraction of the target so that about nine in ten are met;
    # slower in trouble, and at the higher tiers for the resolution.
    first_seconds = _spread(rng, targets.first_response[priority], 0.33 * (1.9 if trouble else 1), 0.8)
    resolution_median = 0.22 * {1: 1, 2: 1.6, 3: 2.1}[tier] * (1.7 if trouble else 1)
    resolution_seconds = max(_spread(rng, targets.resolution[priority], resolution_median, 0.9), first_seconds + 300)
    first_response_at = sla.add_business_time(targets.calendar, created, timedelta(seconds=first_seconds))
    resolved_at = sla.add_business_time(targets.calendar, created, timedelta(seconds=resolution_seconds))
    ticket = Ticket(
        subject=subject,
        description=description,
        description_html=_rendered(description),
        requester=customer.user,
        requester_email=customer.user.email,
        organisation=organisation,
        plan=organisation.plan,
        product_version=versions.get(version),
        category=categories.get(topic.category),
        priority=priority,
        proposed_priority=max(1, priority - 1) if rng.random() < 0.2 else priority,
        tier=tier,
        channel=channel,
        language=language,
        created_at=created,
        escalation_count=0 if tier == Tier.TIER_1 else tier - 1 if rng.random() < 0.8 else 1,
    )
    # A clock stopped within its target was met; with no pause before either stop, the counted time is the
    # generated one, to the second.
    if first_response_at <= now:
        ticket.first_response_at, ticket.first_response_seconds = first_response_at, first_seconds
        ticket.first_response_met = first_seconds <= targets.first_response[priority]
    if resolved_at <= now:
        ticket.resolved_at, ticket.resolution_seconds = resolved_at, resolution_seconds
        ticket.resolution_met = resolution_seconds <= targets.resolution[priority]
        ticket.reopen_count = int(rng.random() < 0.06)
        ticket.status = Status.RESOLVED
        if resolved_at < now - REOPEN_WINDOW:
            ticket.status, ticket.closed_at = Status.CLOSED, resolved_at + REOPEN_WINDOW
        ticket.assignee = agents[tier]
    elif ticket.first_response_at is None:
        ticket.status = Status.NEW
    else:
        ticket.status = Status.WAITING if rng.random() < 0.35 else Status.OPEN
        ticket.assignee = agents[tier] if rng.random() < 0.8 else None
    ticket.updated_at = _last_change(rng, now, ticket)
    return Past(ticket, topic, customer, trouble)


def _spread(rng: random.Random, target: int, median: float, sigma: float) -> int:
    return max(60, int(target * rng.lognormvariate(math.log(median), sigma)))


def _last_change(rng: random.Random, now: datetime, ticket: Ticket) -> datetime:
    """The ticket's last change; for a ticket waiting on the customer, when the wait began."""
    if ticket.closed_at:
        return ticket.closed_at
    if ticket.resolved_at:
        return ticket.resolved_at
    if ticket.status == Status.WAITING:
        return ticket.first_response_at + (now - ticket.first_response_at) * rng.uniform(0.05, 0.6)
    return ticket.first_response_at or ticket.created_at


def _keep_open(rng: random.Random, now: datetime, item: Past) -> None:
    """Turn an older ticket into one still being worked: answered, not resolved."""
    ticket = item.ticket
    if ticket.first_response_at is None:
        return
    ticket.resolved_at = ticket.closed_at = ticket.resolution_seconds = ticket.resolution_met = None
    ticket.reopen_count = 0
    ticket.status = Status.WAITING if rng.random() < 0.5 else Status.OPEN
    ticket.updated_at = _last_change(rng, now, ticket)


def _events_and_due_times(now: datetime, item: Past, clock: Clock) -> None:
    """The timeline the facts are counted from, and the due times and alarms the SLA job would have left."""
    ticket = item.ticket
    created, end = ticket.created_at, ticket.resolved_at or now

    def event(kind: str, at: datetime, values: dict, by=None) -> None:
        item.events.append(Event(ticket=ticket, actor=by, kind=kind, values=values, created_at=at))

    def status(at: datetime, before: str, after: str, by=None) -> None:
        event(EventKind.STATUS, at, {"from": before, "to": after}, by)

    event(EventKind.CREATED, created, {"channel": ticket.channel}, by=ticket.requester)
    tier_path = [Tier.TIER_1, *([Tier.TIER_2] if ticket.escalation_count == 2 else [])]
    tier_path += [Tier(ticket.tier)] if ticket.tier != Tier.TIER_1 else []
    for step, (old, new) in enumerate(pairwise(tier_path), start=1):
        event(EventKind.TIER, created + (end - created) * 0.15 * step, {"from": int(old), "to": int(new)})
    if ticket.reopen_count:
        first_resolution = created + (end - created) * 0.5
        status(first_resolution, Status.OPEN, Status.RESOLVED, ticket.assignee)
        status(first_resolution + (end - first_resolution) * 0.2, Status.RESOLVED, Status.OPEN, ticket.requester)
    if ticket.resolved_at:
        status(ticket.resolved_at, Status.OPEN, Status.RESOLVED, ticket.assignee)
    if ticket.closed_at:
        status(ticket.closed_at, Status.RESOLVED, Status.CLOSED)
    if ticket.status == Status.WAITING:
        status(ticket.updated_at, Status.OPEN, Status.WAITING, ticket.assignee)

    first_due = sla.add_business_time(clock.calendar, created, timedelta(seconds=clock.first_response[ticket.priority]))
    resolution_due = sla.add_business_time(
        clock.calendar, created, timedelta(seconds=clock.resolution[ticket.priority])
    )
    # Due times are stored while a clock runs; a clock's end (or now, for one still running) past its due moment is
    # a breach the job recorded then, after its warning.
    first_end = ticket.first_response_at or now
    resolution_end = ticket.resolved_at or (ticket.updated_at if ticket.status == Status.WAITING else now)
    if ticket.first_response_at is None:
        ticket.first_response_due_at = first_due
    if ticket.status in (Status.NEW, Status.OPEN):
        ticket.resolution_due_at = resolution_due
    for due, end_at, warned, breached in (
        (first_due, first_end, "first_response_warned_at", "first_response_breached_at"),
        (resolution_due, resolution_end, "resolution_warned_at", "resolution_breached_at"),
    ):
        warn_at = max(created, due - clock.warn_before)
        if end_at > warn_at:
            setattr(ticket, warned, warn_at)
        if end_at > due:
            setattr(ticket, breached, due)


# --- Surveys and follow-up -----------------------------------------------------------------------------------


def _surveys(rng: random.Random, now: datetime, past: list[Past]) -> tuple[int, int]:
    """Answers to about a third of the resolved tickets; a low score opens a follow-up case, mostly closed by now."""
    weights = surveys.current_weights()
    manager = User.objects.filter(username="manager").first()
    nps_given: set[int] = set()  # NPS is asked once per customer in 90 days
    responses, cases, stages = [], [], []
    for item in past:
        ticket = item.ticket
        if ticket.resolved_at is None or rng.random() > 0.35:
            continue
        answered_at = min(ticket.resolved_at + timedelta(hours=rng.uniform(0.2, 40)), now - timedelta(minutes=5))
        if answered_at <= ticket.resolved_at:
            continue
        bad = item.trouble or not ticket.resolution_met or ticket.reopen_count
        csat = rng.choices((1, 2, 3, 4, 5), weights=(9, 9, 12, 28, 42) if bad else (3, 3, 7, 29, 58))[0]
        ratings = {name: min(5, max(1, csat + rng.choice((-1, 0, 0, 0, 1)))) for name in SERVICE_DIMENSIONS}
        if not ticket.first_response_met:
            ratings["response_speed"] = max(1, ratings["response_speed"] - 1)
        nps = None
        if ticket.requester_id not in nps_given and rng.random() < 0.85:
            nps_given.add(ticket.requester_id)
            nps = min(10, max(0, round(rng.gauss((0, 2, 5, 7.5, 9.2)[csat - 1], 1.1))))
        comment = rng.choice(COMMENTS[ticket.language, csat >= 4]) if rng.random() < 0.3 or csat <= 2 else ""
        response = SurveyResponse(
            ticket=ticket,
            respondent=ticket.requester,
            csat=csat,
            **ratings,
            service_index=surveys.service_index(ratings, weights),
            ces=min(5, max(1, 6 - csat + rng.choice((-1, 0, 0, 1)))),
            nps=nps,
            comment=comment,
            created_at=answered_at,
            updated_at=answered_at,
        )
        responses.append(response)
        if surveys.is_low_score(response):
            case, case_stages = _follow_up(rng, now, response, manager)
            cases.append(case)
            stages.append(case_stages)
    SurveyResponse.objects.bulk_create(responses, batch_size=BATCH)
    FollowUpCase.objects.bulk_create(cases, batch_size=BATCH)
    FollowUpStage.objects.bulk_create(
        [stage for case, case_stages in zip(cases, stages, strict=True) for stage in _attach(case, case_stages)],
        batch_size=BATCH,
    )
    return len(responses), len(cases)


def _follow_up(rng: random.Random, now: datetime, response: SurveyResponse, manager: User | None):
    opened = response.created_at
    age = now - opened
    closes = rng.random() < (0.88 if age > timedelta(days=14) else 0.5 if age > timedelta(days=4) else 0.1)
    stages, done_at = [], opened
    for kind, due_days in surveys.STAGE_DUE_DAYS.items():
        done_at = done_at + timedelta(hours=rng.uniform(4, 24 * due_days * 0.8))
        first_stage = kind == FollowUpStageKind.REMEDY
        done = done_at < now and (closes or (first_stage and age > timedelta(days=1)))
        stages.append(
            FollowUpStage(
                kind=kind,
                owner=manager,
                note=STAGE_NOTES[kind] if done else "",
                due_date=timezone.localdate(opened) + timedelta(days=due_days),
                done_at=done_at if done else None,
            )
        )
    closed = all(stage.done_at for stage in stages)
    case = FollowUpCase(
        ticket=response.ticket,
        trigger=surveys._trigger(response),
        status=FollowUpStatus.CLOSED if closed else FollowUpStatus.OPEN,
        opened_at=opened,
        closed_at=stages[-1].done_at if closed else None,
    )
    return case, stages


def _attach(case: FollowUpCase, stages: list[FollowUpStage]) -> list[FollowUpStage]:
    for stage in stages:
        stage.case = case
    return stages


# --- Help sessions ---------------------------------------------------------------------------------------------


class _Results:
    """What the search engine shows for each query, asked once per query and language."""

    def __init__(self, articles: dict[str, list[Article]]):
        self.cache: dict[tuple[str, str], list[dict]] = {}
        self.articles = articles

    def rows(self, query: str, language: str) -> list[dict]:
        if (query, language) not in self.cache:
            hits = search_service.search(query, preferred_language=language, limit=10).hits
            self.cache[query, language] = [
                {"kind": hit.kind, "id": hit.object_id, "title": hit.title[:300], "url": hit.url[:300]} for hit in hits
            ]
        return self.cache[query, language]

    def openable(self, rows: list[dict], language: str) -> list[dict]:
        """The articles among the results; a popular article of the language when there are none."""
        found = [row for row in rows if row["kind"] == "article"]
        if found:
            return found
        article = self.articles[language][len(rows) % len(self.articles[language])]
        return [{"kind": "article", "id": article.pk, "title": article.title, "url": article.get_absolute_url()}]


def _help_sessions(rng: random.Random, now: datetime, past: list[Past], customers: list[Customer]) -> int:
    articles = defaultdict(list)
    for article in Article.objects.published().order_by("-view_count", "pk"):
        articles[article.language].append(article)
    results = _Results(articles)
    # Every self-service ticket came from a session; the other escalated sessions' tickets are not part of the demo.
    linked = [item for item in past if item.ticket.channel == Channel.SELF_SERVICE]
    counts = {outcome: round(SESSIONS * share / 100) for outcome, share in OUTCOMES.items()}
    counts[HelpOutcome.ESCALATED] -= len(linked)
    outcomes = [outcome for outcome, count in counts.items() for _n in range(count)]
    rng.shuffle(outcomes)
    day_weights = _day_weights(weekend=2.2)
    sessions, events = [], []
    for item in linked:
        ticket = item.ticket
        visit = _Visit(rng, item.customer.user, item.customer.language, HelpOutcome.ESCALATED, item.topic, ticket)
        sessions.append(visit.play(results, ticket.created_at))
        events += visit.events
    for outcome in outcomes:
        customer = rng.choice(customers) if rng.random() < 0.35 else None
        language = customer.language if customer else (EN if rng.random() < 0.65 else ZH)
        zone = customer.organisation.time_zone if customer else ("Asia/Shanghai" if language == ZH else "Europe/London")
        days_ago, started = _when(rng, now, day_weights, zone)
        topic = rng.choices(TOPICS, weights=[topic.weight for topic in TOPICS])[0]
        if rng.random() < 1 - 1 / RELEASE_DAYS.get(days_ago, 1):
            topic = RELEASE
        visit = _Visit(rng, customer.user if customer else None, language, outcome, topic)
        sessions.append(visit.play(results, started))
        events += visit.events
    HelpSession.objects.bulk_create(sessions, batch_size=BATCH)
    HelpSessionEvent.objects.bulk_create(events, batch_size=BATCH)
    # The content gaps of the history's closed days, as beat's hourly job rolls them up.
    content_gap_rollup_due()
    return len(sessions)


class _Visit:
    """One help session: a search or two, results opened, and the verdict."""

    def __init__(self, rng, user, language, outcome, topic, ticket=None):
        self.rng, self.user, self.language, self.outcome, self.topic, self.ticket = (
            rng, user, language, outcome, topic, ticket
        )  # fmt: skip
        self.events: list[HelpSessionEvent] = []

    def play(self, results: _Results, started: datetime) -> HelpSession:
        rng = self.rng
        session = HelpSession(
            session_key=f"{rng.getrandbits(128):032x}",
            user=self.user,
            language=self.language,
            started_at=started,
            outcome=self.outcome,
            ticket=self.ticket,
        )
        moment = started
        queries = self.topic.queries_zh if self.language == ZH else self.topic.queries
        rows: list[dict] = []
        searches = 1 if rng.random() < 0.65 else 2
        solved = self.outcome in (HelpOutcome.DEFLECTED, HelpOutcome.WITHDRAWN)
        for n in range(searches):
            # A search without results now and then; a visitor who ends up solved found something last.
            if rng.random() < 0.16 and not (solved and n == searches - 1):
                query, rows = rng.choice(GAP_QUERIES[self.language]), []
            else:
                query = rng.choice(queries)
                rows = results.rows(query, self.language)
            moment += timedelta(seconds=rng.randint(10, 90))
            normalised = normalise_query(query)
            self._add(session, HelpEventKind.SEARCH, moment, query=query, normalised_query=normalised,
                      result_count=len(rows), results=rows, via=HelpVia.SEARCH)  # fmt: skip
        opens = {
            HelpOutcome.DEFLECTED: rng.choice((1, 1, 2)),
            HelpOutcome.WITHDRAWN: 1,
            HelpOutcome.ESCALATED: rng.choice((0, 1, 1)),
            HelpOutcome.OPEN: rng.choice((0, 0, 0, 1, 1, 2)),
        }[self.outcome]
        opened = results.openable(rows, self.language)[:opens] if opens else []
        for row in opened:
            moment += timedelta(seconds=rng.randint(20, 240))
            self._add(session, HelpEventKind.OPEN, moment, item_kind=row["kind"], item_id=row["id"],
                      item_title=row["title"], item_url=row["url"], via=HelpVia.SEARCH)  # fmt: skip
        if opened and self.outcome != HelpOutcome.OPEN:
            moment += timedelta(seconds=rng.randint(30, 300))
            self._add(session, HelpEventKind.RATING, moment, item_kind=opened[-1]["kind"], item_id=opened[-1]["id"],
                      item_title=opened[-1]["title"], item_url=opened[-1]["url"],
                      helpful=self.outcome == HelpOutcome.DEFLECTED)  # fmt: skip
        if self.outcome in (HelpOutcome.ESCALATED, HelpOutcome.WITHDRAWN):
            moment += timedelta(seconds=rng.randint(20, 120))
            self._add(session, HelpEventKind.CONTACT_FORM, moment)
        if self.ticket is not None:
            # The contact form was sent half a minute after the last step: the ticket's own creation time.
            shift = self.ticket.created_at - timedelta(seconds=30) - moment
            session.started_at += shift
            for event in self.events:
                event.created_at += shift
            moment += shift
        session.search_count, session.open_count = searches, len(opened)
        session.last_activity_at = moment
        if self.ticket is not None:
            session.verdict_at = self.ticket.created_at
        elif self.outcome != HelpOutcome.OPEN:
            session.verdict_at = moment + timedelta(seconds=rng.randint(30, 600))
        return session

    def _add(self, session: HelpSession, kind: str, at: datetime, **values) -> None:
        self.events.append(HelpSessionEvent(session=session, kind=kind, created_at=at, **values))


# --- "Was this helpful?" -------------------------------------------------------------------------------------


def _feedback(rng: random.Random, now: datetime, customers: list[Customer]) -> int:
    """Answers spread over the period; most items are liked, a few are not, each for its own main reason."""
    items = [*Article.objects.published().order_by("pk"), *Video.objects.published().order_by("pk")]
    popularity = [max(1.0, item.view_count / 100) for item in items]
    mood = {}
    for item in items:
        poor = rng.random() < 0.12
        reason = rng.choice([FeedbackReason.OUTDATED, FeedbackReason.UNCLEAR, FeedbackReason.NOT_SOLVED,
                             FeedbackReason.INACCURATE])  # fmt: skip
        mood[item] = (rng.uniform(0.25, 0.5) if poor else rng.uniform(0.72, 0.96), reason)
    rows, voters = [], set()
    tallies: Counter = Counter()
    for item in rng.choices(items, weights=popularity, k=FEEDBACK):
        share, main_reason = mood[item]
        customer = rng.choice(customers) if rng.random() < 0.15 else None
        voter = ("user", customer.user.pk) if customer else ("session", f"{rng.getrandbits(128):032x}")
        if (item, voter) in voters:
            continue
        voters.add((item, voter))
        helpful = rng.random() < share
        reason = "" if helpful else main_reason if rng.random() < 0.6 else rng.choice(FeedbackReason.values)
        at = now - timedelta(seconds=rng.randrange(DAYS * 86_400))
        rows.append(
            Feedback(
                **{"article" if isinstance(item, Article) else "video": item},
                user=customer.user if customer else None,
                session_key="" if customer else voter[1],
                helpful=helpful,
                reason=reason,
                comment=rng.choice(FEEDBACK_COMMENTS) if not helpful and rng.random() < 0.2 else "",
                created_at=at,
                updated_at=at,
            )
        )
        tallies[item, helpful] += 1
    Feedback.objects.bulk_create(rows, batch_size=BATCH)
    # The items' counters move by the same deltas feedback_submit applies, one update per item.
    for item in items:
        helpful, unhelpful = tallies[item, True], tallies[item, False]
        if helpful or unhelpful:
            type(item).objects.filter(pk=item.pk).update(
                helpful_count=F("helpful_count") + helpful, not_helpful_count=F("not_helpful_count") + unhelpful
            )
    return len(rows)
