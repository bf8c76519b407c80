import io
import json
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from articles.importing import LineError, import_articles, parse_line
from articles.models import Article, ArticleRevision, Category, ProductVersion, Status, Tag
from tests.articles.factories import ArticleFactory, CategoryFactory


def article_line(external_id: str = "a-1", **fields) -> dict:
    return {
        "external_id": external_id,
        "title": f"Reset the router ({external_id})",
        "summary": "When the network drops.",
        "body": "## Steps\n\n1. Unplug it.\n2. Wait **ten** seconds.\n\n## Result\n\nIt works.",
        "language": "en",
        "category": "Troubleshooting/Network",
        "tags": ["Router", "wifi"],
        "product_versions": ["4.2"],
        "type": "troubleshooting",
        "status": "published",
        **fields,
    }


def write_lines(path: Path, rows: list) -> Path:
    """Rows are dicts (written as JSON) or strings (written as they are)."""
    path.write_text(
        "".join((row if isinstance(row, str) else json.dumps(row, ensure_ascii=False)) + "\n" for row in rows),
        encoding="utf-8",
    )
    return path


def run(command: str, *args, **options) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command(command, *args, stdout=out, stderr=err, **options)
    return out.getvalue(), err.getvalue()


def export_text(tmp_path: Path, *args) -> str:
    target = tmp_path / "export.jsonl"
    run("export_kb", str(target), *args)
    return target.read_text(encoding="utf-8")


def snapshot() -> dict[str, dict]:
    """Everything an import sets, by external id, with relations by name so two databases compare."""
    articles = Article.objects.select_related("category__parent", "translation_of").prefetch_related(
        "tags", "product_versions"
    )
    return {
        a.external_id: {
            "title": a.title,
            "summary": a.summary,
            "body": a.body,
            "body_html": a.body_html,
            "toc": a.toc,
            "slug": a.slug,
            "language": a.language,
            "type": a.type,
            "status": a.status,
            "publish_at": a.publish_at,
            "category": (a.category.parent.name if a.category.parent else None, a.category.name),
            "tags": sorted(t.name for t in a.tags.all()),
            "versions": sorted(v.name for v in a.product_versions.all()),
            "translation_of": a.translation_of.external_id if a.translation_of else None,
            "revisions": list(a.revisions.values_list("number", "comment", "title")),
        }
        for a in articles
    }


def wipe_knowledge_base() -> None:
    Article.objects.all().delete()
    while Category.objects.exists():  # Parents are protected while they have children.
        Category.objects.filter(children__isnull=True).delete()
    Tag.objects.all().delete()
    ProductVersion.objects.all().delete()


@pytest.mark.django_db
def test_import_creates_rendered_articles_with_a_first_revision(tmp_path):
    path = write_lines(tmp_path / "kb.jsonl", [article_line("a-1"), article_line("a-2", status="draft")])

    out, err = run("import_kb", str(path))

    assert "2 created, 0 updated, 0 unchanged, 0 rejected" in out
    assert err == ""
    article = Article.objects.get(external_id="a-1")
    assert article.title == "Reset the router (a-1)"
    assert article.slug == "reset-the-router-a-1"
    assert '<h2 id="steps">' in article.body_html
    assert [entry["anchor"] for entry in article.toc] == ["steps", "result"]
    assert sorted(article.tags.values_list("name", flat=True)) == ["router", "wifi"]
    assert list(article.product_versions.values_list("name", flat=True)) == ["4.2"]
    assert article.published_at is not None
    assert Article.objects.get(external_id="a-2").published_at is None
    revision = article.revisions.get()
    assert (revision.number, revision.comment, revision.title) == (1, "Imported", article.title)
    assert revision.metadata == {
        "category": article.category_id,
        "type": "troubleshooting",
        "language": "en",
        "tags": ["router", "wifi"],
        "product_versions": ["4.2"],
    }


@pytest.mark.django_db
def test_categories_are_created_from_paths_and_reused(tmp_path):
    existing = CategoryFactory(name="Troubleshooting", parent=None)
    rows = [
        article_line("a-1", category="Troubleshooting/Network"),
        article_line("a-2", category=" Troubleshooting / Printers "),
        article_line("a-3", category="Getting started"),
        article_line("a-4", category="Troubleshooting/Network"),
    ]

    run("import_kb", str(write_lines(tmp_path / "kb.jsonl", rows)))

    network = Category.objects.get(name="Network")
    assert network.parent == existing
    assert Category.objects.get(name="Printers").parent == existing
    assert Category.objects.get(name="Getting started").parent is None
    assert Category.objects.count() == 4
    assert Article.objects.get(external_id="a-4").category == network


