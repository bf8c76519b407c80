"""Demo forum: a lively community in English and Simplified Chinese.

Questions with several answers and votes from different members, accepted and staff-verified
answers, comments, unanswered questions (some old enough for the "ask support" offer), a pinned
announcement, a locked thread, a duplicate, a spam post hidden by three flags and a newcomer's
question waiting for the moderator. Every thread is played through the same services as the
pages (so scores, reputation, counts and the moderation log are exact), then moved back to its
day. A thread is found again by its asker and title: a second run adds nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from articles.models import ProductVersion
from articles.services import tags_get_or_create
from community import services
from community.models import (
    Answer,
    Comment,
    Flag,
    FlagReason,
    Follow,
    ForumCategory,
    MemberProfile,
    ModerationAction,
    Notification,
    NotificationKind,
    Question,
    Vote,
)
from kbportal.accounts.models import User
from kbportal.choices import Language
from kbportal.search.indexing import deferred_indexing, index_items

EN, ZH = Language.EN, Language.ZH_HANS

# (slug, position, staff only, name, name in Chinese, description, description in Chinese)
CATEGORIES = [
    ("announcements", 0, True, "Announcements", "公告",
     "News from the HelloWorld team: releases, maintenance windows and changes to the community.",
     "HelloWorld 团队发布的消息：新版本、维护窗口以及社区的变化。"),
    ("installing", 1, False, "Installing & upgrading", "安装与升级",
     "The desktop app on Windows, macOS and Linux, HelloWorld Server with Docker, and moving from 3.8 to 4.x.",
     "Windows、macOS 和 Linux 上的桌面应用，用 Docker 部署 HelloWorld Server，以及从 3.8 升级到 4.x。"),
    ("accounts-billing", 2, False, "Accounts, licences & billing", "账户、许可证与账单",
     "Signing in, two-factor authentication, licence keys and seats, plans, invoices and VAT.",
     "登录、双重验证、许可证密钥与席位、套餐、发票与税务。"),
    ("troubleshooting", 3, False, "Troubleshooting", "故障排除",
     "Sync, connections, performance and error codes (HW-xxxx): describe what you see and what you tried.",
     "同步、连接、性能和错误代码（HW-xxxx）：请写清楚现象和已经尝试过的办法。"),
    ("integrations", 4, False, "Integrations & API", "集成与 API",
     "The REST API, webhooks, single sign-on, Slack, Microsoft Teams, Jira, Zapier and your own scripts.",
     "REST API、Webhook、单点登录、Slack、Microsoft Teams、Jira、Zapier 以及自己编写的脚本。"),
]  # fmt: skip

# Forum members besides the demo accounts; they cannot sign in (no password).
# (username, e-mail, display name, days since joining, approved posts)
FORUM_MEMBERS = [
    ("ravi", "ravi@natarajan-consulting.example", "Ravi Natarajan", 520, 3),
    ("chen.jie", "chen.jie@example.cn", "陈杰", 410, 3),
    ("licence-deals", "sales@cheap-keys.example", "Licence Deals", 20, 1),  # the spammer
    ("zhou.min", "zhou.min@example.cn", "周敏", 0, 0),  # new: the first post waits for a moderator
]
# Demo accounts that have been members for a while, so the new-account limits do not apply to them.
TRUSTED_MEMBERS = ["grace", "henry", "li.wei", "ines", "sam"]


@dataclass(frozen=True)
class Remark:
    by: str
    text: str
    hours: float  # after the question was asked


@dataclass(frozen=True)
class Reply:
    by: str
    body: str
    hours: float  # after the question was asked
    up: tuple[str, ...] = ()
    down: tuple[str, ...] = ()
    accepted: bool = False
    verified_by: str = ""
    comments: tuple[Remark, ...] = ()


@dataclass(frozen=True)
class Thread:
    category: str
    by: str
    title: str
    body: str
    days_ago: float
    language: str = EN
    tags: tuple[str, ...] = ()
    version: str = ""
    answers: tuple[Reply, ...] = ()
    up: tuple[str, ...] = ()
    comments: tuple[Remark, ...] = ()
    pinned: bool = False
    locked: str = ""  # the moderator's reason
    duplicate_of: str = ""  # the original question's title
    flags: tuple[tuple[str, str, str], ...] = ()  # (reporter, reason, note)


# fmt: off
THREADS = [
    # --- Announcements -------------------------------------------------------------------------
    Thread("announcements", "manager", "HelloWorld 4.2.1 is out: sync fixes and a faster desktop start",
           "HelloWorld **4.2.1** is rolling out to all desktop apps over the next 48 hours, and the Server image "
           "is available now.\n\n## What changed\n\n- Sync no longer stalls on folders with more than 10,000 "
           "files (HW-3105 on large uploads).\n- The desktop app starts up to 60% faster on Windows and macOS.\n"
           "- Fixed a memory leak in the image preview renderer.\n- Webhook deliveries now retry with "
           "exponential back-off for 24 hours.\n\nSelf-hosted customers: this release contains a database "
           "migration. Take a backup first (`hwctl server backup`), then follow the usual upgrade steps.",
           6, tags=("release notes", "4.2", "sync", "performance"), version="4.2", pinned=True,
           up=("grace", "henry", "ines", "sam", "li.wei", "ravi", "chen.jie"),
           comments=(Remark("grace", "Is the 4.2.1 Server image already on the registry?", 2),
                     Remark("manager", "Yes: helloworld/server:4.2.1 has been published since this morning.", 3)),
           answers=(
               Reply("sam", "Updated on my MacBook: start time went from about 8 seconds to under 3. Thanks!", 9,
                     up=("grace", "ines", "henry")),
               Reply("ravi", "Heads-up for self-hosted admins: the migration rewrites the audit log table. On our "
                             "30 GB database it took about 20 minutes, so plan a short maintenance window.", 20,
                     up=("grace", "henry", "agent3")),
           )),
    Thread("announcements", "manager", "【维护通知】中国区同步服务将于本周六凌晨 2:00–4:00 升级",
           "各位用户好：\n\n为了提升中国区的同步速度，我们将在**本周六凌晨 2:00–4:00（北京时间）**升级同步服务。"
           "维护期间：\n\n- 网页版和桌面版可以正常打开，已有内容可以查看和离线编辑；\n- 新的修改会暂存在本地，"
           "服务恢复后自动同步；\n- API 和 Webhook 可能会出现短暂的 503，请在代码里做好重试。\n\n"
           "给大家带来不便，敬请谅解。",
           10, language=ZH, tags=("sync", "api"), version="4.2",
           up=("li.wei", "chen.jie"),
           comments=(Remark("li.wei", "请问维护期间桌面端离线编辑的内容会不会冲突？", 5),
                     Remark("manager", "不会，恢复后按修改时间合并；同一段落有冲突时会保留两个版本让你选择。", 7)),
           answers=(
               Reply("chen.jie", "已经升级完了，早上同步一个 200MB 的设计稿只用了不到一分钟，明显比以前快。", 40,
                     up=("li.wei", "manager")),
           )),

    # --- Installing & upgrading ----------------------------------------------------------------
    Thread("installing", "sam", "Homebrew install fails: the helloworld cask requires macOS 12",
           "I'm trying to install the desktop app on my MacBook Pro (macOS 11 Big Sur):\n\n```\n"
           "$ brew install --cask helloworld\nError: helloworld: This cask requires macOS >= 12.\n```\n\n"
           "Is there any way to run HelloWorld 4.2 on Big Sur, or do I have to upgrade macOS?",
           22, tags=("macos", "install", "homebrew"), version="4.2",
           up=("henry", "ines"),
           comments=(Remark("henry", "Which MacBook Pro is it? Some 2015 models can officially run Monterey.", 1),
                     Remark("sam", "Early 2015, so apparently it can. I'll try upgrading macOS first.", 2)),
           answers=(
               Reply("ravi", "HelloWorld 4.x needs **macOS 12 Monterey** or later; the last release that runs on "
                             "Big Sur is 3.8. You have three options:\n\n1. Upgrade to Monterey (your 2015 model "
                             "supports it).\n2. Install 3.8 with `brew install --cask helloworld@3.8` — it still "
                             "syncs with 4.x workspaces, but without the new features.\n3. Use the web app in "
                             "Safari or Chrome.", 3,
                     up=("sam", "henry", "ines", "agent1"), accepted=True),
               Reply("agent1", "Confirming what Ravi wrote: see *HelloWorld system requirements* in the knowledge "
                               "base. Version 3.8 gets security fixes until the end of this year, so upgrading "
                               "macOS is the better long-term choice.", 5,
                     up=("sam", "grace")),
           )),
    Thread("installing", "grace", "Upgrading HelloWorld Server from 3.8 to 4.2: can we skip 4.0 and 4.1?",
           "We run HelloWorld Server 3.8.4 on Docker for about 300 users. Do we need to upgrade to 4.0 and 4.1 "
           "first, or can we go straight to 4.2? Anything to watch out for with the database migration?",
           30, tags=("upgrade", "migration", "server", "self-hosted"), version="3.8",
           up=("henry", "ravi", "chen.jie"),
           answers=(
               Reply("agent3", "You can go straight from **3.8.4 or later** to 4.2: the migrations of 4.0 and 4.1 "
                               "run in order during the upgrade.\n\n1. `hwctl server backup --output /backups`\n"
                               "2. Pull the new image: `docker compose pull`\n3. Dry run: "
                               "`docker compose run --rm server hwctl server migrate --check`\n4. "
                               "`docker compose up -d`\n\nThe 3.8 plugins stop working in 4.x, so check the "
                               "*Integrations* page after the upgrade.", 4,
                     up=("grace", "henry", "ravi", "chen.jie"), accepted=True),
               Reply("ravi", "Did exactly that last month. The migration of the audit table took 40 minutes on our "
                             "30 GB database, and the server shows *Starting…* the whole time — don't restart it "
                             "half-way.", 9,
                     up=("grace", "henry"),
                     comments=(Remark("grace", "40 minutes is good to know, thanks. Ours is about 60 GB.", 10),)),
           )),
    Thread("installing", "ines", "Silent MSI install on 200 Windows PCs: which parameters?",
           "We want to roll out the desktop app with Intune to about 200 Windows 11 machines. Which MSI properties "
           "does the installer support? We need a per-machine install without the auto-updater.",
           18, tags=("windows", "msi", "install"), version="4.1",
           up=("grace", "henry"),
           answers=(
               Reply("henry", "We deploy it with Intune as a line-of-business app:\n\n```\nmsiexec /i "
                              "HelloWorld-4.1.3-x64.msi /qn ALLUSERS=1 AUTOUPDATE=0\n```\n\n`ALLUSERS=1` installs "
                              "to Program Files for every user; `AUTOUPDATE=0` leaves updates to you.", 2,
                     up=("ines", "grace", "ravi"), accepted=True, verified_by="agent1"),
               Reply("agent1", "Two more properties help in a large rollout: `LICENSEKEY=` pre-activates the "
                               "licence, and `SERVERURL=` points the app at a self-hosted server. The full list "
                               "is in the *Install HelloWorld on Windows* article.", 6,
                     up=("ines", "henry")),
           )),
    Thread("installing", "li.wei", "在 Ubuntu 22.04 上用 apt 安装后，点击图标没有任何反应",
           "按照知识库的步骤添加了 apt 源并安装了 4.2 桌面版，安装过程没有报错，但是点击图标之后什么都没有出现。"
           "系统是 Ubuntu 22.04，显卡是 NVIDIA，用的是 Wayland 会话。请问应该从哪里开始排查？",
           21, language=ZH, tags=("linux", "apt", "install", "desktop"), version="4.2",
           up=("chen.jie", "ravi"),
           answers=(
               Reply("chen.jie", "先在终端里运行 `helloworld --verbose`，看看日志里报什么错。"
                                 "22.04 上最常见的两个原因：\n\n"
                                 "1. 缺少依赖：`sudo apt install libgbm1 libasound2`；\n2. NVIDIA + Wayland 下 GPU "
                                 "加速有问题，可以先用 `helloworld --ozone-platform=x11` 启动试试。", 3,
                     up=("li.wei", "ravi", "agent2"), accepted=True, verified_by="agent2"),
               Reply("agent2", "补充一下：如果用第二种方法能正常启动，可以在「设置 → 高级」里勾选「使用软件渲染」，"
                               "这样以后直接点图标也能打开。我们会在 4.2.2 里修复 Wayland 下的这个问题。", 8,
                     up=("li.wei", "chen.jie")),
           )),
    Thread("installing", "chen.jie", "从 3.8 升级到 4.2 之后，原来装的插件全都不见了",
           "公司服务器从 3.8 直接升级到了 4.2，升级过程很顺利，但是原来装的 Jira 和 GitLab 插件都不见了，"
           "「集成」页面里也找不到。数据会不会丢？",
           26, language=ZH, tags=("upgrade", "3.8", "migration", "integrations"), version="4.2",
           up=("li.wei",),
           answers=(
               Reply("agent2", "数据不会丢。4.0 起旧的插件接口已经停用，3.8 的插件在 4.x 里不会再加载。Jira 集成现在是"
                               "内置的：在「设置 → 集成 → Jira」里重新连接即可，之前同步过的任务关联都还在。"
                               "GitLab 目前可以通过 Webhook 或 Zapier 对接。", 5,
                     up=("chen.jie", "li.wei"), accepted=True),
               Reply("li.wei", "我们也遇到过。重新连接 Jira 以后，历史关联确实都恢复了，大概等了十分钟才同步完。", 30,
                     up=("chen.jie",)),
           )),
    Thread("installing", "ines", "Exporting one workspace to another HelloWorld Server",
           "We are splitting our company: one department moves to its own HelloWorld Server. Can we export a single "
           "workspace (with files and history) and import it on the new server, or only the whole database?",
           0.5, tags=("server", "self-hosted", "workspace", "backup"), version="4.2"),

    # --- Accounts, licences & billing ----------------------------------------------------------
    Thread("accounts-billing", "henry", "Moving my licence to a new laptop: do I need to deactivate the old one?",
           "I got a new work laptop and the desktop app says *Licence already in use on another device*. The old "
           "laptop has already been wiped. What now?",
           25, tags=("license", "seats", "deactivate", "devices"), version="4.2",
           up=("sam",),
           answers=(
               Reply("ines", "Normally you'd use **Help → Licence → Deactivate this device** on the old machine. "
                             "Since it's wiped, sign in to the web app, open **Account → Devices** and remove the old "
                             "laptop there. Then activate on the new one.", 1.5,
                     up=("henry", "sam", "grace")),
               Reply("sam", "I forgot to deactivate once and it still worked, because my plan allows 3 devices. "
                            "Check how many devices your plan includes.", 4,
                     up=("henry",)),
           )),
    Thread("accounts-billing", "ines", "Can we get past invoices reissued with our VAT number?",
           "We only noticed now that our VAT ID was never added to the account. Our accountant needs it on the "
           "invoices of the last six months. Is that possible, or only for future invoices?",
           15, tags=("invoice", "vat", "billing", "tax"),
           up=("grace",),
           answers=(
               Reply("agent1", "Yes. Add the VAT ID under **Settings → Billing → Tax details**, then open "
                               "**Invoices**, select the invoices and choose **Reissue with current details**. This "
                               "works for the last 12 months; older invoices need a request to our billing team.", 2,
                     up=("ines", "grace"), accepted=True,
                     comments=(Remark("ines", "Worked for all six months. Thank you!", 5),)),
               Reply("grace", "Note that reissued invoices get a new number; the old ones are marked as replaced. "
                              "Our auditors wanted both.", 7,
                     up=("ines",)),
           )),
    Thread("accounts-billing", "sam", "Lost my phone with the authenticator app and now I'm locked out",
           "My phone was stolen and two-factor authentication was on. I can't sign in on any device. What can I do?",
           9, tags=("2fa", "recovery-codes", "lost-phone", "sign-in"),
           up=("ines",),
           answers=(
               Reply("ravi", "On the sign-in page choose **Use a recovery code** and enter one of the ten codes you "
                             "saved when you turned on 2FA. Then set up the authenticator again on the new phone.",
                     1,
                     up=("sam", "henry"),
                     comments=(Remark("henry", "And print the new codes this time :)", 3),)),
               Reply("agent1", "If you don't have your recovery codes, use **Can't sign in?** on the sign-in page. "
                               "We verify that the account is yours through its e-mail address and switch off 2FA; "
                               "this takes one to two business days.", 2,
                     up=("sam", "ines", "grace"), accepted=True),
           )),
    Thread("accounts-billing", "ines", "Password reset e-mail never arrives",
           "I requested a password reset three times, but no e-mail arrives. Sign-in with the old password doesn't "
           "work either. Our company uses Microsoft 365.",
           35, tags=("password", "reset", "sign-in"),
           up=("sam", "henry"),
           answers=(
               Reply("agent1", "The message comes from no-reply@helloworld.example and often lands in spam or in "
                               "the Microsoft 365 quarantine. Ask your IT team to release it and to allowlist the "
                               "sender. The link is valid for one hour, so request a new one afterwards.", 1,
                     up=("ines", "sam", "grace"), accepted=True),
               Reply("henry", "Exactly what happened to us: Exchange Online quarantined them. Our admin released "
                              "them and added the domain to the allowlist.", 5,
                     up=("ines",)),
           )),
    Thread("accounts-billing", "sam", "Forgot my password and the reset mail doesn't come",
           "I clicked *Forgot password?* twice an hour ago but nothing has come yet. Is the reset e-mail broken?",
           8, tags=("password", "reset"), duplicate_of="Password reset e-mail never arrives",
           comments=(Remark("moderator", "Closing as a duplicate: the answers in the linked question cover this. "
                                         "Check the spam folder first.", 2),
                     Remark("sam", "Found it in spam, sorry!", 3))),
    Thread("accounts-billing", "henry", "Why did the Team plan price go up by 20%?",
           "We just got the renewal notice: the Team plan is 20% more expensive this year. Nothing changed for us. "
           "Why should we pay more for the same product?",
           24, tags=("pricing", "plans", "subscription"),
           up=("sam",),
           locked="The question is answered and the discussion became personal. Pricing feedback goes to your "
                  "account manager or to the feedback form.",
           answers=(
               Reply("manager", "The new prices include features that used to cost extra: SSO with OIDC, the "
                                "audit log and 25 GB more storage per seat. Customers who renew before the end of "
                                "the quarter keep last year's price for another year.", 3,
                     up=("henry", "grace")),
               Reply("ravi", "Compared with buying SSO separately it still works out cheaper for us. But I agree "
                             "the notice could have explained it better.", 6,
                     up=("henry", "grace", "ines")),
               Reply("sam", "Honestly this feels like a cash grab. We're a small team and don't need SSO.", 8,
                     up=("henry",), down=("agent1",)),
           )),
    Thread("accounts-billing", "licence-deals", "Cheap HelloWorld Enterprise licence keys, 80% off, instant delivery",
           "Genuine HelloWorld Enterprise keys, lifetime, 80% cheaper than the official price. Instant delivery, "
           "bulk discounts for teams. Contact us on Telegram: @hw_keys_cheap",
           3, tags=("license",),
           flags=(("grace", FlagReason.SPAM, "Selling grey-market keys."),
                  ("henry", FlagReason.SPAM, ""),
                  ("li.wei", FlagReason.SPAM, "广告"))),
    Thread("accounts-billing", "li.wei", "发票抬头和税号填错了，已经开出的发票还能重开吗？",
           "上个月的电子发票抬头写成了我们以前的公司名，税号也是旧的。财务说这样没法报销。请问已经开出的发票能重开吗？",
           19, language=ZH, tags=("fapiao", "invoice", "billing", "tax"),
           up=("chen.jie",),
           answers=(
               Reply("manager", "可以重开。先在「设置 → 账单 → 税务信息」里改成正确的抬头和税号，然后在「发票」列表里"
                                "选中需要的发票，点「按当前信息重开」。过去 12 个月内的增值税普通发票都可以这样处理；"
                                "增值税专用发票请提交工单，我们人工处理。", 2,
                     up=("li.wei", "chen.jie"), accepted=True),
               Reply("chen.jie", "我们上个月刚改过一次，重开的电子发票几分钟就发到邮箱了，原来的那张会自动作废。", 6,
                     up=("li.wei",)),
           )),
    Thread("accounts-billing", "chen.jie", "团队版中途升级到企业版，剩下的费用是怎么算的？",
           "我们的团队版年付还剩五个月，现在想升级到企业版（需要 SCIM 和审计日志）。升级后是重新按一年收费，"
           "还是只补差价？",
           28, language=ZH, tags=("plans", "pricing", "upgrade", "subscription"),
           up=("li.wei",),
           answers=(
               Reply("agent2", "只补差价：系统按剩余天数折算团队版已付的费用，直接抵扣企业版的费用，续费日期不变。"
                               "升级前在「设置 → 账单 → 更改套餐」里可以先看到应付金额。", 4,
                     up=("chen.jie", "li.wei")),
               Reply("li.wei", "我们去年也是中途升级的，发票上会列出抵扣明细，财务看得很清楚。", 20,
                     up=("chen.jie",)),
           )),

    # --- Troubleshooting -----------------------------------------------------------------------
    Thread("troubleshooting", "ravi", "Server container restarts in a loop with HW-5001 after docker compose up",
           "Fresh install of HelloWorld Server 4.2 with the official `docker-compose.yml`. The `server` container "
           "restarts every few seconds and the log shows:\n\n```\nHW-5001 database connection refused "
           "(127.0.0.1:5432)\n```\n\nPostgreSQL 16 runs in the `db` container and is healthy.",
           12, tags=("docker", "server", "database", "hw-5001"), version="4.2",
           up=("grace", "henry"),
           answers=(
               Reply("grace", "Inside the container `127.0.0.1` is the server container itself. Set "
                              "`DATABASE_URL=postgres://helloworld:…@db:5432/helloworld` so it uses the service "
                              "name `db`.", 1,
                     up=("ravi", "henry", "agent2"), accepted=True),
               Reply("agent2", "And make the server wait for the database, otherwise the first start can still "
                               "fail:\n\n```yaml\ndepends_on:\n  db:\n    condition: service_healthy\n```", 3,
                     up=("ravi", "grace", "ines")),
           )),
    Thread("troubleshooting", "ines", "Sync stuck at \"Uploading 1 of 312\" since this morning (HW-3105)",
           "The desktop app has shown *Uploading 1 of 312* for hours and the status bar says HW-3105. Restarting "
           "the app didn't help. Other people in the workspace are syncing fine.",
           2, tags=("sync", "hw-3105", "offline"), version="4.2",
           up=("sam",),
           answers=(
               Reply("sam", "Same here yesterday; signing out and in again fixed it for me.", 1,
                     up=("ines",)),
               Reply("agent1", "HW-3105 means one file cannot be uploaded: it is larger than 2 GB or its name has "
                               "characters the server rejects. Run `hwctl diag sync` — it names the file. Move it "
                               "out of the synced folder and the queue continues.", 2,
                     up=("ines", "henry", "ravi"), accepted=True,
                     comments=(Remark("ines", "It was a 4 GB video export. Moved it out and sync finished.", 4),)),
           )),
    Thread("troubleshooting", "henry", "Desktop app uses 3 GB of RAM after a day",
           "On Windows 11 the desktop app starts at about 500 MB and grows to 3 GB by the end of the day. We have "
           "a few busy channels with lots of screenshots. Is that expected?",
           7, tags=("memory", "performance", "desktop"), version="4.2",
           up=("sam", "grace"),
           answers=(
               Reply("ravi", "Channels with many image previews keep them in memory. **Settings → Advanced → Limit "
                             "preview cache** to 256 MB helped a lot for us.", 2,
                     up=("henry", "sam")),
               Reply("agent3", "This is a known leak in the preview renderer of 4.2.0, fixed in **4.2.1**. Please "
                               "update (Help → Check for updates).", 5,
                     up=("henry", "grace", "ines", "ravi"), accepted=True,
                     comments=(Remark("henry", "Updated: it now stays around 600 MB. Thanks!", 30),)),
           )),
    Thread("troubleshooting", "sam", "\"Reconnecting…\" every few minutes on the office VPN",
           "When I'm connected to the office VPN the app shows *Reconnecting…* every few minutes and messages "
           "arrive late. Without the VPN everything is fine.",
           4, tags=("vpn", "websocket", "disconnect", "connectivity"), version="4.2",
           answers=(
               Reply("henry", "Our VPN (GlobalProtect) closed idle WebSocket connections after 60 seconds. IT raised "
                              "the idle timeout to 300 seconds and the reconnects stopped.", 3,
                     up=("sam", "ines")),
               Reply("ravi", "If IT can't change the timeout, ask for split tunnelling for *.helloworld.example, "
                             "so that traffic doesn't go through the VPN at all.", 6,
                     up=("sam",)),
           )),
    Thread("troubleshooting", "grace", "TLS error HW-2001 since our proxy started SSL inspection",
           "Since Monday our proxy inspects HTTPS traffic and the desktop app fails with **HW-2001 (certificate "
           "not trusted)**. Browsers are fine because the company root certificate is installed there.",
           20, tags=("tls", "certificate", "hw-2001", "proxy"), version="4.1",
           up=("henry",),
           answers=(
               Reply("agent2", "The app uses its own certificate store. Either exclude the HelloWorld hosts from "
                               "inspection, or give the app your company root certificate: set "
                               "`HW_EXTRA_CA_CERTS=C:\\certs\\corp-root.pem` machine-wide, or from 4.1 on use "
                               "**Settings → Network → Trust system certificates**.", 2,
                     up=("grace", "henry", "ravi"), accepted=True),
               Reply("sam", "Just turn off certificate verification in the network settings, that's what I did.", 4,
                     down=("agent3", "moderator"),
                     comments=(Remark("agent3", "Please don't: that removes the protection against "
                                                "man-in-the-middle attacks. Trusting the company root certificate "
                                                "is the safe fix.", 5),)),
           )),
    Thread("troubleshooting", "ravi", "Blank white window on Windows 11 after updating to 4.2",
           "After the update to 4.2 the desktop app opens with a completely white window. Nothing is clickable. "
           "Reinstalling didn't help. The laptop has an Intel Iris Xe GPU and two external screens.",
           1.5, tags=("crash", "startup", "desktop", "hw-6001"), version="4.2",
           up=("henry",),
           answers=(
               Reply("agent1", "Please try starting it once with `HelloWorld.exe --disable-gpu`. If that works, "
                               "delete `%APPDATA%\\HelloWorld\\Cache` and update the Intel graphics driver. Let us "
                               "know what you find.", 4,
                     up=("ravi",)),
               Reply("henry", "Had the same with two monitors: disconnecting the second screen, starting the app "
                              "and reconnecting worked until the next update.", 9,
                     up=("ravi",)),
           )),
    Thread("troubleshooting", "li.wei", "公司代理下桌面版登录报 HW-1042，浏览器却能正常打开",
           "在公司网络里，桌面版登录时一直提示 **HW-1042（需要代理身份验证）**，但是用浏览器打开网页版完全正常。"
           "我们的代理需要域账号认证，版本是 4.1。",
           14, language=ZH, tags=("proxy", "hw-1042", "connectivity", "firewall"), version="4.1",
           up=("chen.jie", "grace"),
           answers=(
               Reply("chen.jie", "浏览器会自动用系统的代理设置和域账号，桌面版默认不会。到「设置 → 网络 → 代理」里选"
                                 "「手动」，填上代理地址和端口；4.1 开始支持 NTLM 和 Kerberos，勾选「使用 Windows 登录"
                                 "凭据」就行。", 2,
                     up=("li.wei", "ravi"), accepted=True),
               Reply("agent2", "如果还是不行，请运行 `hwctl diag network`，它会列出每个域名是 OK 还是 BLOCKED，"
                               "把结果发给网管，让他们放行 sync.helloworld.example 的 WebSocket 连接。", 5,
                     up=("li.wei", "chen.jie", "grace")),
           )),
    Thread("troubleshooting", "chen.jie", "上传一个 50MB 的文件要十几分钟，同步特别慢",
           "最近同步特别慢，上传一个 50MB 的设计稿要十几分钟，公司宽带测速是 100M。其他同事也说慢。"
           "桌面版 4.2，Windows 和 Mac 都一样。",
           8, language=ZH, tags=("sync", "slow", "performance"), version="4.2",
           up=("li.wei",),
           answers=(
               Reply("li.wei", "我们之前也这样，后来发现是公司防火墙对 WebSocket 连接限速，网管把 helloworld 的域名"
                               "加到白名单以后就好了。", 3,
                     up=("chen.jie",)),
               Reply("agent2", "另外请检查「设置 → 同步 → 带宽限制」，4.2 新增了这个选项，有些企业的部署脚本会默认"
                               "设成 1 MB/s。改成「不限制」以后重启一下应用。", 6,
                     up=("chen.jie", "li.wei"), accepted=True,
                     comments=(Remark("chen.jie", "果然是被限成 1 MB/s 了，改完以后 50MB 几秒钟就传完了，谢谢！", 8),)),
           )),

    # --- Integrations & API --------------------------------------------------------------------
    Thread("integrations", "henry", "Webhook signature never matches in Node.js / Express",
           "I'm verifying `X-HelloWorld-Signature` like this, but the HMAC never matches:\n\n```js\n"
           "app.use(express.json());\nconst expected = crypto.createHmac('sha256', secret)\n"
           "  .update(JSON.stringify(req.body)).digest('hex');\n```\n\nThe secret is copied from the webhook "
           "settings. What am I missing?",
           16, tags=("webhooks", "signature", "hmac", "security"), version="4.2",
           up=("grace", "ravi"),
           answers=(
               Reply("ravi", "You're hashing the *re-serialised* JSON, which differs from the bytes we sent "
                             "(spacing, key order). Hash the raw body instead:\n\n```js\n"
                             "app.post('/hooks', express.raw({type: 'application/json'}), (req, res) => {\n"
                             "  const expected = crypto.createHmac('sha256', secret).update(req.body).digest('hex');\n"
                             "  // compare, then JSON.parse(req.body)\n});\n```", 1,
                     up=("henry", "grace", "agent2"), accepted=True, verified_by="agent2"),
               Reply("agent2", "Also compare with `crypto.timingSafeEqual`, and check `X-HelloWorld-Timestamp` "
                               "(reject anything older than 5 minutes) so that old deliveries cannot be replayed.",
                     4,
                     up=("henry", "ravi")),
           )),
    Thread("integrations", "grace", "API returns 429 while exporting all tasks: what is the actual limit?",
           "Our nightly export script pulls all tasks through the REST API and starts getting **429 Too Many "
           "Requests (HW-4029)** after a few minutes. What are the limits, and how should we pace the calls?",
           13, tags=("api", "rate limit", "429", "hw-4029"), version="4.2",
           up=("henry", "ravi"),
           answers=(
               Reply("henry", "Read the `Retry-After` header and sleep that long before the next call. Our "
                              "exporter does that and never fails anymore.", 2,
                     up=("grace",)),
               Reply("agent2", "Limits are per token: 600 requests a minute on Business, 1,200 on Enterprise. "
                               "The biggest win is fewer calls: use cursor pagination with `page_size=200` "
                               "(the maximum) instead of the default 50.", 3,
                     up=("grace", "henry", "ravi"), accepted=True),
           )),
    Thread("integrations", "ines", "Slack notifications stopped after we renamed the channel",
           "We renamed our Slack channel from #support-alerts to #hw-alerts and since then no HelloWorld "
           "notifications arrive. The integration still shows *Connected*.",
           5, tags=("slack", "notifications", "integrations"),
           answers=(
               Reply("sam", "Open **Integrations → Slack → Edit** and pick the channel again: the integration keeps "
                            "the old name until you save it once more.", 2,
                     up=("ines",)),
               Reply("ravi", "If it's a private channel, also invite the HelloWorld bot to it again: "
                             "`/invite @HelloWorld`.", 6,
                     up=("ines", "sam")),
           )),
    Thread("integrations", "henry", "SCIM from Okta creates users but does not put them into groups",
           "User provisioning from Okta via SCIM works: new people appear in HelloWorld. But the groups we assign "
           "in Okta are never created and nobody ends up in the right spaces.",
           11, tags=("scim", "okta", "provisioning", "sso"), version="4.2",
           up=("grace",),
           answers=(
               Reply("ravi", "Assigning groups to the app is not the same as pushing them. In Okta open the app → "
                             "**Push Groups** tab → *Push groups by name* and add each group. Only pushed groups "
                             "are sent over SCIM.", 2,
                     up=("henry", "grace"), accepted=True, verified_by="agent2"),
               Reply("grace", "And in HelloWorld map each pushed group to a space under **Admin → Groups**; "
                              "otherwise the group exists but grants nothing.", 5,
                     up=("henry",)),
           )),
    Thread("integrations", "ravi", "Jira sync: can custom fields be mapped?",
           "The Jira integration syncs summary, status and assignee. We'd also need two custom fields (\"Customer\" "
           "and \"Story points\") on the HelloWorld side. Is there a way to map them, perhaps through the API?",
           9, tags=("jira", "sync", "integrations"), version="4.2"),
    Thread("integrations", "grace", "Teams integration: messages from private channels don't show up",
           "We connected HelloWorld to Microsoft Teams. Notifications from standard channels arrive, but nothing "
           "from private channels, even though the app is added there too.",
           2.5, tags=("microsoft teams", "notifications", "integrations"), version="4.2"),
    Thread("installing", "sam", "Is there a HelloWorld app for Chromebooks?",
           "My school gave me a Chromebook. The download page lists Windows, macOS and Linux only. Can I install "
           "the Linux version, or is there an Android app that works?",
           3, tags=("install", "desktop", "linux")),
    Thread("integrations", "li.wei", "Webhook 能直接推送到企业微信群机器人吗？",
           "想把任务的变更实时推送到企业微信群。企业微信的群机器人给了一个 Webhook 地址，但是直接填到 HelloWorld 的"
           "Webhook 设置里以后，群里收不到任何消息。",
           17, language=ZH, tags=("webhooks", "integrations", "chat"), version="4.2",
           up=("chen.jie", "henry"),
           answers=(
               Reply("chen.jie", "不能直接推：企业微信机器人只接受它自己的 JSON 格式（`msgtype` 和 `text`），"
                                 "HelloWorld 发的是自己的事件格式。写个小的中转服务就行：\n\n```python\n"
                                 "@app.post(\"/hw\")\ndef relay():\n    event = request.get_json()\n"
                                 "    text = f\"{event['task']['title']}：{event['type']}\"\n"
                                 "    requests.post(WECOM_URL,\n"
                                 "                  json={\"msgtype\": \"text\", \"text\": {\"content\": text}})\n"
                                 "    return \"\", 204\n```\n\n记得先校验签名。", 4,
                     up=("li.wei", "henry", "agent2"), accepted=True, verified_by="agent2"),
               Reply("agent2", "补充：中转服务收到以后请尽快返回 2xx，超过 10 秒我们会当作失败并重试，"
                               "群里就会出现重复消息。", 10,
                     up=("li.wei", "chen.jie")),
           )),
    Thread("integrations", "chen.jie", "用 API 批量导出任务时怎么分页？cursor 参数应该怎么传",
           "用 REST API 导出所有任务，文档里说用 cursor 分页，但是我传了 `page=2` 还是返回第一页的数据。"
           "cursor 到底应该怎么用？",
           23, language=ZH, tags=("api", "pagination", "cursor", "python"), version="4.1",
           up=("li.wei", "henry"),
           answers=(
               Reply("agent2", "API 不支持 `page` 参数。每次响应里有 `next_cursor`，把它原样放到下一次请求的 `cursor` "
                               "参数里，直到 `next_cursor` 为 null：\n\n```python\ncursor = None\nwhile True:\n"
                               "    data = api.get(\"/tasks\", params={\"page_size\": 200, \"cursor\": cursor})\n"
                               "    handle(data[\"results\"])\n    cursor = data[\"next_cursor\"]\n"
                               "    if not cursor:\n        break\n```", 3,
                     up=("chen.jie", "henry", "li.wei"), accepted=True),
               Reply("li.wei", "注意 cursor 十分钟后会失效。如果每页处理得很慢，可以先把所有任务 ID 拉下来，"
                               "再慢慢处理。", 12,
                     up=("chen.jie",)),
           )),
    Thread("integrations", "li.wei", "飞书能作为单点登录（SSO）的身份提供方吗？",
           "公司统一用飞书账号，想让员工直接用飞书登录 HelloWorld。知识库里只看到了 Okta 和 Entra ID 的配置说明，"
           "飞书可以吗？",
           12, language=ZH, tags=("sso", "oidc", "openid-connect"), version="4.2",
           up=("chen.jie",),
           answers=(
               Reply("agent2", "可以。飞书支持 OpenID Connect，按照知识库里「使用 OpenID Connect (OIDC) 配置单点登录」"
                               "那篇文章操作即可：在飞书开放平台创建应用，把 Client ID、Client Secret 和发现地址填到"
                               "「管理 → 单点登录 → OIDC」里。", 3,
                     up=("li.wei", "chen.jie")),
               Reply("chen.jie", "我们用飞书 + OIDC 已经跑了半年。注意回调地址必须是 https，而且要和飞书后台里填的"
                                 "完全一致，末尾的斜杠也算。", 7,
                     up=("li.wei",)),
           )),
    Thread("integrations", "li.wei", "Zapier 里找不到 HelloWorld 的「任务完成」触发器",
           "在 Zapier 里连接了 HelloWorld，可是触发器列表里只有「新任务」和「新评论」，没有「任务完成」。"
           "是需要什么特别的权限，还是现在还不支持？",
           4, language=ZH, tags=("zapier", "automation", "integrations"), version="4.2"),
    Thread("installing", "chen.jie", "HelloWorld 支持鸿蒙系统（HarmonyOS NEXT）吗？",
           "公司准备给一部分同事换成鸿蒙 NEXT 的手机和平板。现在的安卓版 HelloWorld 在上面装不了，"
           "请问有没有鸿蒙原生版本的计划？",
           6, language=ZH, tags=("install", "desktop")),
    Thread("integrations", "li.wei", "审计日志能自动导出到阿里云日志服务（SLS）吗？",
           "我们的安全团队要求把所有系统的审计日志集中到阿里云 SLS。HelloWorld 的审计日志能定时导出，"
           "或者通过 Syslog 推送过去吗？",
           0.3, language=ZH, tags=("audit-log", "security", "compliance"), version="4.2"),
    Thread("installing", "zhou.min", "新手提问：桌面版怎么把界面切换成中文？",
           "刚刚注册，下载了 Windows 桌面版，但界面全是英文，在设置里找了半天没找到语言选项。请问在哪里可以改成中文？",
           0.4, language=ZH, tags=("desktop", "windows", "getting-started")),
]
# fmt: on


def load_demo_forum() -> int:
    """Create the threads that do not exist yet; returns how many were created."""
    categories = _categories()
    users = _members()
    versions = {version.name: version for version in ProductVersion.objects.all()}
    existing = set(
        Question.objects.filter(title__in=[thread.title for thread in THREADS]).values_list("author__username", "title")
    )
    created = []
    now = timezone.now()
    # Saves, votes and state changes each ask for the question to be re-indexed: applied once, at the end.
    with deferred_indexing(), transaction.atomic():
        for thread in sorted(THREADS, key=lambda thread: -thread.days_ago):  # originals before duplicates
            if (thread.by, thread.title) in existing:
                continue
            created.append(_play(thread, users=users, categories=categories, versions=versions, now=now))
        # Signals and services only reach the index after commit; a test's transaction never commits.
        index_items("question", created)
    return len(created)


def _categories() -> dict[str, ForumCategory]:
    categories = {}
    for slug, position, staff_only, name, name_zh, description, description_zh in CATEGORIES:
        categories[slug], _created = ForumCategory.objects.update_or_create(
            slug=slug,
            defaults={
                "position": position,
                "staff_only": staff_only,
                "name": name,
                "name_zh_hans": name_zh,
                "description": description,
                "description_zh_hans": description_zh,
            },
        )
    return categories


@transaction.atomic
def _members() -> dict[str, User]:
    """Every forum participant by username, with enough history that the new-account rules pass them."""
    now = timezone.now()
    for username, email, display_name, days, approved in FORUM_MEMBERS:
        user, created = User.objects.get_or_create(
            username=username, defaults={"email": email, "display_name": display_name}
        )
        if created:
            user.set_unusable_password()
            user.date_joined = now - timedelta(days=days)
            user.save(update_fields=["password", "date_joined"])
        if approved:
            _trust(user, approved)
    recent = now - timedelta(days=30)
    User.objects.filter(username__in=TRUSTED_MEMBERS, date_joined__gt=recent).update(
        date_joined=now - timedelta(days=400)
    )
    for user in User.objects.filter(username__in=TRUSTED_MEMBERS):
        _trust(user, 3)
    return {user.username: user for user in User.objects.all()}


def _trust(user: User, approved_posts: int) -> None:
    """Count earlier approved posts, so the member's posts are not held for a moderator."""
    MemberProfile.objects.get_or_create(user=user)
    MemberProfile.objects.filter(user=user, approved_posts__lt=approved_posts).update(approved_posts=approved_posts)


