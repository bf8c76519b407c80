"""How fast search answers: a help centre of 120,000 documents, 200 queries, 100 prefixes.

    .venv/bin/python bench/search_latency.py
    .venv/bin/python bench/search_latency.py \\
        --database-url postgres://postgres@127.0.0.1:5432/bench_search

Generates 100,000 help-centre articles (half English, half Simplified Chinese, 48 categories,
product vocabulary drawn with Zipf weights so a few terms are in most documents and most are
rare) and 20,000 short forum questions with an answer (type "faq", category "Community"),
imports them with `import_articles` (which indexes each batch after it commits), then times
`indexing.rebuild()` on the same data. After a warm-up it runs 200 queries through
`service.search(q, limit=20)` and 100 prefixes through `service.suggest(prefix)`, and prints
p50/p95/p99/max latency, the same per kind of query, where the time of a search goes, and the
slowest queries. `--explain` adds the plan of the slowest query's full-text SQL.

SQLite runs in a temporary file that is removed afterwards. A PostgreSQL database (its name
must start with "bench_") is dropped and created first, VACUUM ANALYZEd after the import, and
dropped at the end. `--documents` scales the corpus (5/6 articles, 1/6 forum posts).
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import platform
import random
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from itertools import accumulate
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
TARGET_P95_MS = 50.0

# --- Vocabulary ---------------------------------------------------------------------------------
# Every list is in order of how often it is used: item k is drawn with weight 1/k (Zipf), so the
# first few words turn up in a large share of the documents and the tail in a handful.

EN_FEATURES = [
    "sync", "sign-in", "password", "desktop app", "sharing", "mobile app", "notifications", "storage",
    "calendar", "mail", "billing", "admin console", "backup", "two-factor authentication", "license",
    "team folders", "permissions", "offline mode", "search", "printing", "single sign-on", "version history",
    "recycle bin", "device management", "integrations", "API", "webhooks", "audit log", "data export",
    "browser extension", "Outlook add-in", "video calls", "screen sharing", "chat", "tasks", "comments",
    "templates", "forms", "workflows", "automation rules", "reports", "dashboards", "SAML", "SCIM provisioning",
    "LDAP directory sync", "retention policies", "encryption at rest", "domain verification", "custom branding",
    "e-signatures", "OCR", "PDF export", "spreadsheets", "guest access", "external sharing", "link expiry",
    "watermarks", "legal hold", "eDiscovery", "IP allowlist", "session timeout", "proxy support",
    "bandwidth limits", "selective sync", "smart folders", "file locking", "co-editing", "labels",
]  # fmt: skip
EN_OBJECTS = [
    "file", "account", "folder", "password", "device", "user", "workspace", "document", "team", "link",
    "subscription", "invoice", "profile", "email address", "project", "group", "plan", "payment method",
    "attachment", "message", "event", "contact", "printer", "certificate", "recovery code", "role", "policy",
    "report", "cache", "log file", "installer", "driver", "shared drive", "phone number", "API token",
    "session", "license key", "calendar invite", "time zone", "language", "signature", "domain", "backup",
    "mailbox", "alias", "distribution list", "security key", "QR code", "webhook", "SSL certificate",
    "proxy server", "VPN profile", "network drive", "scanner", "label", "tag", "template", "form", "workflow",
]  # fmt: skip
EN_VERBS = [
    "reset", "change", "set up", "turn on", "install", "update", "share", "delete", "restore", "turn off",
    "export", "add", "remove", "connect", "sync", "move", "rename", "invite", "configure", "verify", "recover",
    "download", "upload", "cancel", "upgrade", "transfer", "import", "print", "unlock", "disconnect", "archive",
    "renew", "revoke", "approve", "migrate", "schedule", "merge", "downgrade", "scan", "uninstall",
]  # fmt: skip
EN_PROBLEMS = [
    "is not syncing", "keeps crashing", "won't open", "is slow", "shows an error", "stopped working after the update",
    "asks for my password again", "is stuck at 99%", "does not appear", "is greyed out", "times out",
    "shows a blank page", "uses too much memory", "drains the battery", "loses its settings",
    "shows the wrong time zone", "sends duplicate notifications", "cannot find the printer",
    "rejects the certificate", "reports a conflict", "is missing after the upgrade", "freezes on startup",
    "says the license has expired", "cannot connect to the server", "shows the wrong language",
]  # fmt: skip
EN_PLATFORMS = [
    "Windows", "macOS", "iPhone", "Android", "the web", "Windows 11", "Chrome", "iPad", "Linux", "Windows 10",
    "Safari", "Firefox", "Edge", "Chromebook", "Ubuntu", "Android tablets", "Apple Watch",
]  # fmt: skip
EN_UI = [
    "Settings", "Preferences", "the Admin console", "Account settings", "the Billing page", "the Security tab",
    "the Devices tab", "the Sharing dialog", "the Sync tab", "the tray icon", "the menu bar", "the side panel",
    "Notifications", "the status bar", "the toolbar", "Advanced settings", "the Users page", "the Audit page",
    "Storage settings", "the Integrations page", "the Developer console", "the Help menu",
]  # fmt: skip
EN_CAUSES = [
    "the network connection is unstable", "the local cache is damaged", "your account lacks the permission",
    "the certificate has expired", "the disk is almost full", "a proxy server blocks the connection",
    "the app is out of date", "the device clock is wrong", "a firewall blocks the port",
    "the license has expired", "another app holds the file open",
    "the file name contains characters the server refuses",
    "the administrator turned the feature off", "the session expired while you were away",
    "antivirus software scans every file the app writes", "the path is longer than Windows allows",
    "battery saver suspends background activity", "the mailbox quota is exceeded", "two devices edited the same file",
    "the identity provider sends a different user name", "DNS records were not updated",
]  # fmt: skip
EN_GENERAL = [
    "usually", "quickly", "automatically", "manually", "first", "again", "later", "carefully", "every", "new",
    "existing", "current", "previous", "latest", "large", "small", "shared", "personal", "external", "internal",
    "temporary", "permanent", "default", "custom", "secure", "local", "remote", "online", "offline", "hidden",
    "visible", "recent", "older", "several", "multiple", "single", "entire", "specific", "separate", "optional",
    "required", "available", "unavailable", "recommended", "supported", "unsupported", "corporate", "regional",
    "daily", "weekly", "monthly", "nightly", "incremental", "full", "partial", "duplicate", "corrupted",
    "encrypted", "compressed", "read-only", "archived", "pending", "failed", "successful", "scheduled",
    "throttled", "cached", "signed", "unsigned", "verified", "unverified", "primary", "secondary", "legacy",
    "deprecated", "experimental", "managed", "unmanaged", "federated", "isolated", "redundant", "granular",
    "idempotent", "asynchronous", "heuristic", "ephemeral", "orphaned", "stale", "dormant", "quarantined",
]  # fmt: skip
EN_PLANS = ["Business", "Standard", "Enterprise", "Education", "Nonprofit", "Starter"]
EN_APPS = ["desktop app", "mobile app", "browser", "sync client", "Outlook add-in", "admin agent"]

ZH_FEATURES = [
    "同步", "登录", "密码", "桌面客户端", "共享", "移动应用", "通知", "存储空间", "日历", "邮件", "账单",
    "管理控制台", "备份", "两步验证", "许可证", "团队文件夹", "权限", "离线模式", "搜索", "打印", "单点登录",
    "版本历史", "回收站", "设备管理", "集成", "开放接口", "网络钩子", "审计日志", "数据导出", "浏览器扩展",
    "Outlook 插件", "视频会议", "屏幕共享", "聊天", "任务", "评论", "模板", "表单", "工作流", "自动化规则",
    "报表", "仪表板", "目录同步", "保留策略", "静态加密", "域名验证", "自定义品牌", "电子签名", "文字识别",
    "外部共享", "链接有效期", "水印", "诉讼保留", "电子取证", "IP 白名单", "会话超时", "代理支持", "带宽限制",
    "选择性同步", "文件锁定", "协同编辑", "标签",
]  # fmt: skip
ZH_OBJECTS = [
    "文件", "账户", "文件夹", "密码", "设备", "用户", "工作区", "文档", "团队", "共享链接", "订阅", "发票",
    "个人资料", "邮箱地址", "项目", "用户组", "套餐", "付款方式", "附件", "消息", "日程", "联系人", "打印机",
    "证书", "恢复代码", "角色", "策略", "报告", "缓存", "日志文件", "安装程序", "驱动程序", "共享盘", "手机号码",
    "访问令牌", "会话", "许可证密钥", "会议邀请", "时区", "语言", "签名", "域名", "邮箱", "别名", "通讯组",
    "安全密钥", "二维码", "代理服务器", "VPN 配置", "网络驱动器", "扫描仪",
]  # fmt: skip
ZH_VERBS = [
    "重置", "更改", "设置", "开启", "安装", "更新", "共享", "删除", "恢复", "关闭", "导出", "添加", "移除",
    "连接", "同步", "移动", "重命名", "邀请", "配置", "验证", "找回", "下载", "上传", "取消", "升级", "转移",
    "导入", "打印", "解锁", "断开", "归档", "续订", "撤销", "批准", "迁移", "合并", "降级", "扫描", "卸载",
]  # fmt: skip
ZH_PROBLEMS = [
    "无法同步", "经常崩溃", "打不开", "运行缓慢", "报错", "更新后无法使用", "反复要求输入密码", "卡在百分之九十九",
    "不显示", "显示为灰色", "连接超时", "显示空白页面", "占用内存过高", "耗电过快", "设置丢失", "时区显示错误",
    "重复发送通知", "找不到打印机", "证书被拒绝", "提示冲突", "升级后不见了", "启动时卡住", "提示许可证已过期",
    "无法连接服务器", "显示的语言不对",
]  # fmt: skip
ZH_PLATFORMS = [
    "Windows", "Mac", "iPhone", "安卓手机", "网页版", "Windows 11", "Chrome", "iPad", "Linux", "Windows 10",
    "Safari", "Firefox", "Edge", "鸿蒙系统", "平板电脑", "微信小程序",
]  # fmt: skip
ZH_UI = [
    "设置", "偏好设置", "管理控制台", "账户设置", "账单页面", "安全选项卡", "设备选项卡", "共享对话框", "同步选项卡",
    "托盘图标", "菜单栏", "侧边栏", "通知中心", "状态栏", "工具栏", "高级设置", "用户管理页面", "审计页面",
    "存储设置", "集成页面", "开发者控制台", "帮助菜单",
]  # fmt: skip
ZH_CAUSES = [
    "网络连接不稳定", "本地缓存已损坏", "您的账户没有相应权限", "证书已过期", "磁盘空间不足", "代理服务器阻止了连接",
    "客户端版本过旧", "设备的系统时间不正确", "防火墙拦截了端口", "许可证已过期", "其他程序正在占用该文件",
    "文件名中含有服务器不接受的字符", "管理员关闭了此功能", "您离开期间会话已过期",
    "杀毒软件扫描了客户端写入的每个文件",
    "路径长度超过了系统限制", "省电模式暂停了后台活动", "邮箱容量已满", "两台设备同时编辑了同一个文件",
    "身份提供商返回的用户名不一致", "域名解析记录尚未更新",
]  # fmt: skip
ZH_GENERAL = [
    "通常", "很快", "自动", "手动", "首先", "再次", "稍后", "仔细", "每个", "新的", "现有的", "当前的", "之前的",
    "最新的", "较大的", "共享的", "个人的", "外部的", "内部的", "临时的", "永久的", "默认的", "自定义的", "安全的",
    "本地的", "远程的", "在线的", "离线的", "隐藏的", "最近的", "多个", "单个", "整个", "特定的", "可选的", "必需的",
    "推荐的", "受支持的", "企业级的", "区域性的", "每日", "每周", "每月", "增量", "完整", "部分", "重复的", "已损坏的",
    "已加密的", "已压缩的", "只读的", "已归档的", "待处理的", "失败的", "计划中的", "受限的", "已签名的", "旧版",
    "实验性的", "托管的", "联合的", "隔离的", "冗余的", "细粒度的", "异步的", "孤立的", "过时的", "休眠的",
]  # fmt: skip
ZH_PLANS = ["商业版", "标准版", "企业版", "教育版", "公益版", "入门版"]
ZH_APPS = ["桌面客户端", "移动应用", "浏览器", "同步客户端", "Outlook 插件", "管理代理"]
ZH_CITIES = [
    "北京", "上海", "广州", "深圳", "杭州", "成都", "南京", "武汉", "西安", "苏州", "天津", "重庆", "长沙", "郑州",
    "青岛", "厦门", "合肥", "济南", "福州", "昆明", "大连", "宁波", "无锡", "东莞", "佛山", "沈阳", "哈尔滨",
    "长春", "南昌", "贵阳", "南宁", "太原", "石家庄", "兰州", "乌鲁木齐", "呼和浩特", "海口", "珠海", "温州", "烟台",
]  # fmt: skip
ZH_SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
ZH_GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉萍红娥玲芬燕彬鹏辉俊峰宇浩凯健晨瑶琳雪"

TOPICS = [
    "Getting started", "Account and sign-in", "Billing and plans", "Desktop app", "Mobile app", "Sync and storage",
    "Sharing and permissions", "Mail and calendar", "Admin console", "Security and compliance",
    "Integrations and API", "Printing and devices",
]  # fmt: skip
AREAS = ["Basics", "Troubleshooting", "Settings", "Advanced"]  # 12 x 4 = 48 categories, plus Community.
VERSIONS = [f"{major}.{minor}" for major in (3, 4, 5) for minor in range(5)]
MODEL_SUFFIXES = ["", "dn", "dw", "fdw", "e"]
STATUSES = ["published"] * 93 + ["draft"] * 3 + ["review"] * 2 + ["archived"] * 2


PRODUCT_HEADS = [
    "Cloud", "Team", "Note", "Flow", "Data", "Desk", "Link", "Mail", "Form", "Task", "Sheet", "Book", "Cast",
    "Vault", "Pulse", "Beam", "Hub", "Grid", "Loop", "Nest", "Spark", "Stack", "Track", "Wave", "Zen", "Bright",
    "Clear", "Quick", "Smart", "Swift", "True", "Open", "Blue", "Red", "Green", "North", "Summit", "Harbor",
    "Atlas", "Orbit", "Pixel", "Signal", "Relay", "Anchor", "Bridge", "Canvas", "Ledger", "Metric", "Prism",
]  # fmt: skip
PRODUCT_TAILS = [
    "ly", "io", "ify", "base", "desk", "works", "point", "force", "suite", "stack", "board", "scope", "path",
    "line", "mint", "sense", "wise", "forge", "craft", "loop", "beam", "port", "gate", "hive", "field", "front",
]  # fmt: skip


class Zipf:
    """Draws items with weight 1/rank**exponent, or with the weights given (e.g. corpus frequencies)."""

    def __init__(self, items: list, exponent: float = 1.0, weights: list[float] | None = None) -> None:
        self.items = items
        weights = weights or [1 / rank**exponent for rank in range(1, len(items) + 1)]
        self.cumulative = list(accumulate(weights))

    def __call__(self, rng: random.Random) -> str:
        return rng.choices(self.items, cum_weights=self.cumulative)[0]


def _rare_terms(rng: random.Random) -> dict[str, list[str]]:
    """The long tail: error codes, device models, setting names, customer names; most appear a few times."""
    words = [
        "auto", "sync", "lock", "retry", "cache", "proxy", "token", "share", "link", "guest", "audit", "quota",
        "batch", "upload", "thumb", "preview", "index", "relay", "mirror", "vault", "shadow", "delta", "chunk",
    ]  # fmt: skip
    tails = ["Timeout", "Interval", "Limit", "Mode", "Policy", "Level", "Size", "Count", "Window", "Threshold"]
    products = [f"{head}{tail}" for head in PRODUCT_HEADS for tail in PRODUCT_TAILS]
    rng.shuffle(products)  # Which products are popular is not alphabetical.
    brands = ["LaserJet", "PIXMA", "WorkForce", "EcoTank", "ImageRunner", "bizhub", "ScanSnap", "OfficeJet"]
    return {
        "code": [f"0x{rng.randrange(0x80000000, 0x8FFFFFFF):08X}" for _ in range(3000)]
        + [f"ERR-{rng.randrange(1000, 9999)}" for _ in range(3000)],
        "model": [
            f"{rng.choice(brands)} {rng.choice('MTGLX')}{rng.randrange(100, 9999)}{rng.choice(MODEL_SUFFIXES)}"
            for _ in range(4000)
        ],
        "setting": [f"{rng.choice(words)}{rng.choice(words).capitalize()}{rng.choice(tails)}" for _ in range(4000)],
        "customer": [f"{rng.choice(ZH_CITIES)}{_name(rng)}科技" for _ in range(3000)],
        "person": [_name(rng) for _ in range(3000)],
        # Other companies' products that articles and posts mention: a name for every integration.
        "product": products,
    }


@functools.cache
def _chinese_words() -> Zipf:
    """Everyday Chinese words weighted by their frequency in jieba's dictionary (a real Zipf curve)."""
    import jieba

    words: list[tuple[int, str]] = []
    with (Path(jieba.__file__).parent / "dict.txt").open(encoding="utf-8") as dictionary:
        for line in dictionary:
            word, frequency, _tag = line.split(" ")
            if 2 <= len(word) <= 4 and all("\u4e00" <= char <= "\u9fff" for char in word):
                words.append((int(frequency), word))
    words.sort(reverse=True)
    words = words[:60_000]
    return Zipf([word for _frequency, word in words], weights=[frequency for frequency, _word in words])