@pytest.mark.django_db
def test_reimporting_the_same_file_changes_nothing(tmp_path):
    rows = [
        article_line("a-1"),
        article_line("a-2", language="zh-hans", title="重置路由器", translation_of="a-1"),
        article_line("a-3", publish_at="2030-01-01T09:00:00+08:00", product_versions=[]),
    ]
    path = write_lines(tmp_path / "kb.jsonl", rows)
    run("import_kb", str(path))
    before = snapshot()
    updated_at = dict(Article.objects.values_list("external_id", "updated_at"))

    out, err = run("import_kb", str(path))

    assert "0 created, 0 updated, 3 unchanged, 0 rejected" in out
    assert err == ""
    assert snapshot() == before
    assert dict(Article.objects.values_list("external_id", "updated_at")) == updated_at
    assert ArticleRevision.objects.count() == 3


@pytest.mark.django_db
def test_a_changed_line_updates_the_article_and_records_a_revision(tmp_path):
    run("import_kb", str(write_lines(tmp_path / "v1.jsonl", [article_line("a-1"), article_line("a-2")])))
    original = Article.objects.get(external_id="a-1")

    changed = article_line("a-1", title="Restart the router", tags=["router", "dns"], category="Network")
    out, _err = run("import_kb", str(write_lines(tmp_path / "v2.jsonl", [changed, article_line("a-2")])))

    assert "0 created, 1 updated, 1 unchanged, 0 rejected" in out
    article = Article.objects.get(external_id="a-1")
    assert article.pk == original.pk
    assert article.title == "Restart the router"
    assert article.slug == original.slug  # Links to the article keep working.
    assert article.category.name == "Network"
    assert sorted(article.tags.values_list("name", flat=True)) == ["dns", "router"]
    assert article.updated_at > original.updated_at
    assert list(article.revisions.values_list("number", "comment", "title")) == [
        (2, "Imported", "Restart the router"),
        (1, "Imported", "Reset the router (a-1)"),
    ]
    assert article.revisions.get(number=2).metadata["tags"] == ["dns", "router"]
    assert Article.objects.get(external_id="a-2").revisions.count() == 1


@pytest.mark.django_db
def test_the_first_publication_is_kept_when_a_line_changes_status(tmp_path):
    run("import_kb", str(write_lines(tmp_path / "v1.jsonl", [article_line("a-1", status="draft")])))
    assert Article.objects.get().published_at is None

    run("import_kb", str(write_lines(tmp_path / "v2.jsonl", [article_line("a-1", status="published")])))
    first_published = Article.objects.get().published_at
    run("import_kb", str(write_lines(tmp_path / "v3.jsonl", [article_line("a-1", status="archived")])))

    assert first_published is not None
    assert Article.objects.get().published_at == first_published


@pytest.mark.django_db
def test_bad_lines_are_reported_with_their_numbers_and_good_lines_imported(tmp_path):
    rows = [
        article_line("good-1"),
        "{not json",
        article_line("no-title", title=""),
        article_line("bad-language", language="fr"),
        article_line("long-title", title="x" * 201),
        article_line("good-2"),
        article_line("good-1"),
        "",
        article_line("bad-tags", tags="router"),
    ]

    out, err = run("import_kb", str(write_lines(tmp_path / "kb.jsonl", rows)))

    assert "2 created, 0 updated, 0 unchanged, 6 rejected" in out
    problems = err.splitlines()
    assert [problem.split(":")[0] for problem in problems] == [f"line {n}" for n in (2, 3, 4, 5, 7, 9)]
    assert "not valid JSON" in problems[0]
    assert "“title” is missing or empty" in problems[1]
    assert "“language” is “fr”; use one of en, zh-hans" in problems[2]
    assert "201 characters long; shorten it to 200" in problems[3]
    assert "already appeared on line 1" in problems[4]
    assert "“tags” must be a list of strings" in problems[5]
    assert set(Article.objects.values_list("external_id", flat=True)) == {"good-1", "good-2"}


@pytest.mark.parametrize(
    ("fields", "reason"),
    [
        ({"external_id": None}, "“external_id” is missing or empty"),
        ({"external_id": "x" * 201}, "“external_id” is 201 characters long"),
        ({"external_id": 7}, "“external_id” must be a string, not a number"),
        ({"body": "   "}, "“body” is missing or empty"),
        ({"category": "/"}, "“category” holds no name"),
        ({"type": "tutorial"}, "“type” is “tutorial”; use one of how-to, troubleshooting"),
        ({"status": "live"}, "“status” is “live”"),
        ({"tags": None}, "“tags” is missing or empty"),
        ({"tags": ["ok", 3]}, "“tags” must be a list of strings"),
        ({"tags": ["x" * 61]}, "“tags” is 61 characters long; shorten it to 60"),
        ({"product_versions": "4.2"}, "“product_versions” must be a list of strings"),
        ({"summary": "x" * 301}, "“summary” is 301 characters long"),
        ({"publish_at": "next week"}, "“publish_at” is not an ISO 8601 date"),
        ({"translation_of": "a-1"}, "“translation_of” names the article itself"),
        ({"title": "a\x00b"}, "“title” contains a NUL character"),
    ],
)
def test_parse_line_rejects_with_a_reason(fields, reason):
    with pytest.raises(LineError, match=reason):
        parse_line(text=json.dumps({**article_line("a-1"), **fields}), number=1)


