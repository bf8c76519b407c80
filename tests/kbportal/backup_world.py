"""The site the backup tests copy, and what they compare; run in child processes (`python -m`) on a scratch database.

`build` loads the demo without its 90 days of history, most of its votes and three articles in four (every model
of the demo, both languages, an indexed knowledge base and forum), adds what the demo leaves empty (sessions, API
tokens, admin log entries, synonym groups, holidays, agent availability, attachments, and an account deleted
between two others, so ids have a gap) and prints its snapshot. A snapshot is what must survive a
backup and restore: rows per model, the titles' full-text structure, ranked searches with their scores and
suggestions in English and Chinese, at one fixed instant. `check [DUMP]` prints a restored database's snapshot
(after writing its dump with the README's command), then proves it takes new rows: a ticket, and a published article
that search then finds.
"""

from __future__ import annotations

import json
import os
import sys
from datetime import UTC, datetime
from unittest import mock

import django

# The README's dump: every row under its own id, foreign keys to content types and permissions by name.
DUMP = ["dumpdata", "--natural-foreign", "-e", "contenttypes", "-e", "auth.Permission"]
ENGLISH_QUERIES = ["password reset", "sign in", "export invoice", "license", "proxy error", "set"]
CHINESE_QUERIES = ["密码", "发票", "许可证", "登录 失败", "代理"]
PREFIXES = ["pass", "inv", "sign i", "lic", "密", "发"]
# Freshness counts whole days, so both databases are searched at the same instant.
NOW = datetime(2026, 12, 2, 9, 30, tzinfo=UTC)