def _name(rng: random.Random) -> str:
    return rng.choice(ZH_SURNAMES) + "".join(rng.choices(ZH_GIVEN, k=rng.randint(1, 2)))


class Slots(dict):
    """A template's fields, each drawn when the template first asks for it."""

    def __init__(self, rng: random.Random, pools: dict[str, Callable[[random.Random], str]], **fixed: str) -> None:
        super().__init__(fixed)
        self.rng = rng
        self.pools = pools

    def __missing__(self, key: str) -> str:
        if key[:1].isupper() and key.lower() in self:  # {Feature} after {feature}: the same one, capitalised.
            value = self[key.lower()][:1].upper() + self[key.lower()][1:]
        else:
            value = self.pools[key.rstrip("0123456789")](self.rng)
        self[key] = value
        return value


EN_TITLES = [
    ("how-to", "How to {verb} {object} in {feature}"),
    ("how-to", "{Verb} your {object} from {ui}"),
    ("how-to", "Set up {feature} for your team"),
    ("troubleshooting", "{Feature}: {object} {problem}"),
    ("troubleshooting", "Troubleshoot {feature} on {platform}"),
    ("troubleshooting", "Error {code} when you {verb} the {object}"),
    ("troubleshooting", "Why {object} {problem} on {platform}"),
    ("faq", "Can I {verb} {object} without {feature}?"),
    ("faq", "What happens to my {object} when I {verb} {object2}?"),
    ("best-practice", "Best practices for {feature} on the {plan} plan"),
    ("best-practice", "Keep {object} safe with {feature}"),
    ("how-to", "Connect {product} to {feature}"),
    ("troubleshooting", "{product}: {object} {problem}"),
    ("how-to", "Change {setting} for {feature}"),
    ("release-note", "What's new in version {version}: {feature}"),
]
EN_SENTENCES = [
    "Open {ui} and select {feature}.",
    "If the {object} {problem}, {verb} the {object} and try again.",
    "Make sure your {object} is connected before you {verb} the {object2}.",
    "On {platform}, go to {ui} > {feature} and turn on {setting}.",
    "This usually happens when {cause}.",
    "It can also happen when {cause}, so check that first.",
    "Administrators can {verb} the {object} for every user in {ui}.",
    'You may see the message "{Feature} could not {verb} the {object}" with code {code}.',
    "The change takes effect after you restart the {app}.",
    "{Feature} is available on the {plan} plan and above.",
    "The {general} {object} stays in the {general2} {feature} until you {verb} it.",
    "Select the {object}, then choose {Verb} from the menu.",
    "When {feature} is off, the {app} does not {verb} the {object}.",
    "Version {version} fixed a problem where the {object} {problem}.",
    "Printers such as the {model} need the latest driver on {platform}.",
    "Your {object} keeps a {general} copy for 30 days, so you can {verb} it later.",
    "Ask your administrator to {verb} {feature} if the option is missing.",
    "Wait a few minutes, then check the {object} in {ui} again.",
    "It works with {product} and {product2} as well.",
    "Customers who use {product} can {verb} the {object} from there.",
    "The {general} setting {setting} controls how often the {app} checks the {object}.",
]
EN_FORUM_TITLES = [
    "{Object} {problem} after updating to {version}?",
    "How do I {verb} my {object} on {platform}?",
    "Anyone else seeing error {code}?",
    "Can I {verb} a {object} without {feature}?",
    "Is there a way to {verb} {object} automatically?",
    "{Feature} {problem} on {platform}",
    "{model} not found by the {app}",
    "Anyone using {product} with {feature}?",
]
EN_FORUM_SENTENCES = [
    "Same here on {platform}.",
    "Go to {ui} and turn off {setting}, that fixed it for me.",
    "Support told me it is fixed in {version}.",
    "Try signing out and back in.",
    "Clearing the cache in {ui} worked for me.",
    "You need admin rights to {verb} the {object}.",
    "Happens every time I {verb} a {object} from {platform}.",
    "It started after we turned on {feature}.",
    "Turned out {cause}.",
]
ZH_TITLES = [
    ("how-to", "如何在{feature}中{verb}{object}"),
    ("how-to", "从{ui}{verb}您的{object}"),
    ("how-to", "为团队设置{feature}"),
    ("troubleshooting", "{feature}：{object}{problem}"),
    ("troubleshooting", "排查{platform}上的{feature}问题"),
    ("troubleshooting", "{verb}{object}时出现错误 {code}"),
    ("troubleshooting", "为什么{platform}上的{object}{problem}"),
    ("faq", "不开通{feature}可以{verb}{object}吗？"),
    ("faq", "{verb}{object2}后我的{object}会怎样？"),
    ("best-practice", "{plan}中{feature}的最佳实践"),
    ("best-practice", "使用{feature}保护{object}的安全"),
    ("how-to", "将 {product} 连接到{feature}"),
    ("troubleshooting", "{product}：{object}{problem}"),
    ("how-to", "为{feature}更改 {setting}"),
    ("release-note", "{version} 版本新功能：{feature}"),
]
ZH_SENTENCES = [
    "打开{ui}，然后选择{feature}。",
    "如果{object}{problem}，请先{verb}{object}，然后重试。",
    "在{verb}{object2}之前，请确认您的{object}已经连接。",
    "在{platform}上，依次进入{ui} > {feature}，然后开启 {setting}。",
    "出现这种情况通常是因为{cause}。",
    "也可能是因为{cause}，请先检查这一点。",
    "管理员可以在{ui}中为所有用户{verb}{object}。",
    "您可能会看到“{feature}无法{verb}{object}”的提示，错误代码为 {code}。",
    "重新启动{app}后更改才会生效。",
    "{feature}仅在{plan}及以上套餐中提供。",
    "{general}{object}会保留在{general2}{feature}中，直到您{verb}它。",
    "选择{object}，然后从菜单中选择“{verb}”。",
    "关闭{feature}后，{app}不会{verb}您的{object}。",
    "{version} 版本修复了{object}{problem}的问题。",
    "{model} 等打印机需要在{platform}上安装最新的驱动程序。",
    "您的{object}会保留{general}副本三十天，您可以稍后{verb}。",
    "如果找不到该选项，请联系管理员{verb}{feature}。",
    "请等待几分钟，然后在{ui}中再次检查{object}。",
    "与 {product} 集成后，{object}会自动{verb}。",
    "{word}和{word2}也可能影响{object}，例如{word3}或{word4}。",
    "如果{word}的{object}无法{verb}，请检查{word2}。",
]
ZH_FORUM_TITLES = [
    "升级到 {version} 后{object}{problem}？",
    "怎么在{platform}上{verb}{object}？",
    "有人遇到过错误 {code} 吗？",
    "不开通{feature}可以{verb}{object}吗？",
    "有没有办法自动{verb}{object}？",
    "{platform}上的{feature}{problem}",
    "{app}找不到 {model}",
]
ZH_FORUM_SENTENCES = [
    "我在{platform}上也遇到了同样的问题。",
    "在{ui}里关闭 {setting} 就好了。",
    "客服说 {version} 已经修复了。",
    "退出账户再重新登录试试。",
    "清除{ui}中的缓存后恢复正常。",
    "需要管理员权限才能{verb}{object}。",
    "每次从{platform}{verb}{object}都会这样。",
    "我们{customer}开启{feature}之后就出现了。",
    "@{person} 后来发现是{cause}。",
    "{word}{word2}的时候{object}{problem}。",
    "有人用 {product} 吗？",
]


