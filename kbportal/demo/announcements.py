"""Demo service notices: a running incident on 4.2 (a known issue on the contact form), a release, a scheduled
maintenance, an Enterprise-only notice and an incident resolved last week, with their updates.

Every notice goes through the services the admin uses and is placed relative to now, so the banner and the
status page look alive whenever the demo is loaded. A notice is known by its title: a second run adds nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from articles.models import ProductVersion
from kbportal.accounts.models import User
from kbportal.announcements import services
from kbportal.announcements.models import Audience, NoticeKind, NoticeUpdate, ServiceNotice, Severity, UpdateStatus
from kbportal.announcements.selectors import forget_banner
from tickets.models import Plan


@dataclass(frozen=True)
class DemoUpdate:
    minutes_ago: int
    status: str
    body: str
    body_zh_hans: str = ""


@dataclass(frozen=True)
class DemoNotice:
    title: str
    title_zh_hans: str
    kind: str
    severity: str
    body: str
    body_zh_hans: str
    starts_in_minutes: int  # negative: started that long ago
    lasts_minutes: int | None = None
    version: str = ""
    plan: str = ""
    updates: tuple[DemoUpdate, ...] = field(default_factory=tuple)
    resolved: bool = False
    followers: tuple[str, ...] = ()


NOTICES = [
    DemoNotice(
        title="Sync delays for some EU customers",
        title_zh_hans="部分欧洲客户同步延迟",
        kind=NoticeKind.INCIDENT,
        severity=Severity.MAJOR,
        body=(
            "Changes made in the **4.2** desktop and mobile apps reach other devices of some customers in the EU "
            "region with a delay of up to 20 minutes. No data is lost: every change arrives.\n\n"
            "You do not need to open a ticket. Follow this notice to hear when it is fixed."
        ),
        body_zh_hans=(
            "欧洲区域部分客户在 **4.2** 桌面版和移动版中所做的更改，同步到其他设备时最多延迟 20 分钟。"
            "数据不会丢失，所有更改都会送达。\n\n无需提交工单，关注此通知即可在修复后收到邮件。"
        ),
        starts_in_minutes=-95,
        version="4.2",
        updates=(
            DemoUpdate(
                90,
                UpdateStatus.INVESTIGATING,
                "We are looking into reports of slow sync in the EU region.",
                "我们正在调查欧洲区域同步缓慢的报告。",
            ),
            DemoUpdate(
                35,
                UpdateStatus.IDENTIFIED,
                "A queue node in Frankfurt is overloaded. We are moving its work to two new nodes.",
                "法兰克福的一个队列节点负载过高，我们正在将其任务迁移到两个新节点。",
            ),
        ),
        followers=("grace", "ines"),
    ),
    DemoNotice(
        title="HelloWorld 4.3 is out: offline mode for shared workspaces",
        title_zh_hans="HelloWorld 4.3 发布：共享工作区支持离线模式",
        kind=NoticeKind.RELEASE,
        severity=Severity.INFO,
        body="Shared workspaces now work offline and sync when you are back. See the release notes in the "
        "knowledge base.",
        body_zh_hans="共享工作区现在可以离线使用，恢复联网后自动同步。详情见知识库中的发布说明。",
        starts_in_minutes=-60 * 24,
        lasts_minutes=60 * 24 * 7,
    ),
    DemoNotice(
        title="Scheduled maintenance: database upgrade",
        title_zh_hans="计划维护：数据库升级",
        kind=NoticeKind.MAINTENANCE,
        severity=Severity.MINOR,
        body="Sign-in and sync pause for up to 15 minutes within the window. Work offline continues and syncs "
        "afterwards.",
        body_zh_hans="维护窗口内登录和同步将暂停最多 15 分钟。离线工作不受影响，之后会自动同步。",
        starts_in_minutes=60 * 24 * 3,
        lasts_minutes=120,
        updates=(
            DemoUpdate(
                10,
                UpdateStatus.SCHEDULED,
                "The upgrade is scheduled; nothing to do on your side.",
                "升级已安排，您无需任何操作。",
            ),
        ),
    ),
    DemoNotice(
        title="Enterprise: failover test of the dedicated region",
        title_zh_hans="企业版：专属区域故障切换演练",
        kind=NoticeKind.MAINTENANCE,
        severity=Severity.INFO,
        body="We switch the dedicated region to its standby for about five minutes. No action is needed.",
        body_zh_hans="我们将把专属区域切换到备用区域约五分钟，您无需任何操作。",
        starts_in_minutes=60 * 24 * 6,
        lasts_minutes=60,
        plan=Plan.ENTERPRISE,
    ),
    DemoNotice(
        title="Sign-in errors with Okta single sign-on",
        title_zh_hans="使用 Okta 单点登录时出错",
        kind=NoticeKind.INCIDENT,
        severity=Severity.CRITICAL,
        body="Some customers signing in through Okta saw error HW-2003.",
        body_zh_hans="部分通过 Okta 登录的客户看到错误 HW-2003。",
        starts_in_minutes=-60 * 24 * 6,
        updates=(
            DemoUpdate(
                60 * 24 * 6 - 20,
                UpdateStatus.IDENTIFIED,
                "An expired signing certificate; renewing.",
                "签名证书过期，正在更新。",
            ),
        ),
        resolved=True,
    ),
]


def load_demo_notices() -> int:
    """Create the notices that do not exist yet; returns how many were created."""
    existing = set(ServiceNotice.objects.filter(title__in=[n.title for n in NOTICES]).values_list("title", flat=True))
    staff = User.objects.filter(username="manager").first()
    versions = {version.name: version for version in ProductVersion.objects.all()}
    created = 0
    now = timezone.now()
    with transaction.atomic():
        for demo in NOTICES:
            if demo.title in existing:
                continue
            _play(demo, now=now, by=staff, versions=versions)
            created += 1
    forget_banner()  # the back-dating above bypasses the save signals
    return created


def _play(demo: DemoNotice, *, now, by: User | None, versions: dict[str, ProductVersion]) -> ServiceNotice:
    starts_at = now + timedelta(minutes=demo.starts_in_minutes)
    notice = services.notice_publish(
        by=by,
        title=demo.title,
        title_zh_hans=demo.title_zh_hans,
        kind=demo.kind,
        severity=demo.severity,
        body=demo.body,
        body_zh_hans=demo.body_zh_hans,
        audience=Audience.PLAN if demo.plan else Audience.EVERYONE,
        plan=demo.plan,
        product_version=versions.get(demo.version),
        starts_at=starts_at,
        ends_at=starts_at + timedelta(minutes=demo.lasts_minutes) if demo.lasts_minutes else None,
    )
    for username in demo.followers:
        follower = User.objects.filter(username=username).first()
        if follower is not None:
            services.notice_follow(notice=notice, user=follower)
    for step in demo.updates:
        update = services.notice_add_update(
            notice=notice, body=step.body, body_zh_hans=step.body_zh_hans, status=step.status, by=by
        )
        NoticeUpdate.objects.filter(pk=update.pk).update(created_at=now - timedelta(minutes=step.minutes_ago))
    if demo.resolved:
        services.notice_resolve(notice=notice, by=by)
        # Resolved five days ago, two hours after it started.
        resolved_at = starts_at + timedelta(hours=2)
        ServiceNotice.objects.filter(pk=notice.pk).update(resolved_at=resolved_at, ends_at=resolved_at)
        notice.updates.filter(status=UpdateStatus.RESOLVED).update(created_at=resolved_at)
    return notice
