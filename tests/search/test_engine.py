"""The search engine through its service and API, identical on SQLite FTS5 and PostgreSQL."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from articles import services as article_services
from articles.models import Article, Status
from kbportal.outbox.models import Delivery, Kind, State
from kbportal.search import service
from kbportal.search.models import SearchDocument, SynonymGroup
from tests.articles.factories import ArticleFactory, CategoryFactory, VideoFactory
from tests.queries import page_queries

pytestmark = pytest.mark.django_db

CORPUS = [
    ("Install HelloWorld on Windows", "Download the installer and run it. Installing takes two minutes."),
    ("Activate your license key", "Open Settings, choose License and paste the key to activate HelloWorld."),
    ("Reset a forgotten password", "Use the link on the sign in page to reset your password by e-mail."),
    ("Proxy errors behind a firewall", "Error HW-1042 means the proxy requires authentication. Configure the proxy."),
    ("Export invoices as PDF", "Billing lists every invoice; download them all as a ZIP of PDF files."),
    ("在 Windows 上安装 HelloWorld", "下载安装程序并运行。安装只需两分钟。"),
    ("激活许可证", "打开设置，选择许可证并粘贴密钥即可激活。"),
]


@pytest.fixture
def corpus(indexed):
    category = CategoryFactory()
    return [
        indexed(ArticleFactory, title=title, body=body, summary="", category=category,
                language="zh-hans" if any("\u4e00" <= c <= "\u9fff" for c in title) else "en")
        for title, body in CORPUS
    ]  # fmt: skip


EXPECTED_RANKING = [
    ("Activate your license key", 5.61),
    ("Install HelloWorld on Windows", 4.52),
    ("在 Windows 上安装 HelloWorld", 0.87),
]


def _titles(query: str, **options) -> list[str]:
    return [hit.title for hit in service.search(query, **options).hits]


@pytest.mark.parametrize(
    ("query", "expected_first"),
    [
        ("how do I install helloworld", "Install HelloWorld on Windows"),
        ("installing", "Install HelloWorld on Windows"),
        ("licence key", "Activate your license key"),
        ("forgot password", "Reset a forgotten password"),
        ("HW-1042", "Proxy errors behind a firewall"),
        ("invoice pdf", "Export invoices as PDF"),
        ("安装", "在 Windows 上安装 HelloWorld"),
        ("許可證", "激活许可证"),
    ],
    ids=["question", "stem", "british-spelling", "stem-and-stop", "error-code", "two-words", "chinese", "traditional"],
)
def test_the_best_answer_comes_first_on_either_database(corpus, query, expected_first):
    assert _titles(query)[0] == expected_first


def test_the_ranking_and_scores_are_the_same_on_both_backends(corpus):
    # Written out once (BM25F over title and body, backends/base.py): SQLite and PostgreSQL must both give exactly this.
    hits = service.search("install activate license helloworld windows").hits

    assert [(hit.title, round(hit.score, 2)) for hit in hits] == EXPECTED_RANKING


def test_the_visitor_language_comes_first(corpus):
    titles = _titles("windows helloworld", preferred_language="zh-hans")

    assert titles[0] == "在 Windows 上安装 HelloWorld"
    assert "Install HelloWorld on Windows" in titles


def test_filters_by_kind_and_language(corpus, indexed):
    indexed(VideoFactory, title="Install the desktop app", transcript="We install HelloWorld step by step.")

    assert {hit.kind for hit in service.search("install", kinds=["video"]).hits} == {"video"}
    assert {hit.language for hit in service.search("windows", language="zh-hans").hits} == {"zh-hans"}


def test_drafts_and_scheduled_items_are_never_found(indexed):
    indexed(ArticleFactory, title="Secret roadmap draft", status=Status.DRAFT)
    indexed(ArticleFactory, title="Secret launch notes", publish_at=timezone.now() + timedelta(days=2))

    assert _titles("secret") == []


def test_a_scheduled_item_appears_when_its_time_comes(indexed):
    article = indexed(ArticleFactory, title="Launch notes", publish_at=timezone.now() + timedelta(hours=1))
    SearchDocument.objects.filter(object_id=article.pk).update(visible_from=timezone.now() - timedelta(seconds=1))

    assert _titles("launch") == ["Launch notes"]


def test_unpublishing_removes_an_item_at_once(corpus, django_capture_on_commit_callbacks, editor):
    article = Article.objects.get(title="Export invoices as PDF")

    with django_capture_on_commit_callbacks(execute=True):
        article_services.article_archive(article=article, by=editor)

    assert "Export invoices as PDF" not in _titles("invoice")


def test_edits_and_deletes_follow(corpus, django_capture_on_commit_callbacks, editor):
    article = Article.objects.get(title="Proxy errors behind a firewall")

    with django_capture_on_commit_callbacks(execute=True):
        article_services.article_update(article=article, by=editor, title="Proxy and VPN errors")
    assert _titles("vpn") == ["Proxy and VPN errors"]
    with django_capture_on_commit_callbacks(execute=True):
        article.delete()
    assert _titles("vpn") == []


def test_snippets_mark_matches_and_escape_injected_markup(indexed):
    indexed(ArticleFactory, title="Markup", body='Install <script>alert("x")</script> & <b onmouseover=x>now</b>')

    snippet = str(service.search("install").hits[0].snippet)

    assert "<mark>Install</mark>" in snippet
    assert "<script>" not in snippet
    assert "&lt;script&gt;" in snippet
    assert "<b " not in snippet


def test_did_you_mean_corrects_misspelt_words(corpus):
    assert service.search("instal licence").suggestion == "install license"
    assert service.search("install license").suggestion == ""


def test_synonyms_from_the_admin_widen_the_search(corpus, django_capture_on_commit_callbacks):
    assert _titles("receipt") == []

    with django_capture_on_commit_callbacks(execute=True):
        SynonymGroup.objects.create(phrases="receipt\ninvoice")

    assert _titles("receipt") == ["Export invoices as PDF"]


def test_suggestions_complete_the_last_word(corpus):
    assert [hit.title for hit in service.suggest("activate lic")] == ["Activate your license key"]
    assert [hit.title for hit in service.suggest("激活许")] == ["激活许可证"]


def test_the_rebuild_command_indexes_everything(corpus, capsys):
    SearchDocument.objects.all().delete()

    call_command("rebuild_search_index")

    assert SearchDocument.objects.count() == len(CORPUS)
    assert "Indexed" in capsys.readouterr().out
    assert _titles("installing")[0] == "Install HelloWorld on Windows"


def test_import_indexes_the_imported_articles(django_capture_on_commit_callbacks):
    import json

    from articles.importing import import_articles

    line = {
        "external_id": "x-1",
        "title": "Imported webhook guide",
        "body": "Webhooks sign payloads.",
        "language": "en",
        "category": "Integrations",
        "tags": [],
        "type": "how-to",
        "status": "published",
    }
    with django_capture_on_commit_callbacks(execute=True):
        import_articles(lines=[json.dumps(line)])

    hit = service.search("webhook").hits[0]
    assert (hit.title, hit.external_id) == ("Imported webhook guide", "x-1")


def test_the_api_answers_ranked_results(client, corpus):
    response = client.get("/api/v1/search/", {"q": "reset password", "limit": 3}).json()

    first = response["results"][0]
    assert set(first) >= {"kind", "id", "external_id", "title", "url", "snippet", "score"}
    assert first["title"] == "Reset a forgotten password"
    assert len(response["results"]) <= 3


@pytest.mark.parametrize(
    "params",
    [
        {"q": ""},
        {"q": "x", "limit": 101},
        {"q": "x", "kind": "spaceship"},
        {"q": "x", "language": "fr"},
        {},
        {"q": "x", "category": 10**20},
    ],
    ids=["empty", "limit-too-high", "unknown-kind", "unknown-language", "missing-q", "category-past-bigint"],
)
def test_the_api_refuses_bad_parameters_with_400(client, params):
    response = client.get("/api/v1/search/", params)

    assert response.status_code == 400


def test_suggest_api_waits_for_three_characters_or_two_chinese(client, corpus):
    assert client.get("/api/v1/search/suggest/", {"q": "ac"}).json()["results"] == []
    assert client.get("/api/v1/search/suggest/", {"q": "激活"}).json()["results"]


def test_search_api_query_count_does_not_grow_with_results(client, indexed):
    category = CategoryFactory()

    def counts():
        url = "/api/v1/search/?q=helloworld+guide&limit=100"
        return [page_queries(client, url) for _ in range(2)]

    for n in range(3):
        indexed(ArticleFactory, title=f"HelloWorld guide {n}", category=category)
    few = counts()
    for n in range(3, 40):
        indexed(ArticleFactory, title=f"HelloWorld guide {n}", category=category)

    assert counts() == few


def test_with_a_task_queue_index_updates_leave_as_a_task_after_commit(
    django_capture_on_commit_callbacks, monkeypatch, settings
):
    from kbportal.outbox import tasks

    settings.CELERY_TASK_ALWAYS_EAGER = False
    queued = []
    monkeypatch.setattr(tasks.deliver_task, "apply_async", lambda args, **options: queued.append(args))

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        article = ArticleFactory(title="Queued for the index")
    assert queued == []  # nothing leaves before the commit
    delivery = Delivery.objects.get(kind=Kind.SEARCH_INDEX)
    assert delivery.payload == {"kind": "article", "ids": [article.pk]}  # recorded with the article

    for callback in callbacks:
        callback()
    assert queued == [(delivery.pk,)]
    assert _titles("queued") == []  # the worker has not run it yet


def test_a_very_long_query_searches_its_first_terms_instead_of_failing(client, corpus):
    pasted = "".join(chr(0x4E00 + n * 7) for n in range(500))  # 500 different Han characters

    response = client.get("/api/v1/search/", {"q": "激活许可证" + pasted[:495]})

    assert response.status_code == 200
    assert response.json()["results"][0]["title"] == "激活许可证"
    assert len(service.search(pasted).terms) == service.MAX_QUERY_TERMS


def test_one_transaction_sends_one_index_update_per_kind(django_capture_on_commit_callbacks):
    from django.db import transaction

    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        category = CategoryFactory()
        articles = [ArticleFactory(title=f"Merged update {n}", category=category) for n in range(3)]
        article_services.article_update(article=articles[0], by=None, title="Merged update, edited")

    (update,) = Delivery.objects.filter(kind=Kind.SEARCH_INDEX, payload__kind="article")
    assert update.payload["ids"] == sorted(article.pk for article in articles)
    assert update.state == State.DELIVERED
    assert len(_titles("merged")) == 3


def test_an_update_asked_for_again_after_a_rolled_back_savepoint_is_kept(django_capture_on_commit_callbacks):
    from django.db import transaction

    from kbportal.search.indexing import index_after_commit

    with django_capture_on_commit_callbacks(execute=False), transaction.atomic():
        index_after_commit("article", [1])
        try:
            with transaction.atomic():
                index_after_commit("article", [2])
                raise RuntimeError("this part fails")
        except RuntimeError:
            pass
        index_after_commit("article", [2])  # asked for again, for the part that stays

        (update,) = Delivery.objects.filter(kind=Kind.SEARCH_INDEX)
        assert update.payload["ids"] == [1, 2]