def _pools(rng: random.Random, language: str) -> dict[str, Callable[[random.Random], str]]:
    rare = _rare_terms(random.Random(rng.random()))
    en = language == "en"
    pools = {
        "feature": Zipf(EN_FEATURES if en else ZH_FEATURES),
        "object": Zipf(EN_OBJECTS if en else ZH_OBJECTS),
        "verb": Zipf(EN_VERBS if en else ZH_VERBS),
        "problem": Zipf(EN_PROBLEMS if en else ZH_PROBLEMS),
        "platform": Zipf(EN_PLATFORMS if en else ZH_PLATFORMS),
        "ui": Zipf(EN_UI if en else ZH_UI),
        "cause": Zipf(EN_CAUSES if en else ZH_CAUSES),
        "general": Zipf(EN_GENERAL if en else ZH_GENERAL, exponent=0.8),
        "plan": Zipf(EN_PLANS if en else ZH_PLANS),
        "app": Zipf(EN_APPS if en else ZH_APPS),
        "version": Zipf(VERSIONS[::-1]),
        **{name: Zipf(items, exponent=1.1) for name, items in rare.items()},
        "word": _chinese_words(),
    }
    for name in ("feature", "object", "verb"):  # {Feature} is {feature} with a capital.
        pools[name.capitalize()] = _capitalised(pools[name])
    return pools