def test_parse_line_rejects_what_is_not_an_object_or_not_utf8():
    with pytest.raises(LineError, match="must be a JSON object"):
        parse_line(text="[1, 2]", number=1)
    with pytest.raises(LineError, match="not valid UTF-8"):
        parse_line(text=b'{"title": "\xff"}', number=1)


def test_parse_line_normalises_and_ignores_unknown_keys():
    line = parse_line(
        text=json.dumps(
            article_line("  a-1 ", tags=[" VPN ", "vpn", ""], publish_at="2030-01-01T09:00:00", colour="blue")
        ),
        number=4,
    )

    assert line.external_id == "a-1"
    assert line.tags == frozenset({"vpn"})
    assert line.category == ("Troubleshooting", "Network")
    assert line.publish_at is not None
    assert line.publish_at.utcoffset() is not None
    assert line.number == 4


@pytest.mark.django_db
def test_translations_are_linked_even_when_they_come_before_the_original(tmp_path):
    rows = [
        article_line("zh-1", language="zh-hans", title="重置路由器", translation_of="en-1"),
        article_line("en-1"),
    ]

    out, err = run("import_kb", str(write_lines(tmp_path / "kb.jsonl", rows)))

    assert "2 created" in out
    assert err == ""
    original = Article.objects.get(external_id="en-1")
    assert Article.objects.get(external_id="zh-1").translation_of == original
    assert original.translation_of is None


@pytest.mark.django_db
def test_links_that_cannot_be_made_are_reported_and_left_empty(tmp_path):
    rows = [
        article_line("en-1"),
        article_line("zh-1", language="zh-hans", translation_of="missing"),
        article_line("en-2", translation_of="en-1"),
        article_line("zh-2", language="zh-hans", translation_of="en-1"),
        article_line("zh-3", language="zh-hans", translation_of="en-1"),
    ]
    path = write_lines(tmp_path / "kb.jsonl", rows)

    out, err = run("import_kb", str(path))

    assert "5 created, 0 updated, 0 unchanged, 0 rejected" in out
    problems = err.splitlines()
    assert problems[0].startswith("line 2: The translation_of “missing” matches no article")
    assert problems[1].startswith("line 3: The article “en-1” is in the same language")
    assert problems[2].startswith("line 5: The article “en-1” already has a translation in this language")
    assert all(problem.endswith("The article was imported without the link.") for problem in problems)
    links = dict(Article.objects.values_list("external_id", "translation_of__external_id"))
    assert links == {"en-1": None, "zh-1": None, "en-2": None, "zh-2": "en-1", "zh-3": None}

    out, _err = run("import_kb", str(path))

    assert "0 created, 0 updated, 5 unchanged" in out


@pytest.mark.django_db
def test_a_link_change_alone_counts_as_an_update(tmp_path):
    original, translation = article_line("en-1"), article_line("zh-1", language="zh-hans")
    run("import_kb", str(write_lines(tmp_path / "v1.jsonl", [original, translation])))

    linked = {**translation, "translation_of": "en-1"}
    out, _err = run("import_kb", str(write_lines(tmp_path / "v2.jsonl", [original, linked])))

    assert "0 created, 1 updated, 1 unchanged" in out
    article = Article.objects.get(external_id="zh-1")
    assert article.translation_of.external_id == "en-1"
    assert list(article.revisions.values_list("number", "comment")) == [(2, "Imported"), (1, "Imported")]


@pytest.mark.django_db
def test_dry_run_counts_but_writes_nothing(tmp_path):
    run("import_kb", str(write_lines(tmp_path / "v1.jsonl", [article_line("a-1")])))
    before = snapshot()
    rows = [article_line("a-1", title="Changed"), article_line("a-2", category="New/Place", tags=["new"]), "{"]

    out, err = run("import_kb", str(write_lines(tmp_path / "v2.jsonl", rows)), dry_run=True)

    assert "Dry run, nothing was written" in out
    assert "1 created, 1 updated, 0 unchanged, 1 rejected" in out
    assert err.startswith("line 3:")
    assert snapshot() == before
    assert not Category.objects.filter(name="New").exists()
    assert not Tag.objects.filter(name="new").exists()