def build() -> dict:
    from django.conf import settings
    from django.contrib.admin.models import ADDITION, LogEntry
    from django.contrib.contenttypes.models import ContentType
    from django.contrib.sessions.backends.db import SessionStore
    from django.core.files.uploadedfile import SimpleUploadedFile

    from articles.importing import import_articles
    from articles.models import Article
    from articles.services import Voter, article_archive, feedback_submit
    from kbportal.accounts.models import User
    from kbportal.demo import accounts, announcements, community, content, deflection, tickets
    from kbportal.demo.content import DATA_DIR
    from kbportal.search.indexing import deferred_indexing
    from kbportal.search.models import SynonymGroup
    from tickets import services as ticket_services
    from tickets.models import Holiday, ServiceCalendar, Ticket

    settings.EMAIL_BACKEND = "django.core.mail.backends.dummy.EmailBackend"
    demo_accounts = accounts.load_demo_accounts()
    content.load_versions()
    content.load_categories()
    # One article in four (with its translation): postings, terms and words are most of a dump, and loading
    # one is a query or two a row.
    lines = [line for path in sorted(DATA_DIR.glob("articles-*.jsonl")) for line in path.read_text().splitlines()]
    import_articles(lines=[line for number, line in enumerate(lines) if number // 2 % 4 == 0])
    content.load_videos()
    # A few votes rather than the demo's 3,500 (`load_activity`): enough for helpfulness to move some scores.
    for number, article in enumerate(Article.objects.filter(status="published").order_by("pk")[:8]):
        for voter in range(number % 4 + 1):
            feedback_submit(item=article, voter=Voter(session_key=f"voter-{voter}"), helpful=voter % 3 != 2)
    tickets.load_demo_tickets()
    deflection.load_demo_help_sessions()
    community.load_demo_forum()
    announcements.load_demo_notices()
    # An index that has seen removals: its impacts are no longer what a rebuild would compute.
    editor = User.objects.get(username="editor")
    with deferred_indexing():
        for article in Article.objects.filter(status="published").order_by("pk")[:4]:
            article_archive(article=article, by=editor)

    User.objects.create_user(username="leaving", email="leaving@example.com").delete()
    latecomer = User.objects.create_user(username="latecomer", email="latecomer@example.com")
    agent = next(a for a in demo_accounts if a.username.startswith("agent"))
    agent_user = User.objects.get(username=agent.username)
    ticket_services.agent_set_away(agent=agent_user, away=True)
    _security_rows(user=latecomer, agent=agent_user)
    session = SessionStore()
    session["_auth_user_id"] = str(latecomer.pk)
    session.create()
    LogEntry.objects.log_actions(
        user_id=agent_user.pk, queryset=User.objects.filter(pk=latecomer.pk), action_flag=ADDITION
    )
    SynonymGroup.objects.create(phrases="invoice\nbill", note="billing words")
    Holiday.objects.create(calendar=ServiceCalendar.objects.first(), date="2026-12-25", name="Christmas")
    ticket = Ticket.objects.order_by("pk").first()
    ticket_services.ticket_reply(
        ticket=ticket,
        author=agent_user,
        body="The log you asked for.",
        attachments=[SimpleUploadedFile("hw.log", "2026-11-24 ERROR HW-1042 代理认证失败\n".encode())],
    )
    assert ContentType.objects.exists()
    return snapshot()


def _security_rows(*, user, agent) -> None:
    """An API token, and where their apps are installed a second factor and a failed sign-in."""
    from django.apps import apps

    from kbportal.accounts import services

    if hasattr(services, "api_token_create"):
        services.api_token_create(user=user, name="backup test")
    elif apps.is_installed("rest_framework.authtoken"):
        apps.get_model("authtoken", "Token").objects.create(user=user)
    if apps.is_installed("django_otp.plugins.otp_totp"):
        apps.get_model("otp_totp", "TOTPDevice").objects.create(user=agent, name="phone", confirmed=True)
    if apps.is_installed("django_otp.plugins.otp_static"):
        device = apps.get_model("otp_static", "StaticDevice").objects.create(user=agent, name="recovery")
        device.token_set.create(token="backup01")
    if apps.is_installed("axes"):
        apps.get_model("axes", "AccessAttempt").objects.create(
            username=user.username, ip_address="192.0.2.1", user_agent="test", failures_since_start=1
        )


def snapshot() -> dict:
    from django.apps import apps
    from django.db import connection

    from kbportal.search import service

    service.forget_vocabulary()  # "did you mean" may have read it while the site was being built
    counts = {
        model._meta.label: model._default_manager.count()
        for model in apps.get_models(include_auto_created=True)
        if model._meta.managed and not model._meta.proxy
    }
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT rowid, title FROM search_fts ORDER BY rowid")
        else:
            cursor.execute("SELECT id, title_vector::text FROM search_searchdocument ORDER BY id")
        title_structure = cursor.fetchall()
    with mock.patch("django.utils.timezone.now", return_value=NOW):
        searches = {
            query: [(hit.kind, hit.object_id, hit.score) for hit in service.search(query, limit=20).hits]
            for query in [*ENGLISH_QUERIES, *CHINESE_QUERIES]
        }
        suggestions = {prefix: [(hit.kind, hit.object_id) for hit in service.suggest(prefix)] for prefix in PREFIXES}
    return {
        "counts": counts,
        "times": _times(),
        "titles": title_structure,
        "searches": searches,
        "suggestions": suggestions,
    }


def _times() -> dict[str, list]:
    """Every date and time of the first and last rows of the models that keep them, as the database has them."""
    from django.apps import apps
    from django.db import models

    times = {}
    for model in apps.get_models():
        fields = [f.attname for f in model._meta.concrete_fields if isinstance(f, models.DateTimeField)]
        if fields and model._meta.managed:
            rows = model._default_manager.order_by("pk").values_list("pk", *fields)
            times[model._meta.label] = [[str(value) for value in row] for row in [*rows[:5], *rows.reverse()[:5]]]
    return times


def check(dump: str = "") -> dict:
    from django.core.management import call_command

    if dump:
        call_command(*DUMP, "-o", dump)
    return {**snapshot(), "created": create()}


def create() -> dict:
    from articles import services as article_services
    from articles.models import Category
    from kbportal.accounts.models import User
    from kbportal.search import service
    from tickets import services as ticket_services

    requester = User.objects.create_user(username="after-restore", email="after-restore@example.com")
    ticket, created = ticket_services.ticket_create(
        requester=requester,
        requester_email=requester.email,
        subject="Written after the restore",
        description="The restored database takes new tickets.",
    )
    editor = User.objects.filter(is_staff=True).order_by("pk").first()
    article = article_services.article_create(
        by=editor,
        title="Zanzibar restore drill",
        category=Category.objects.order_by("pk").first(),
        body="Checking that a restored site indexes new articles.",
    )
    article_services.article_publish(article=article, by=editor)
    hits = [hit.object_id for hit in service.search("zanzibar drill").hits if hit.kind == "article"]
    return {"ticket": ticket.pk, "created": created, "user": requester.pk, "article": article.pk, "found": hits}


if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kbportal.settings.test")
    django.setup()
    result = {"build": build, "snapshot": snapshot, "check": check}[sys.argv[1]](*sys.argv[2:])
    json.dump(result, sys.stdout, ensure_ascii=False)