def _capitalised(pool: Callable[[random.Random], str]) -> Callable[[random.Random], str]:
    return lambda rng: (lambda text: text[:1].upper() + text[1:])(pool(rng))


# --- Documents ----------------------------------------------------------------------------------


@dataclass
class Corpus:
    lines: list[str] = field(default_factory=list)
    articles: int = 0
    forum_posts: int = 0
    characters: int = 0


def generate(documents: int, seed: int) -> Corpus:
    """Articles in pairs (English, then Chinese: mostly its translation) and forum posts in both languages."""
    rng = random.Random(seed)
    pools = {"en": _pools(rng, "en"), "zh-hans": _pools(rng, "zh-hans")}
    corpus = Corpus()
    now = datetime.now(UTC)
    article_count = documents * 5 // 6
    for n in range(article_count):
        language = "en" if n % 2 == 0 else "zh-hans"
        corpus.lines.append(json.dumps(_article(rng, pools[language], language, n, now), ensure_ascii=False))
    for n in range(documents - article_count):
        language = "en" if rng.random() < 0.5 else "zh-hans"
        corpus.lines.append(json.dumps(_forum_post(rng, pools[language], language, n), ensure_ascii=False))
    corpus.articles, corpus.forum_posts = article_count, documents - article_count
    corpus.characters = sum(len(line) for line in corpus.lines)
    return corpus


def _fill(rng: random.Random, pools, template: str, **fixed: str) -> str:
    return template.format_map(Slots(rng, pools, **fixed))


def _article(rng: random.Random, pools, language: str, n: int, now: datetime) -> dict:
    en = language == "en"
    kind, title_template = rng.choice(EN_TITLES if en else ZH_TITLES)
    fixed = {"feature": pools["feature"](rng), "object": pools["object"](rng)}
    sentences = EN_SENTENCES if en else ZH_SENTENCES
    joiner = " " if en else ""
    parts = []
    for section in range(rng.randint(2, 4)):
        heading = _fill(
            rng, pools, "Step {n}: {Verb} the {object}" if en else "第{n}步：{verb}{object}", n=f"{section + 1}"
        )
        parts.append(f"## {heading}")
        # Half the sentences stay on the article's feature and object, as a real article does.
        parts.append(
            joiner.join(
                _fill(rng, pools, rng.choice(sentences), **(fixed if rng.random() < 0.5 else {}))
                for _ in range(rng.randint(3, 6))
            )
        )
        if rng.random() < 0.4:
            step = "Open **{ui}** and choose *{Feature}*." if en else "打开**{ui}**，选择*{feature}*。"
            parts.append("\n".join(f"{k + 1}. {_fill(rng, pools, step)}" for k in range(rng.randint(2, 5))))
        if rng.random() < 0.1:
            parts.append(f"```\nkbctl config set {pools['setting'](rng)} {rng.randint(1, 600)}\n```")
    line = {
        "external_id": f"kb-{n}",
        "title": _fill(rng, pools, title_template, **fixed),
        "summary": _fill(rng, pools, rng.choice(sentences), **fixed),
        "body": "\n\n".join(parts),
        "language": language,
        "category": f"{rng.choice(TOPICS)}/{rng.choice(AREAS)}",
        "type": kind,
        "status": rng.choice(STATUSES),
        "tags": sorted({pools["feature"](rng).lower() for _ in range(rng.randint(1, 3))}),
        "product_versions": sorted(rng.sample(VERSIONS, k=rng.randint(0, 3))),
        "translation_of": f"kb-{n - 1}" if not en and rng.random() < 0.6 else None,
    }
    if rng.random() < 0.01:  # Scheduled: indexed, hidden until due.
        line["publish_at"] = (now + timedelta(days=rng.randint(1, 60))).isoformat()
    return line


def _forum_post(rng: random.Random, pools, language: str, n: int) -> dict:
    en = language == "en"
    sentences = EN_FORUM_SENTENCES if en else ZH_FORUM_SENTENCES
    return {
        "external_id": f"forum-{n}",
        "title": _fill(rng, pools, rng.choice(EN_FORUM_TITLES if en else ZH_FORUM_TITLES)),
        "body": (" " if en else "").join(_fill(rng, pools, rng.choice(sentences)) for _ in range(rng.randint(1, 3))),
        "language": language,
        "category": "Community",
        "type": "faq",
        "status": "published",
        "tags": [],
    }


# --- Queries ------------------------------------------------------------------------------------

KEYBOARD_NEIGHBOURS = dict(zip("abcdefghijklmnopqrstuvwxyz", "sqxswrfhukjlknpolteyiwcuta", strict=True))


def typo(rng: random.Random, text: str) -> str:
    """One slip in one of the longer words: a letter dropped, doubled, swapped or a neighbour key hit."""
    words = text.split(" ")
    candidates = [i for i, word in enumerate(words) if len(word) >= 4 and word.isalpha()]
    if not candidates:
        return text
    i = rng.choice(candidates)
    word, at = words[i], rng.randrange(1, len(words[i]) - 1)
    slip = rng.choice(["drop", "double", "swap", "neighbour"])
    if slip == "drop":
        word = word[:at] + word[at + 1 :]
    elif slip == "double":
        word = word[:at] + word[at] + word[at:]
    elif slip == "swap":
        word = word[:at] + word[at + 1] + word[at] + word[at + 2 :]
    else:
        word = word[:at] + KEYBOARD_NEIGHBOURS.get(word[at], word[at]) + word[at + 1 :]
    words[i] = word
    return " ".join(words)


