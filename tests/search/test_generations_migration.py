"""search 0005: the statistics rows of the previous release carry over, and back; postings keep their values.

The test migrates back to 0004, writes an index with the tables of that time (one document, its postings,
its term and word counts, the totals), migrates forward and reads it through 0005's tables, then goes back.
"""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

BEFORE = [("search", "0004_grant_synonyms")]
AFTER = [("search", "0005_index_generations")]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.fixture
def old_index():
    apps = _migrate(BEFORE)
    try:
        document = apps.get_model("search", "SearchDocument").objects.create(
            kind="article", object_id=7, language="en", title="Configure the proxy", body="Proxy settings.",
            url="/a/7/", title_tokens="configur proxi", body_tokens="proxi set", length=4, updated_at=timezone.now(),
        )  # fmt: skip
        apps.get_model("search", "SearchPosting").objects.create(
            document_id=document.pk, term="proxi", frequency=2.25, impact=1.5
        )
        apps.get_model("search", "SearchTerm").objects.bulk_create(
            [apps.get_model("search", "SearchTerm")(term=t, document_count=1) for t in ("configur", "proxi", "set")]
        )
        apps.get_model("search", "SearchWord").objects.create(word="proxy", document_count=1)
        apps.get_model("search", "SearchStats").objects.update_or_create(
            pk=1, defaults={"document_count": 1, "token_count": 4}
        )
        yield document
    finally:
        _migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())


def test_the_index_of_the_previous_release_is_the_live_generation_afterwards(old_index):
    apps = _migrate(AFTER)

    assert apps.get_model("search", "SearchGeneration").objects.get().state == "live"
    counts = apps.get_model("search", "SearchTermCount").objects.values_list("generation", "term", "documents")
    assert sorted(counts) == [(1, "configur", 1), (1, "proxi", 1), (1, "set", 1)]
    words = apps.get_model("search", "SearchWordCount").objects.values_list("word", "documents")
    assert list(words) == [("proxy", 1)]
    totals = apps.get_model("search", "SearchTotals").objects.values_list("generation", "documents", "tokens")
    assert list(totals) == [(1, 1, 4)]
    posting = apps.get_model("search", "SearchPosting").objects.values_list("document_id", "term", "frequency")
    assert list(posting) == [(old_index.pk, "proxi", 2.25)]
    assert apps.get_model("search", "SearchDocument").objects.get().generation == 1


def test_going_back_restores_the_counts_of_the_live_generation(old_index):
    _migrate(AFTER)

    apps = _migrate(BEFORE)

    assert sorted(apps.get_model("search", "SearchTerm").objects.values_list("term", "document_count")) == [
        ("configur", 1), ("proxi", 1), ("set", 1),
    ]  # fmt: skip
    stats = apps.get_model("search", "SearchStats").objects.get()
    assert (stats.document_count, stats.token_count) == (1, 4)
    assert apps.get_model("search", "SearchPosting").objects.count() == 1