@pytest.mark.django_db
def test_import_reads_standard_input(monkeypatch):
    data = json.dumps(article_line("a-1"), ensure_ascii=False).encode() + b"\n"
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data)))

    out, _err = run("import_kb", "-")

    assert "1 created" in out
    assert Article.objects.filter(external_id="a-1").exists()


@pytest.mark.django_db
def test_verbosity_zero_prints_only_problems(tmp_path):
    path = write_lines(tmp_path / "kb.jsonl", [article_line("a-1"), "nope"])

    out, err = run("import_kb", str(path), verbosity=0)

    assert out == ""
    assert err.startswith("line 2:")


@pytest.mark.django_db
def test_import_queries_do_not_grow_with_the_lines_of_a_batch(tmp_path):
    def queries_for(count: int, start: int) -> int:
        rows = [article_line(f"a-{start + n}") for n in range(count)]
        with CaptureQueriesContext(connection) as queries:
            import_articles(lines=[json.dumps(row) for row in rows])
        return len(queries)

    queries_for(1, start=0)  # Creates the categories, tags and versions the others reuse.
    assert queries_for(10, start=100) == queries_for(20, start=200)


@pytest.mark.django_db
def test_export_writes_every_field_and_changes_nothing(tmp_path):
    category = CategoryFactory(name="Network", parent=CategoryFactory(name="Troubleshooting"))
    original = ArticleFactory(title="Reset the router", category=category, external_id="en-1", tags=["router"])
    translation = ArticleFactory(title="重置路由器", language="zh-hans", category=category, translation_of=original)
    draft = ArticleFactory(status=Status.DRAFT, category=category)

    lines = [json.loads(line) for line in export_text(tmp_path).splitlines()]

    assert [line["external_id"] for line in lines] == ["en-1", f"kb-{translation.pk}", f"kb-{draft.pk}"]
    assert lines[0] == {
        "external_id": "en-1",
        "title": "Reset the router",
        "summary": original.summary,
        "body": original.body,
        "language": "en",
        "category": "Troubleshooting/Network",
        "tags": ["router"],
        "product_versions": [],
        "type": "how-to",
        "status": "published",
        "publish_at": None,
        "translation_of": None,
    }
    assert lines[1]["translation_of"] == "en-1"
    assert lines[1]["title"] == "重置路由器"
    assert Article.objects.filter(external_id__isnull=True).count() == 2


@pytest.mark.django_db
def test_export_filters_by_status_and_language(tmp_path):
    ArticleFactory(external_id="en-published")
    ArticleFactory(external_id="zh-published", language="zh-hans")
    ArticleFactory(external_id="en-draft", status=Status.DRAFT)

    def exported(*args) -> list[str]:
        return [json.loads(line)["external_id"] for line in export_text(tmp_path, *args).splitlines()]

    assert exported("--status", "published") == ["en-published", "zh-published"]
    assert exported("--language", "en") == ["en-published", "en-draft"]
    assert exported("--status", "draft", "--language", "zh-hans") == []


@pytest.mark.django_db
def test_export_to_standard_output():
    ArticleFactory(external_id="en-1", title="Reset the router")

    out, err = run("export_kb", "-")

    assert json.loads(out)["title"] == "Reset the router"
    assert out.endswith("}\n")
    assert err == "Exported 1 articles.\n"


@pytest.mark.django_db
def test_export_queries_do_not_grow_with_the_articles(tmp_path):
    category = CategoryFactory()

    def queries_for(count: int) -> int:
        ArticleFactory.create_batch(count, category=category, tags=["router", "wifi"])
        with CaptureQueriesContext(connection) as queries:
            export_text(tmp_path)
        return len(queries)

    assert queries_for(3) == queries_for(6)


@pytest.mark.django_db
def test_round_trip_through_export_gives_identical_data(tmp_path):
    rows = [
        article_line(
            "zh-1", language="zh-hans", title="重置路由器", body="## 步骤\n\n拔掉电源。", translation_of="en-1"
        ),
        article_line("en-1", publish_at="2030-01-01T09:00:00+00:00"),
        article_line("en-2", type="faq", status="review", summary="", tags=[], product_versions=["4.2", "5.0"]),
        article_line("en-3", category="Getting started", status="archived"),
    ]
    run("import_kb", str(write_lines(tmp_path / "kb.jsonl", rows)))
    imported = snapshot()
    exported = export_text(tmp_path)

    wipe_knowledge_base()
    (tmp_path / "again.jsonl").write_text(exported, encoding="utf-8")
    out, err = run("import_kb", str(tmp_path / "again.jsonl"))

    assert "4 created, 0 updated, 0 unchanged, 0 rejected" in out
    assert err == ""
    assert snapshot() == imported
    assert export_text(tmp_path) == exported
