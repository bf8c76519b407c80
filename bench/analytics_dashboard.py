"""How fast the managers' dashboard renders on a large support center: 100,000 tickets, 500,000 help sessions.

    .venv/bin/python bench/analytics_dashboard.py
    .venv/bin/python bench/analytics_dashboard.py \\
        --database-url postgres://postgres@127.0.0.1:5432/bench_analytics

Generates, over the last 90 days: 100,000 tickets (every channel, priority, tier, plan and status; four in
five resolved, with business-time durations and SLA outcomes), 30,000 survey answers with follow-up cases
for the low ones, 500,000 help sessions with one search each (a fifth without results), 40,000 opened
results, 20,000 "Was this helpful?" answers, 5,000 forum questions and 8,000 answers. Then it signs in a
support manager and renders `/staff/analytics/` for the default 30 days, for 90 days, and with a filter,
and prints the time of each render (median of `--repeat` after a warm-up), the queries per render, and the
time of the slowest figures. The content gaps' daily rollup is made first (as beat's hourly job would have), and
the content-gap list is timed from it beside the same list from the raw searches, the reference, in this run.

SQLite runs in a temporary file that is removed afterwards. A PostgreSQL database (its name must start
with "bench_") is dropped and created first, VACUUM ANALYZEd after the load, and dropped at the end.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
BATCH = 5000


def postgres_admin(url: str, statement: str, database: str) -> None:
    import psycopg
    from psycopg import sql

    admin = urlsplit(url)._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(sql.SQL(statement).format(sql.Identifier(database)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tickets", type=int, default=100_000)
    parser.add_argument("--sessions", type=int, default=500_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--database-url", help="A PostgreSQL URL whose database name starts with bench_.")
    parser.add_argument(
        "--keep", help="SQLite only: keep the generated database in this file, or reuse it if it exists."
    )
    arguments = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="bench-analytics-"))
    kept = Path(arguments.keep).resolve() if arguments.keep else None
    reuse = kept is not None and kept.exists()
    url = arguments.database_url or f"sqlite:///{kept or workdir / 'bench.sqlite3'}"
    database = urlsplit(url).path.lstrip("/")
    is_postgres = url.startswith(("postgres://", "postgresql://"))
    if is_postgres:
        if not database.startswith("bench_"):
            parser.error("The PostgreSQL database is dropped and created: give a name that starts with bench_.")
        postgres_admin(url, "DROP DATABASE IF EXISTS {}", database)
        postgres_admin(url, "CREATE DATABASE {}", database)

    os.environ["DJANGO_SETTINGS_MODULE"] = "kbportal.settings.local"
    os.environ["DATABASE_URL"] = url
    os.environ["DJANGO_DEBUG"] = "0"
    os.environ["DJANGO_ALLOWED_HOSTS"] = "testserver,127.0.0.1,localhost"
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connections

    # The page is measured, not the static files: no collected manifest is needed.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }

    try:
        call_command("migrate", verbosity=0)
        started = time.perf_counter()
        counts = _counts() if reuse else generate(arguments)
        loaded = time.perf_counter() - started
        if is_postgres:
            with connections["default"].cursor() as cursor:
                cursor.execute("VACUUM ANALYZE")
        else:
            with connections["default"].cursor() as cursor:
                cursor.execute("ANALYZE")
        print(
            f"Machine: {os.cpu_count()} cores, Python {platform.python_version()}, Django {django.get_version()}, "
            f"{'PostgreSQL' if is_postgres else 'SQLite'}"
        )
        print(
            "Data: " + ", ".join(f"{value:,} {name}" for name, value in counts.items()) + f" (loaded in {loaded:.0f} s)"
        )
        roll_up()
        measure(arguments)
    finally:
        connections.close_all()
        if is_postgres:
            postgres_admin(url, "DROP DATABASE IF EXISTS {}", database)
        for file in workdir.iterdir():
            file.unlink()
        workdir.rmdir()


def _counts() -> dict[str, int]:
    from community.models import Answer, Question
    from kbportal.helpcenter.models import HelpSession, HelpSessionEvent
    from tickets.models import SurveyResponse, Ticket

    return {
        "tickets": Ticket.objects.count(),
        "survey answers": SurveyResponse.objects.count(),
        "help sessions": HelpSession.objects.count(),
        "help events": HelpSessionEvent.objects.count(),
        "questions": Question.objects.count(),
        "answers": Answer.objects.count(),
    }


def _bulk(model, rows) -> None:
    model.objects.bulk_create(rows, batch_size=BATCH)


def generate(arguments: argparse.Namespace) -> dict[str, int]:
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.utils import timezone

    from articles.models import Article, Category, Feedback, ProductVersion
    from community.models import Answer, ForumCategory, Question
    from kbportal.accounts.roles import Role
    from kbportal.helpcenter.models import HelpEventKind, HelpOutcome, HelpSession, HelpSessionEvent
    from tickets.models import (
        Channel,
        FollowUpCase,
        Organisation,
        Plan,
        Priority,
        Status,
        SurveyResponse,
        Ticket,
        Tier,
    )

    rng = random.Random(arguments.seed)
    now = timezone.now()
    _keep_given_times(Ticket, SurveyResponse, FollowUpCase, Feedback)
    User = get_user_model()  # noqa: N806 - the model class
    manager = User.objects.create_user("bench-manager", "manager@bench.example", "x", is_staff=True)
    manager.groups.add(Group.objects.get(name=str(Role.SUPPORT_MANAGER)))
    versions = [ProductVersion.objects.get_or_create(name=name)[0] for name in ("3.8", "4.0", "4.1", "4.2")]
    organisations = [
        Organisation.objects.create(name=f"Customer {n}", plan=rng.choice(list(Plan.values))) for n in range(40)
    ]
    customers = User.objects.bulk_create(
        [User(username=f"customer{n}", email=f"c{n}@bench.example") for n in range(2000)]
    )

    def moment(days: int = 90):
        return now - timedelta(seconds=rng.randrange(days * 86400))

    tickets = []
    for _ in range(arguments.tickets):
        organisation = rng.choice(organisations)
        created = moment()
        resolved = rng.random() < 0.8
        first_seconds = int(rng.lognormvariate(8.5, 1.0))
        resolution_seconds = int(first_seconds + rng.lognormvariate(11, 1.0)) if resolved else None
        tickets.append(
            Ticket(
                subject="Cannot sync",
                description="…",
                requester=rng.choice(customers),
                requester_email="c@bench.example",
                organisation=organisation,
                plan=organisation.plan,
                product_version=rng.choice(versions),
                priority=rng.choice(list(Priority.values)),
                tier=rng.choices(list(Tier.values), weights=[70, 22, 8])[0],
                channel=rng.choice(list(Channel.values)),
                language=rng.choice(["en", "zh-hans"]),
                status=Status.RESOLVED if resolved else rng.choice([Status.NEW, Status.OPEN, Status.WAITING]),
                created_at=created,
                first_response_at=created + timedelta(seconds=first_seconds),
                resolved_at=created + timedelta(seconds=resolution_seconds) if resolved else None,
                **_facts(rng, first_seconds, resolution_seconds),
            )
        )
    _bulk(Ticket, tickets)
    resolved_ids = list(Ticket.objects.filter(status=Status.RESOLVED).values_list("pk", flat=True))
    resolved_at = dict(Ticket.objects.filter(status=Status.RESOLVED).values_list("pk", "resolved_at"))
    surveyed = rng.sample(resolved_ids, min(len(resolved_ids), arguments.tickets * 3 // 10))
    responses = []
    for ticket_id in surveyed:
        csat = rng.choices([1, 2, 3, 4, 5], weights=[5, 7, 13, 35, 40])[0]
        dims = {
            name: max(1, min(5, csat + rng.choice([-1, 0, 0, 1])))
            for name in ("response_speed", "resolution", "expertise", "attitude", "follow_up")
        }
        responses.append(
            SurveyResponse(
                ticket_id=ticket_id,
                csat=csat,
                **dims,
                service_index=20 * csat - 5,
                ces=6 - csat,
                nps=rng.randrange(11) if rng.random() < 0.5 else None,
                created_at=resolved_at[ticket_id] + timedelta(hours=rng.randrange(1, 48)),
            )
        )
    _bulk(SurveyResponse, responses)
    low = list(SurveyResponse.objects.filter(csat__lte=2).values_list("ticket_id", flat=True))
    _bulk(
        FollowUpCase, [FollowUpCase(ticket_id=ticket_id, trigger="CSAT ≤ 2", opened_at=moment()) for ticket_id in low]
    )

    sessions = [
        HelpSession(
            session_key="bench",
            language=rng.choice(["en", "zh-hans"]),
            started_at=moment(),
            outcome=rng.choices(list(HelpOutcome.values), weights=[40, 35, 20, 5])[0],
            search_count=1,
            open_count=int(rng.random() < 0.6),
        )
        for _ in range(arguments.sessions)
    ]
    _bulk(HelpSession, sessions)
    words = [f"word{n}" for n in range(3000)]
    events, opens = [], []
    category = Category.objects.create(name="Bench", slug="bench")
    articles = Article.objects.bulk_create(
        [Article(title=f"Article {n}", slug=f"article-{n}", category=category, status="published") for n in range(500)]
    )
    for session_id, started_at, _outcome in HelpSession.objects.values_list("pk", "started_at", "outcome").iterator():
        query = " ".join(rng.choices(words, k=2))
        events.append(
            HelpSessionEvent(
                session_id=session_id,
                kind=HelpEventKind.SEARCH,
                query=query,
                normalised_query=query,
                result_count=0 if rng.random() < 0.2 else 10,
                created_at=started_at,
            )
        )
        if len(opens) < 40_000 and rng.random() < 0.1:
            article = rng.choice(articles)
            opens.append(
                HelpSessionEvent(
                    session_id=session_id,
                    kind=HelpEventKind.OPEN,
                    item_kind="article",
                    item_id=article.pk,
                    item_title=article.title,
                    item_url="/a/",
                    created_at=started_at,
                )
            )
        if len(events) >= BATCH:
            _bulk(HelpSessionEvent, events)
            events = []
    _bulk(HelpSessionEvent, events + opens)
    _bulk(
        Feedback,
        [
            Feedback(
                article=rng.choice(articles),
                session_key=f"s{n}",
                helpful=rng.random() < 0.7,
                created_at=moment(),
                reason=rng.choice(["unclear", "outdated", "not-solved", ""]),
            )
            for n in range(20_000)
        ],
    )
    forum = ForumCategory.objects.create(name="Bench", slug="bench")
    questions = Question.objects.bulk_create(
        [
            Question(
                category=forum,
                author=rng.choice(customers),
                title=f"Question {n}",
                body="…",
                body_html="…",
                created_at=moment(),
                answer_count=0,
            )
            for n in range(5000)
        ],
        batch_size=BATCH,
    )
    answers = [
        Answer(
            question=question,
            author=rng.choice(customers),
            body="…",
            body_html="…",
            created_at=question.created_at + timedelta(hours=rng.randrange(1, 72)),
        )
        for question in rng.sample(questions, 4000)
        for _ in range(2)
    ]
    _bulk(Answer, answers)
    return {
        "tickets": len(tickets),
        "survey answers": len(responses),
        "help sessions": len(sessions),
        "help events": HelpSessionEvent.objects.count(),
        "feedback": 20_000,
        "questions": len(questions),
        "answers": len(answers),
    }


def _facts(rng: random.Random, first_seconds: int, resolution_seconds: int | None) -> dict:
    """The analytics facts the ticket services store, where the model has them."""
    from tickets.models import Ticket

    names = {field.name for field in Ticket._meta.get_fields()}
    facts = {
        "first_response_seconds": first_seconds,
        "resolution_seconds": resolution_seconds,
        "escalation_count": int(rng.random() < 0.15),
        "reopen_count": int(rng.random() < 0.05),
        "first_response_met": first_seconds < 4 * 3600,
        "resolution_met": None if resolution_seconds is None else resolution_seconds < 3 * 86400,
    }
    return {name: value for name, value in facts.items() if name in names}


def _keep_given_times(*models) -> None:
    """Let bulk_create keep the creation times generated here instead of stamping "now" (auto_now_add)."""
    for model in models:
        for field in model._meta.concrete_fields:
            if getattr(field, "auto_now_add", False):
                field.auto_now_add = False


def roll_up() -> None:
    """The content gaps' daily rollup, as beat's hourly job makes it (every closed day of the history at once)."""
    from kbportal.helpcenter.models import ContentGapDay
    from kbportal.helpcenter.services import content_gap_rollup_due

    wall, cpu = time.perf_counter(), time.process_time()
    content_gap_rollup_due()
    print(
        f"Content-gap rollup of every closed day: {ContentGapDay.objects.count():,} rows in "
        f"{time.perf_counter() - wall:.1f} s (CPU {time.process_time() - cpu:.1f} s)"
    )


def compare_content_gaps(arguments: argparse.Namespace) -> None:
    """The content-gap list from the rollup beside the same list from the raw searches (the reference, as the
    dashboard computed it before the rollup), in this run: the same rows, and the ratio of their times."""
    from zoneinfo import ZoneInfo

    from kbportal.analytics.forms import ScopeForm
    from kbportal.analytics.metrics import selfservice

    print("Content gaps, rollup ÷ raw searches (median of --repeat; wall and this process's CPU):")
    for label, query, zone in (
        ("30 days", {"since": _days_ago(29), "until": _days_ago(0)}, None),
        ("90 days", {"since": _days_ago(89), "until": _days_ago(0)}, None),
        ("90 days, Asia/Kolkata", {"since": _days_ago(89), "until": _days_ago(0)}, "Asia/Kolkata"),
        ("90 days, language", {"since": _days_ago(89), "until": _days_ago(0), "language": "en"}, None),
    ):
        scope = ScopeForm(query).scope()
        if zone:
            from dataclasses import replace

            scope = replace(scope, tz=ZoneInfo(zone))
        raw = _timed(lambda s=scope: selfservice._failed_queries_from(selfservice.searches(s))[:10], arguments.repeat)
        rolled = _timed(lambda s=scope: selfservice._failed_queries(s), arguments.repeat)
        assert raw[2] == rolled[2], f"{label}: the rollup's list differs from the searches'"
        print(
            f"  {label:<24} raw {raw[0]:7.0f} ms (CPU {raw[1]:6.0f})   rollup {rolled[0]:6.0f} ms "
            f"(CPU {rolled[1]:5.0f})   ratio {rolled[0] / raw[0]:.3f}"
        )


def _timed(compute, repeat: int) -> tuple[float, float, object]:
    compute()
    walls, cpus = [], []
    for _ in range(repeat):
        wall, cpu = time.perf_counter(), time.process_time()
        result = compute()
        walls.append((time.perf_counter() - wall) * 1000)
        cpus.append((time.process_time() - cpu) * 1000)
    return statistics.median(walls), statistics.median(cpus), result


def measure(arguments: argparse.Namespace) -> None:
    from django.conf import settings
    from django.test import Client

    from kbportal.analytics.forms import ScopeForm
    from kbportal.analytics.registry import registry

    client = Client()
    from django.contrib.auth import get_user_model

    client.force_login(get_user_model().objects.get(username="bench-manager"))
    views = (
        ("dashboard, last 30 days", {}),
        ("dashboard, last 90 days", {"since": _days_ago(89), "until": _days_ago(0)}),
        (
            "dashboard, 90 days, plan + language",
            {"since": _days_ago(89), "until": _days_ago(0), "plan": "enterprise", "language": "en"},
        ),
    )
    settings.KBPORTAL_ANALYTICS_CACHE_SECONDS = 0  # every render computes every figure
    for label, query in views:
        _time_renders(client, label, query, arguments.repeat)
    settings.KBPORTAL_ANALYTICS_CACHE_SECONDS = 300  # the figures of the same filters are reused
    _time_renders(client, "dashboard, 30 days, figures cached", {}, arguments.repeat)

    scope = ScopeForm({"since": _days_ago(89), "until": _days_ago(0)}).scope()
    timings = []
    for item in [*registry.metrics.values(), *registry.breakdowns.values(), *registry.listings.values()]:
        compute = getattr(item, "value", None) or getattr(item, "table", None) or item.rows
        started = time.perf_counter()
        result = compute(scope)
        if not isinstance(result, int | float | type(None)):
            list(result.rows if hasattr(result, "rows") else result)
        timings.append(((time.perf_counter() - started) * 1000, item.key))
    print("Slowest figures over 90 days:")
    for milliseconds, key in sorted(timings, reverse=True)[:8]:
        print(f"  {key:<36} {milliseconds:8.0f} ms")
    compare_content_gaps(arguments)


def _time_renders(client, label: str, query: dict, repeat: int) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get("/staff/analytics/", query)  # warm-up
    times = []
    for _ in range(repeat):
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            response = client.get("/staff/analytics/", query)
            times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200
    print(f"{label:<40} median {statistics.median(times):8.0f} ms   max {max(times):8.0f} ms   {len(queries)} queries")


def _days_ago(days: int) -> str:
    from django.utils import timezone

    return (timezone.localdate() - timedelta(days=days)).isoformat()


if __name__ == "__main__":
    main()