def _play(thread: Thread, *, users, categories, versions, now: datetime) -> int:
    asked = now - timedelta(days=thread.days_ago)

    def at(hours: float) -> datetime:
        return min(asked + timedelta(hours=hours), now - timedelta(minutes=10))

    asker = users[thread.by]
    question = services.question_ask(
        author=asker,
        category=categories[thread.category],
        title=thread.title,
        body=thread.body,
        language=thread.language,
        tags=tags_get_or_create(names=thread.tags),
        product_version=versions.get(thread.version),
    )
    answers = [
        (reply, services.answer_post(question=question, author=users[reply.by], body=reply.body))
        for reply in thread.answers
    ]
    comments = [
        (services.comment_add(post=question, author=users[remark.by], body=remark.text), remark.hours)
        for remark in thread.comments
    ]
    for reply, answer in answers:
        comments += [
            (services.comment_add(post=answer, author=users[remark.by], body=remark.text), remark.hours)
            for remark in reply.comments
        ]
    _vote(question, thread.up, (), users)
    for reply, answer in answers:
        _vote(answer, reply.up, reply.down, users)

    last_hours = max([0.0, *(reply.hours for reply in thread.answers), *(hours for _c, hours in comments)])
    accepted_hours = last_hours + 3
    for reply, answer in answers:
        if reply.accepted:
            services.answer_accept(answer=answer, by=asker)
        if reply.verified_by:
            services.answer_verify(answer=answer, by=users[reply.verified_by])
    moderator = users["moderator"]
    if thread.pinned:
        services.question_moderate(question=question, by=moderator, pinned=True, reason="Release announcement")
    if thread.locked:
        services.question_moderate(question=question, by=moderator, locked=True, reason=thread.locked)
    if thread.duplicate_of:
        original = Question.objects.filter(title=thread.duplicate_of).order_by("pk").first()
        services.question_moderate(question=question, by=moderator, duplicate_of=original)
    for reporter, reason, note in thread.flags:
        services.post_flag(post=question, reporter=users[reporter], reason=reason, note=note)

    # Back to the thread's own days: every row the thread made.
    any_accepted = any(reply.accepted for reply in thread.answers)
    last_activity = at(accepted_hours if any_accepted else last_hours)
    Question.objects.filter(pk=question.pk).update(created_at=asked, updated_at=last_activity,
                                                   last_activity_at=last_activity)  # fmt: skip
    Follow.objects.filter(question=question).update(created_at=asked)
    Vote.objects.filter(question=question).update(created_at=at(2))
    for reply, answer in answers:
        Answer.objects.filter(pk=answer.pk).update(created_at=at(reply.hours), updated_at=at(reply.hours))
        Vote.objects.filter(answer=answer).update(created_at=at(reply.hours + 2))
        Notification.objects.filter(question=question, answer=answer).update(created_at=at(reply.hours))
        Notification.objects.filter(answer=answer, kind=NotificationKind.ACCEPTED).update(created_at=at(accepted_hours))
    for comment, hours in comments:
        Comment.objects.filter(pk=comment.pk).update(created_at=at(hours))
    Notification.objects.filter(question=question, answer=None).update(created_at=last_activity)
    for n, flag in enumerate(Flag.objects.filter(question=question).order_by("pk"), start=1):
        Flag.objects.filter(pk=flag.pk).update(created_at=at(n))
    ModerationAction.objects.filter(question=question).update(created_at=at(last_hours + 1 + len(thread.flags)))
    # Members have read what is older than two days.
    Notification.objects.filter(question=question, created_at__lt=now - timedelta(days=2)).update(
        read_at=F("created_at") + timedelta(hours=5)
    )
    return question.pk


def _vote(post, up: tuple[str, ...], down: tuple[str, ...], users: dict[str, User]) -> None:
    for username in up:
        services.post_vote(post=post, voter=users[username], value=1)
    for username in down:
        services.post_vote(post=post, voter=users[username], value=-1)
