"""How fast import_kb is: N synthetic articles into a fresh database, then again unchanged.

    .venv/bin/python bench/import_kb.py --lines 100000
    .venv/bin/python bench/import_kb.py --lines 20000 \\
        --database-url postgres://postgres@127.0.0.1:5432/bench_import

SQLite runs in a temporary file; a PostgreSQL database (its name must start with
"bench_") is dropped and created first and dropped afterwards. Prints lines per
second for the first import, an idempotent re-import, a re-import with one line in
ten changed, and an export.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent

TOPICS = [
    "Network",
    "Printing",
    "Accounts",
    "Billing",
    "Installation",
    "Updates",
    "Security",
    "Mobile",
    "Email",
    "Backup",
]
AREAS = ["Basics", "Errors", "Settings", "Performance", "Advanced"]  # 10 x 5 = 50 categories.
VERBS = ["Reset", "Configure", "Fix", "Install", "Update", "Remove", "Back up", "Restore", "Connect", "Check"]
THINGS = [
    "the router", "your password", "the printer driver", "two-factor sign-in", "the mail client",
    "a VPN profile", "the sync service", "disk encryption", "the license key", "automatic updates",
]  # fmt: skip
WORDS = [
    "account", "setting", "device", "network", "server", "client", "update", "version", "error", "message",
    "window", "button", "option", "file", "folder", "user", "password", "connection", "service", "restart",
    "install", "configure", "select", "open", "close", "check", "enable", "disable", "log", "report",
]  # fmt: skip
ZH_TITLES = ["重置路由器", "配置打印机驱动", "修复登录错误", "安装客户端", "更新许可证", "备份数据", "连接 VPN"]
ZH_SENTENCES = [
    "打开设置页面，然后选择账户。", "如果网络连接失败，请重新启动路由器。", "请确认您的版本已经更新到最新。",
    "在弹出的窗口中点击确定按钮。", "此操作可能需要几分钟时间。", "如果问题仍然存在，请联系技术支持。",
]  # fmt: skip
TYPES = ["how-to", "troubleshooting", "faq", "best-practice", "release-note"]
STATUSES = ["published"] * 6 + ["draft", "review", "archived"]
TAGS = [f"{word}-{n}" for word in WORDS for n in range(10)]  # 300 tags.
VERSIONS = [f"{major}.{minor}" for major in (3, 4, 5) for minor in range(4)]


def english_body(rng: random.Random) -> str:
    def sentence() -> str:
        words = rng.choices(WORDS, k=rng.randint(8, 16))
        return " ".join(words).capitalize() + "."

    parts = []
    for section in range(rng.randint(2, 4)):
        parts.append(f"## Step {section + 1}: {rng.choice(VERBS).lower()} {rng.choice(THINGS)}")
        parts.append(" ".join(sentence() for _ in range(rng.randint(3, 6))))
        if rng.random() < 0.5:
            parts.append(
                "\n".join(f"{n + 1}. Open **{rng.choice(WORDS)}** and choose *{rng.choice(WORDS)}*." for n in range(3))
            )
        if rng.random() < 0.2:
            parts.append(f"```\n{rng.choice(WORDS)} --{rng.choice(WORDS)} {rng.randint(1, 99)}\n```")
    return "\n\n".join(parts)


def chinese_body(rng: random.Random) -> str:
    parts = []
    for section in range(rng.randint(2, 4)):
        parts.append(f"## 第{section + 1}步")
        parts.append("".join(rng.choices(ZH_SENTENCES, k=rng.randint(3, 6))))
    return "\n\n".join(parts)


def synthetic_lines(count: int, seed: int = 1) -> list[dict]:
    """Articles in pairs: an English original and, for most, a Chinese translation placed first."""
    rng = random.Random(seed)
    rows = []
    for n in range(0, count, 2):
        category = f"{rng.choice(TOPICS)}/{rng.choice(AREAS)}"
        common = {
            "category": category,
            "type": rng.choice(TYPES),
            "product_versions": rng.sample(VERSIONS, k=rng.randint(0, 3)),
            "tags": rng.sample(TAGS, k=rng.randint(1, 5)),
        }
        title = f"{rng.choice(VERBS)} {rng.choice(THINGS)} ({n})"
        original = {
            "external_id": f"bench-{n}",
            "title": title,
            "summary": f"What to do when {rng.choice(THINGS)} needs attention.",
            "body": english_body(rng),
            "language": "en",
            "status": rng.choice(STATUSES),
            **common,
        }
        pair = [original]
        if n + 1 < count:
            pair.insert(
                0,
                {
                    "external_id": f"bench-{n + 1}",
                    "title": f"{rng.choice(ZH_TITLES)}（{n + 1}）",
                    "body": chinese_body(rng),
                    "language": "zh-hans",
                    "status": rng.choice(STATUSES),
                    "translation_of": original["external_id"] if rng.random() < 0.8 else None,
                    **common,
                },
            )
        rows.extend(pair)
    return rows


def write(path: Path, rows: list[dict]) -> None:
    with path.open("w", encoding="utf-8") as out:
        for row in rows:
            out.write(json.dumps(row, ensure_ascii=False) + "\n")


def postgres_admin(url: str, statement: str, database: str) -> None:
    """Run DROP or CREATE DATABASE from the maintenance database of the same server."""
    import psycopg
    from psycopg import sql

    admin = urlsplit(url)._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(sql.SQL(statement).format(sql.Identifier(database)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--lines", type=int, default=100_000)
    parser.add_argument("--batch-size", type=int, default=1000)
    parser.add_argument("--database-url", help="A PostgreSQL URL whose database name starts with bench_.")
    arguments = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="bench-import-"))
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

    from articles.importing import export_articles, import_articles
    from articles.models import Article, ArticleRevision

    try:
        call_command("migrate", verbosity=0)
        rows = synthetic_lines(arguments.lines)
        path = workdir / "kb.jsonl"
        write(path, rows)
        for row in rows[::10]:
            row["body"] += "\n\nUpdated."
        changed_path = workdir / "kb-changed.jsonl"
        write(changed_path, rows)
        size_mb = path.stat().st_size / 1e6
        print(f"{arguments.lines:,} lines ({size_mb:.0f} MB) on {'PostgreSQL' if is_postgres else 'SQLite'}")

        def timed(label: str, file: Path) -> None:
            with file.open("rb") as lines:
                report = import_articles(lines=lines, batch_size=arguments.batch_size)
            seconds = report.seconds
            print(
                f"{label:<22} {seconds:8.1f} s {report.lines / seconds:10,.0f} lines/s   "
                f"created {report.created:,} updated {report.updated:,} unchanged {report.unchanged:,} "
                f"rejected {report.rejected:,} link problems {len(report.problems) - report.rejected:,}"
            )

        timed("first import", path)
        timed("idempotent re-import", path)
        timed("re-import, 10% changed", changed_path)
        assert Article.objects.count() == arguments.lines
        assert ArticleRevision.objects.count() == arguments.lines + len(rows[::10])

        started = time.perf_counter()
        with (workdir / "export.jsonl").open("w", encoding="utf-8") as out:
            count = export_articles(queryset=Article.objects.all(), out=out)
        seconds = time.perf_counter() - started
        print(f"{'export':<22} {seconds:8.1f} s {count / seconds:10,.0f} lines/s")
    finally:
        connections.close_all()
        if is_postgres:
            postgres_admin(url, "DROP DATABASE IF EXISTS {}", database)
        for file in workdir.iterdir():
            file.unlink()
        workdir.rmdir()


if __name__ == "__main__":
    main()