# How many of the 200 queries each kind gets, and how it is written.
QUERY_KINDS: dict[str, tuple[int, str, list[str]]] = {
    "en common word": (15, "en", ["{feature}", "{object}", "error", "settings", "account", "{verb}"]),
    "en keywords": (35, "en", ["{verb} {object}", "{feature} {object}", "{object} {platform}",
                               "{feature} {problem}", "{verb} {object} {platform}"]),
    "en typo": (20, "en", ["{verb} {object}", "{feature} {object}", "{object} {problem}"]),
    "en question": (25, "en", [
        "how do i {verb} my {object} on {platform}", "why my {object} {problem}",
        "what happens to my {object} when i {verb} it", "how to {verb} {object} in {feature}",
        "can i {verb} a {object} without {feature}", "{feature} {problem} after updating to {version}",
    ]),
    "en code or model": (10, "en", ["{code}", "error {code}", "{model}", "{setting}"]),
    "version": (10, "en", ["{version} release notes", "what's new in {version}", "{feature} {version}"]),
    "zh short": (30, "zh-hans", ["{feature}", "{object}", "{verb}{object}", "{feature}{object}", "{object}{problem}"]),
    "zh question": (25, "zh-hans", [
        "为什么{object}{problem}", "怎么在{platform}上{verb}{object}", "{verb}{object}后{object2}会怎样",
        "如何在{feature}中{verb}{object}", "升级到{version}后{feature}{problem}怎么办",
        "不开通{feature}可以{verb}{object}吗",
    ]),
    "zh wrong character": (10, "zh-hans", ["{verb}{object}", "{feature}{problem}"]),
    "mixed": (20, "zh-hans", ["{platform} {feature}", "{model} 驱动", "错误 {code}", "Outlook 插件{problem}",
                              "{version} {feature}"]),
}  # fmt: skip
# Common slips in typed Chinese: characters of the same sound.
HOMOPHONES = {
    "登录": "登陆", "账户": "帐户", "设置": "设制", "密码": "秘码", "同步": "同部", "打印": "打应",
    "安装": "按装", "权限": "权现", "备份": "备分", "文件": "文建", "证书": "正书", "共享": "共亨",
}  # fmt: skip


@dataclass(frozen=True)
class Query:
    kind: str
    text: str


def queries(seed: int) -> list[Query]:
    rng = random.Random(seed)
    pools = {"en": _pools(random.Random(seed + 1), "en"), "zh-hans": _pools(random.Random(seed + 2), "zh-hans")}
    out = []
    for kind, (count, language, templates) in QUERY_KINDS.items():
        for _ in range(count):
            text = _fill(rng, pools[language], rng.choice(templates))
            text = text.lower() if language == "en" else text
            if kind == "en typo":
                text = typo(rng, text)
            if kind == "zh wrong character":
                for right, wrong in HOMOPHONES.items():
                    if right in text:
                        text = text.replace(right, wrong, 1)
                        break
                else:
                    text = HOMOPHONES[rng.choice(list(HOMOPHONES))] + text
            out.append(Query(kind, " ".join(text.split()[:8])))
    rng.shuffle(out)
    return out


def prefixes(seed: int, count: int = 100) -> list[str]:
    """What people have typed when the box asks for suggestions: from 3 characters (2 for Chinese)."""
    rng = random.Random(seed)
    out = []
    for query in rng.sample(queries(seed + 7), count):
        text = query.text
        shortest = 2 if any("\u4e00" <= char <= "\u9fff" for char in text) else 3
        out.append(text[: rng.randint(min(shortest, len(text)), max(shortest, len(text)))].rstrip() or text)
    return out


# --- Measuring ----------------------------------------------------------------------------------


def percentiles(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)

    def at(fraction: float) -> float:
        # Nearest rank: p95 of 200 samples is the 190th.
        return ordered[max(0, min(len(ordered) - 1, round(fraction * len(ordered) + 0.5) - 1))]

    return {"p50": statistics.median(ordered), "p95": at(0.95), "p99": at(0.99), "max": ordered[-1]}


class StageClock:
    """Wraps engine functions in this process only, to split each call's time into stages."""

    def __init__(self) -> None:
        self.current: defaultdict[str, float] = defaultdict(float)

    def wrap(self, owner: object, name: str, stage: str) -> None:
        original = getattr(owner, name, None)
        if original is None:  # The engine changed shape: that stage is just not split out.
            return

        @functools.wraps(original)
        def timed(*args, **kwargs):
            started = time.perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                self.current[stage] += (time.perf_counter() - started) * 1000

        setattr(owner, name, timed)

    def take(self) -> dict[str, float]:
        stages, self.current = dict(self.current), defaultdict(float)
        return stages


@dataclass
class Sample:
    kind: str
    text: str
    ms: float
    stages: dict[str, float]
    hits: int
    terms: int


def run(call: Callable[[str], object], items: list[tuple[str, str]], clock: StageClock) -> list[Sample]:
    samples = []
    for kind, text in items:
        clock.take()
        started = time.perf_counter()
        result = call(text)
        ms = (time.perf_counter() - started) * 1000
        hits = result.hits if hasattr(result, "hits") else result
        terms = len(result.terms) if hasattr(result, "terms") else 0
        samples.append(Sample(kind, text, ms, clock.take(), len(hits), terms))
    return samples


def row(label: str, values: list[float], width: int = 24) -> str:
    p = percentiles(values)
    return f"{label:<{width}} {len(values):>5} {p['p50']:>8.1f} {p['p95']:>8.1f} {p['p99']:>8.1f} {p['max']:>8.1f}"


def header(label: str, width: int = 24) -> str:
    return f"{label:<{width}} {'n':>5} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'max ms':>8}"


# --- The run --------------------------------------------------------------------------------------


def postgres_admin(url: str, statement: str, database: str) -> None:
    """Run DROP or CREATE DATABASE from the maintenance database of the same server."""
    import psycopg
    from psycopg import sql

    admin = urlsplit(url)._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(sql.SQL(statement).format(sql.Identifier(database)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--documents", type=int, default=120_000, help="Articles plus forum posts (5 to 1).")
    parser.add_argument("--batch-size", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--skip-rebuild", action="store_true", help="Do not time indexing.rebuild().")
    parser.add_argument("--explain", action="store_true", help="Print the plan of the slowest query's SQL.")
    parser.add_argument(
        "--exact-sample", type=int, default=100,
        help="Compare this many of the measured queries with exact BM25 over every posting (0: skip).",
    )  # fmt: skip
    parser.add_argument("--slowest", type=int, default=8, help="How many of the slowest queries to list.")
    parser.add_argument("--database-url", help="A PostgreSQL URL whose database name starts with bench_.")
    parser.add_argument(
        "--demo", action="store_true",
        help="Measure the demo content (load_demo) instead of a generated corpus; --documents is ignored.",
    )  # fmt: skip
    parser.add_argument(
        "--cpu-compare", metavar="CHECKOUT", type=Path,
        help="Also measure CPU per search of the engine in this other checkout (e.g. a `git worktree` of main) "
        "beside this one's, on the same database, in alternating processes; with a bare ORM query as reference.",
    )  # fmt: skip
    parser.add_argument("--cpu-rounds", type=int, default=3, help="Alternating rounds of --cpu-compare.")
    parser.add_argument("--cpu-only", action="store_true", help="Skip the latency report (with --cpu-compare).")
    parser.add_argument("--cpu-phase", type=Path, help=argparse.SUPPRESS)  # internal: one --cpu-compare process
    arguments = parser.parse_args()
    if arguments.cpu_phase:
        cpu_phase(arguments)
        return

    workdir = Path(tempfile.mkdtemp(prefix="bench-search-"))
    url = arguments.database_url or f"sqlite:///{workdir / 'bench.sqlite3'}"
    database = urlsplit(url).path.lstrip("/")
    is_postgres = url.startswith(("postgres://", "postgresql://"))
    if is_postgres:
        if not database.startswith("bench_"):
            parser.error("The PostgreSQL database is dropped and created: give a name that starts with bench_.")
        postgres_admin(url, "DROP DATABASE IF EXISTS {}", database)
        postgres_admin(url, "CREATE DATABASE {}", database)

    os.environ["DJANGO_SETTINGS_MODULE"] = "kbportal.settings.local"
    os.environ["DATABASE_URL"] = url
    os.environ["DJANGO_DEBUG"] = "0"  # DEBUG keeps every query in memory.
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connections

    try:
        call_command("migrate", verbosity=0)
        measure(arguments, workdir, is_postgres)
        if arguments.cpu_compare:
            connections.close_all()
            compare_cpu(arguments, url)
    finally:
        connections.close_all()
        if is_postgres:
            postgres_admin(url, "DROP DATABASE IF EXISTS {}", database)
        for file in workdir.iterdir():
            file.unlink()
        workdir.rmdir()


def measure(arguments: argparse.Namespace, workdir: Path, is_postgres: bool) -> None:
    import django
    from django.db import connection
    from django.db.models import Sum

    from articles.importing import import_articles
    from kbportal.search import indexing, postings, service, statistics
    from kbportal.search.backends import get_backend
    from kbportal.search.models import SearchDocument, SearchPosting, SearchTermCount

    if arguments.demo:
        load_demo_corpus()
        if arguments.cpu_only:
            return
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version" if is_postgres else "SELECT sqlite_version()")
        server = cursor.fetchone()[0]
    print(f"Engine: {_checkout()}")
    print(
        f"Machine: {os.cpu_count()} cores, {platform.machine()}, Linux {platform.release()}, "
        f"Python {platform.python_version()}, Django {django.get_version()}, "
        + (f"PostgreSQL {server} (SQLite library {sqlite3.sqlite_version})" if is_postgres else f"SQLite {server}")
    )
    if arguments.demo:
        documents = SearchDocument.objects.count()
        print(f"Corpus: the demo content, {documents:,} documents indexed")
    else:
        started = time.perf_counter()
        corpus = generate(arguments.documents, arguments.seed)
        generated = time.perf_counter() - started
        print(
            f"Corpus: {corpus.articles:,} articles + {corpus.forum_posts:,} forum posts, "
            f"{corpus.characters / 1e6:.0f} MB of JSON Lines, generated in {generated:.1f} s"
        )

        # Index time inside the import: the batches' on_commit calls of index_items.
        clock = StageClock()
        clock.wrap(indexing, "index_items", "indexing")
        cpu = time.process_time()
        report = import_articles(lines=corpus.lines, batch_size=arguments.batch_size)
        import_cpu = time.process_time() - cpu
        import_seconds, index_seconds = report.seconds, clock.take().get("indexing", 0.0) / 1000
        assert report.rejected == 0, report.problems[:3]
        documents = SearchDocument.objects.count()
        print(
            f"Import: {import_seconds:.1f} s ({report.lines / import_seconds:,.0f} lines/s; "
            f"{report.lines / import_cpu:,.0f} lines per CPU-second of this process), "
            f"of which indexing {index_seconds:.1f} s ({documents / max(index_seconds, 1e-9):,.0f} documents/s); "
            f"{documents:,} documents indexed "
            f"(published ones; {report.created - documents:,} drafts, reviews and archived are not)"
        )
        started = time.perf_counter()
        rows_before = statistics_rows()
        statistics.compact()
        print(
            f"Statistics compacted in {time.perf_counter() - started:.1f} s: "
            f"{rows_before:,} rows (one per term, word and batch) to {statistics_rows():,}"
        )
        if arguments.cpu_only:
            return
        index_size_report(is_postgres, "after the import", beside_django=False)
    rebuild_seconds = None
    if not arguments.skip_rebuild and not arguments.demo:
        probe = queries(arguments.seed + 200)[:5]
        expected = [len(service.search(q.text, limit=100).hits) for q in probe]
        complete: list[bool] = []

        def during(kind: str, done: int, total: int) -> None:
            if done % (indexing.BATCH * 10) == 0:  # every 10 batches: do searches still find everything?
                complete.append([len(service.search(q.text, limit=100).hits) for q in probe] == expected)

        started, cpu = time.perf_counter(), time.process_time()
        counts = indexing.rebuild(progress=during)
        rebuild_seconds, rebuild_cpu = time.perf_counter() - started, time.process_time() - cpu
        rate = sum(counts.values()) / rebuild_seconds
        print(
            f"indexing.rebuild(): {rebuild_seconds:.1f} s ({rate:,.0f} documents/s; "
            f"{sum(counts.values()) / rebuild_cpu:,.0f} per CPU-second); 5 searches checked {len(complete)} times "
            f"while it ran found as many hits as before it every time: {all(complete)}"
        )
    if is_postgres:
        with connection.cursor() as cursor:
            # What autovacuum does soon after a bulk load; without it the planner works from guesses.
            cursor.execute("VACUUM ANALYZE")
            cursor.execute("SELECT pg_database_size(current_database())")
            size = cursor.fetchone()[0]
    else:
        size = sum(path.stat().st_size for path in workdir.glob("bench.sqlite3*"))
    live = statistics.state().live
    counts_by_term = list(
        SearchTermCount.objects.filter(generation=live)
        .values("term")
        .annotate(n=Sum("documents"))
        .values_list("n", flat=True)
    )
    print(
        f"Index: {len(counts_by_term):,} terms, {len(statistics.word_counts(live)):,} words; "
        f"terms in over 10% of documents: {sum(c > documents / 10 for c in counts_by_term):,}, in over half: "
        f"{sum(c > documents / 2 for c in counts_by_term):,}, in one or two: {sum(c <= 2 for c in counts_by_term):,}; "
        f"{SearchPosting.objects.count():,} postings, longer than {postings.POSTINGS_PER_TERM:,} for "
        f"{sum(c > postings.POSTINGS_PER_TERM for c in counts_by_term):,} terms; database {size / 1e6:,.0f} MB"
    )
    index_size_report(is_postgres, "now", beside_django=True)

    backend = type(get_backend())
    search_clock = StageClock()
    search_clock.wrap(statistics, "state", "statistics")
    search_clock.wrap(service, "_idfs", "statistics")
    search_clock.wrap(postings, "_candidates", "candidate walk")
    search_clock.wrap(postings, "_exact_scores", "exact BM25")
    search_clock.wrap(backend, "prefix_search", "title prefix SQL")
    search_clock.wrap(service, "_rank", "load + snippets")
    search_clock.wrap(service, "_hit", "snippets")
    search_clock.wrap(service, "did_you_mean", "did you mean")
    search_clock.wrap(service, "_words", "vocabulary load")

    cold_vocabulary = time.perf_counter()
    service.did_you_mean("pasword")
    cold_vocabulary = (time.perf_counter() - cold_vocabulary) * 1000
    search_clock.take()
    warm_up = queries(arguments.seed + 100)[:20]
    run(lambda text: service.search(text, limit=20), [(q.kind, q.text) for q in warm_up], search_clock)
    run(service.suggest, [("prefix", text) for text in prefixes(arguments.seed + 100, 10)], search_clock)

    measured = queries(arguments.seed)
    search_samples = run(
        lambda text: service.search(text, limit=20), [(q.kind, q.text) for q in measured], search_clock
    )
    suggest_samples = run(service.suggest, [("prefix", t) for t in prefixes(arguments.seed)], search_clock)

    print()
    print(header("Latency"))
    print(row("search(q, limit=20)", [s.ms for s in search_samples]))
    print(row("suggest(prefix)", [s.ms for s in suggest_samples]))
    print(
        f"Target: p95 under {TARGET_P95_MS:.0f} ms. Searches without a hit: "
        f"{sum(not s.hits for s in search_samples)} of {len(search_samples)}; suggestions without one: "
        f"{sum(not s.hits for s in suggest_samples)} of {len(suggest_samples)}."
    )
    print()
    print(header("search, by kind of query"))
    by_kind: dict[str, list[float]] = defaultdict(list)
    for sample in search_samples:
        by_kind[sample.kind].append(sample.ms)
    for kind in QUERY_KINDS:
        print(row(kind, by_kind[kind]))
    print()
    print(header("search, by stage"))
    stage_names = [
        "statistics", "candidate walk", "exact BM25", "load + snippets", "snippets", "did you mean", "vocabulary load"
    ]  # fmt: skip
    for stage in stage_names:
        print(row(stage, [s.stages.get(stage, 0.0) for s in search_samples]))
    print(row("analysis and the rest", [s.ms - _accounted(s.stages) for s in search_samples]))
    print()
    print(header("suggest, by stage"))
    for stage in ["title prefix SQL", "load + snippets", "snippets"]:
        print(row(stage, [s.stages.get(stage, 0.0) for s in suggest_samples]))
    print(
        f"\nFirst did-you-mean after a vocabulary expiry (every {service._VOCABULARY_TTL:.0f} s per process): "
        f"{cold_vocabulary:.0f} ms to load the title words ({len(service._words()[1]):,} it may suggest)."
    )
    print(
        f"\nSlowest {arguments.slowest} searches (ms: total, candidate walk + exact BM25, snippets, did you mean; "
        "terms; documents holding any term; the commonest term and its share of documents):"
    )
    for sample in sorted(search_samples, key=lambda s: -s.ms)[: arguments.slowest]:
        count, commonest, share = matching(sample.text, documents)
        retrieval = sample.stages.get("candidate walk", 0) + sample.stages.get("exact BM25", 0)
        print(
            f"{sample.ms:8.1f} {retrieval:8.1f} {sample.stages.get('snippets', 0):6.1f} "
            f"{sample.stages.get('did you mean', 0):6.1f} {sample.terms:>4} {count:>8,} {commonest:>6} {share:4.0%}  "
            f"[{sample.kind}] {sample.text}"
        )
    print(f"\nSlowest {min(arguments.slowest, 4)} suggestions (ms: total, title prefix SQL):")
    for sample in sorted(suggest_samples, key=lambda s: -s.ms)[: min(arguments.slowest, 4)]:
        print(f"{sample.ms:8.1f} {sample.stages.get('title prefix SQL', 0):8.1f}  {sample.text}")
    if arguments.exact_sample:
        compare_with_exact(measured[:: max(1, len(measured) // arguments.exact_sample)][: arguments.exact_sample])
    if arguments.explain:
        explain(max(search_samples, key=lambda s: s.ms).text, is_postgres)


def statistics_rows() -> int:
    from kbportal.search.models import SearchTermCount, SearchTotals, SearchWordCount

    return sum(model.objects.count() for model in (SearchTermCount, SearchWordCount, SearchTotals))


# The index tables, and a plain Django full-text index of the same documents beside them: a SearchVectorField
# (title weight A, text weight B, the 'simple' configuration, since half the corpus is Chinese and PostgreSQL's
# parsers know no Chinese) with a GIN index, as `django.contrib.postgres.search` documents it.
OUR_TABLES = [
    "search_searchdocument", "search_searchposting", "search_searchtermcount", "search_searchwordcount",
    "search_searchtotals",
]  # fmt: skip
DJANGO_FTS = [
    "CREATE TABLE bench_django_fts (id bigint PRIMARY KEY, title varchar(300) NOT NULL, body text NOT NULL, "
    "search_vector tsvector)",
    "INSERT INTO bench_django_fts SELECT id, title, body, setweight(to_tsvector('simple', title), 'A') || "
    "setweight(to_tsvector('simple', body), 'B') FROM search_searchdocument",
    "CREATE INDEX bench_django_fts_gin ON bench_django_fts USING gin (search_vector)",
    "VACUUM ANALYZE bench_django_fts",
]


def index_size_report(is_postgres: bool, label: str, *, beside_django: bool) -> None:
    """On-disk size of the index's tables (with their indexes and TOAST), beside Django FTS's of the same text."""
    from django.db import connection

    with connection.cursor() as cursor:
        if is_postgres:
            cursor.execute("VACUUM ANALYZE")
            sizes = {}
            for table in OUR_TABLES:
                cursor.execute("SELECT pg_total_relation_size(%s), pg_relation_size(%s)", [table, table])
                sizes[table] = cursor.fetchone()
            fts_total = None
            if beside_django:
                started = time.perf_counter()
                for statement in DJANGO_FTS:
                    cursor.execute(statement)
                built = time.perf_counter() - started
                cursor.execute(
                    "SELECT pg_total_relation_size('bench_django_fts'), pg_relation_size('bench_django_fts')"
                )
                fts_total, fts_heap = cursor.fetchone()
                cursor.execute("DROP TABLE bench_django_fts")
        else:
            cursor.execute("SELECT name, SUM(pgsize) FROM dbstat GROUP BY name")
            pages = dict(cursor.fetchall())
            cursor.execute("SELECT name, tbl_name FROM sqlite_master WHERE type IN ('table', 'index')")
            owner = dict(cursor.fetchall())
            sizes = dict.fromkeys([*OUR_TABLES, "search_fts"], (0, 0))
            for name, size in pages.items():
                table = owner.get(name, name)
                table = "search_fts" if table.startswith("search_fts") else table
                if table in sizes:
                    total, heap = sizes[table]
                    sizes[table] = (total + size, heap + (size if name == table else 0))
            fts_total = None
    ours = sum(total for total, _heap in sizes.values())
    print(f"Index size on disk {label} (MB, with indexes):")
    for table, (total, heap) in sizes.items():
        print(f"  {table:<26} {total / 1e6:9.1f}  (table {heap / 1e6:.1f})")
    print(f"  {'the index, all tables':<26} {ours / 1e6:9.1f}")
    if fts_total is not None:
        print(
            f"  {'Django FTS (GIN), same text':<26} {fts_total / 1e6:9.1f}  (table {fts_heap / 1e6:.1f}; built in "
            f"{built:.1f} s)\n  ratio: {ours / fts_total:.2f}× (target ≤ 2.5×)"
        )


def compare_with_exact(sample: list) -> None:
    """How far reading each term's best postings moves the results from exact BM25 over every posting."""
    from kbportal.search import postings, service

    def top(text: str) -> list[int]:
        return [hit.object_id for hit in service.search(text, limit=20).hits]

    pairs = []
    for query in sample:
        fast = top(query.text)
        limit = postings.POSTINGS_PER_TERM
        postings.POSTINGS_PER_TERM = 10**9
        started = time.perf_counter()
        try:
            exact = top(query.text)
        finally:
            postings.POSTINGS_PER_TERM = limit
        pairs.append((fast, exact, (time.perf_counter() - started) * 1000))
    judged = [(fast, exact, ms) for fast, exact, ms in pairs if exact]
    same_first = sum(fast[:1] == exact[:1] for fast, exact, _ms in judged)
    overlap = [len(set(fast) & set(exact)) / len(exact) for fast, exact, _ms in judged]
    exact_ms = sorted(ms for _fast, _exact, ms in judged)
    print(
        f"\nAgainst exact BM25 over every posting ({len(judged)} queries with a hit, the first of "
        f"{len(sample)} sampled): same first hit {same_first} of {len(judged)}, "
        f"top-20 overlap {100 * statistics.fmean(overlap):.1f}% (lowest {100 * min(overlap):.0f}%); "
        f"exact search p50 {exact_ms[len(exact_ms) // 2]:.0f} ms, p95 {exact_ms[int(len(exact_ms) * 0.95)]:.0f} ms."
    )


# --- CPU per search, this engine beside another checkout's ----------------------------------------------------


def load_demo_corpus() -> None:
    from django.core.management import call_command

    from kbportal.search import indexing

    started = time.perf_counter()
    with open(os.devnull, "w") as quiet:
        call_command("load_demo", stdout=quiet)
    indexing.rebuild()  # whatever the demo's own indexing left waiting for a commit or a task
    print(f"Demo content loaded and indexed in {time.perf_counter() - started:.1f} s")


def compare_cpu(arguments: argparse.Namespace, url: str) -> None:
    """Alternating processes, one engine each, on the database just built: CPU and wall per search."""
    engines = {"before": arguments.cpu_compare.resolve(), "after": ROOT}
    runs: dict[str, list[dict]] = {name: [] for name in engines}
    for _round in range(arguments.cpu_rounds):
        for name, checkout in engines.items():
            command = [
                sys.executable, str(Path(__file__).resolve()), "--cpu-phase", str(checkout),
                "--database-url", url, "--seed", str(arguments.seed),
            ]  # fmt: skip
            # In the checkout: Celery's Django fixup puts the working directory first on sys.path.
            done = subprocess.run(command, capture_output=True, text=True, check=False, cwd=checkout)
            if done.returncode:
                raise SystemExit(f"{name} ({checkout}) failed:\n{done.stderr[-3000:]}")
            runs[name].append(json.loads(done.stdout.strip().splitlines()[-1]))
    print()
    print(
        f"CPU per search, {len(runs['after'][0]['cpu'])} queries x {arguments.cpu_rounds} rounds per engine, "
        "each round a fresh process (medians of the rounds; reference: a bare ORM query of the same rows, "
        "`list(SearchDocument.objects.filter(pk__in=hits))`, measured in the same process)"
    )
    print(
        f"{'engine':<8} {'checkout':<34} {'CPU mean':>9} {'CPU p50':>8} {'CPU p95':>8} {'wall mean':>10} "
        f"{'wall p50':>9} {'ref CPU':>8} {'÷ ref':>6} {'snippets':>9}"
    )
    summary = {}
    for name in engines:
        figures = {
            key: statistics.median(fn(run) for run in runs[name])
            for key, fn in {
                "cpu mean": lambda run: statistics.mean(run["cpu"]),
                "cpu p50": lambda run: statistics.median(run["cpu"]),
                "cpu p95": lambda run: percentiles(run["cpu"])["p95"],
                "wall mean": lambda run: statistics.mean(run["wall"]),
                "wall p50": lambda run: statistics.median(run["wall"]),
                "ref": lambda run: statistics.mean(run["reference"]),
                "ratio": lambda run: sum(run["cpu"]) / sum(run["reference"]),
                "snippets": lambda run: statistics.mean(run["snippets"]),
            }.items()
        }
        summary[name] = figures
        print(
            f"{name:<8} {runs[name][0]['checkout'][:34]:<34} {figures['cpu mean']:>9.2f} {figures['cpu p50']:>8.2f} "
            f"{figures['cpu p95']:>8.2f} {figures['wall mean']:>10.2f} {figures['wall p50']:>9.2f} "
            f"{figures['ref']:>8.2f} {figures['ratio']:>6.1f} {figures['snippets']:>9.2f}"
        )
    before, after = summary["before"], summary["after"]
    print(
        f"after ÷ before: CPU mean {after['cpu mean'] / before['cpu mean']:.2f}, "
        f"wall mean {after['wall mean'] / before['wall mean']:.2f}, "
        f"ratio to the reference {after['ratio'] / before['ratio']:.2f} (ms; snippets: the hits' loading and "
        "snippets, wall, inside the search)"
    )
    hits = {name: runs[name][0]["hits"] for name in engines}
    same = sum(a == b for a, b in zip(hits["before"], hits["after"], strict=True))
    print(f"Same hits in the same order, with the same snippets, for {same} of {len(hits['after'])} queries.")


def cpu_phase(arguments: argparse.Namespace) -> None:
    """One process, one engine (the checkout given): every query searched, timed on the CPU and the clock."""
    checkout = arguments.cpu_phase.resolve()
    os.environ["DJANGO_SETTINGS_MODULE"] = "kbportal.settings.local"
    os.environ["DATABASE_URL"] = arguments.database_url
    os.environ["DJANGO_DEBUG"] = "0"
    sys.path.insert(0, str(checkout))
    import django

    django.setup()
    from kbportal.search import service
    from kbportal.search.models import SearchDocument

    assert Path(service.__file__).resolve().is_relative_to(checkout), service.__file__
    pks = {
        (kind, object_id): pk for pk, kind, object_id in SearchDocument.objects.values_list("pk", "kind", "object_id")
    }
    clock = StageClock()
    clock.wrap(service, "_rank", "load + snippets")
    measured = [q.text for q in queries(arguments.seed)]
    for text in [q.text for q in queries(arguments.seed + 100)[:20]]:  # warm-up: analysis, vocabulary, caches
        service.search(text, limit=20)
    cpu, wall, reference, snippets, hits = [], [], [], [], []
    for text in measured:
        clock.take()
        started_cpu, started = time.process_time(), time.perf_counter()
        result = service.search(text, limit=20)
        wall.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - started_cpu) * 1000)
        snippets.append(clock.take().get("load + snippets", 0.0))
        ids = [pks[(hit.kind, hit.object_id)] for hit in result.hits]
        started_cpu = time.process_time()
        list(SearchDocument.objects.filter(pk__in=ids))
        reference.append((time.process_time() - started_cpu) * 1000)
        hits.append([(hit.kind, hit.object_id, round(hit.score, 3), str(hit.snippet)) for hit in result.hits])
    git = ["git", "-C", str(checkout), "log", "-1", "--format=%h %s"]
    described = subprocess.run(git, capture_output=True, text=True, check=False).stdout.strip()
    print(
        json.dumps(
            {"checkout": described or str(checkout), "cpu": cpu, "wall": wall, "reference": reference,
             "snippets": snippets, "hits": hits}
        )
    )  # fmt: skip


def _checkout() -> str:
    """The commit measured, and whether the search engine had uncommitted changes."""
    git = ["git", "-C", str(ROOT)]
    try:
        commit = subprocess.run([*git, "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=True)
        dirty = subprocess.run([*git, "status", "--porcelain", "kbportal/search"], capture_output=True, text=True)
    except (OSError, subprocess.CalledProcessError):
        return "not a git checkout"
    changes = "with uncommitted changes in kbportal/search" if dirty.stdout.strip() else "kbportal/search as committed"
    return f"commit {commit.stdout.strip()}, {changes}"


def _accounted(stages: dict[str, float]) -> float:
    # "snippets" and "vocabulary load" are parts of "load + snippets" and "did you mean".
    return sum(ms for stage, ms in stages.items() if stage not in ("snippets", "vocabulary load"))


def matching(text: str, documents: int) -> tuple[int, str, float]:
    """How many documents hold any of the query's terms, and the query's commonest term."""
    from django.db import connection

    from kbportal.search import statistics
    from kbportal.search.analyzers import current_analyzer

    terms = current_analyzer().query_tokens(text)
    if not terms:
        return 0, "", 0.0
    with connection.cursor() as cursor:
        marks = ", ".join(["%s"] * len(terms))
        sql = f"SELECT count(DISTINCT document_id) FROM search_searchposting WHERE term IN ({marks})"  # noqa: S608
        cursor.execute(sql, terms)
        count = cursor.fetchone()[0]
    frequencies = statistics.document_frequencies(statistics.state().live, terms)
    if not frequencies:
        return count, "", 0.0
    commonest = max(frequencies, key=lambda term: frequencies[term])
    return count, commonest, frequencies[commonest] / max(documents, 1)


def explain(text: str, is_postgres: bool) -> None:
    """The plan of the candidate walk the search runs for this query, captured as it runs."""
    from django.db import connection

    from kbportal.search import service

    captured: list[tuple[str, list]] = []

    def capture(execute, sql, params, many, context):
        if "UNION ALL" in sql:
            captured.append((sql, params))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(capture):
        service.search(text, limit=20)
    if not captured:
        return
    sql, params = captured[0]
    print(f"\nPlan of the candidate walk for: {text}")
    with connection.cursor() as cursor:
        cursor.execute(("EXPLAIN (ANALYZE, BUFFERS) " if is_postgres else "EXPLAIN QUERY PLAN ") + sql, params)
        for line in cursor.fetchall():
            print("  " + " ".join(str(part) for part in line))


if __name__ == "__main__":
    main()
