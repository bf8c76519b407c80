"""search 0006: an index built before BM25F is converted in place, without a rebuild, and back.

The weighted frequency was 1.25 × (count in the title) + (count in the body); the title's count comes from
analysing the stored title again, so each posting gets its two counts back exactly.
"""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

BEFORE = [("search", "0005_index_generations")]
AFTER = [("search", "0006_bm25f_fields")]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.fixture
def index_before_bm25f():
    apps = _migrate(BEFORE)
    try:
        document = apps.get_model("search", "SearchDocument").objects.create(
            generation=1, kind="article", object_id=7, language="en", title="Proxy settings",
            body="Proxy proxy proxy.", url="/a/7/", length=5, updated_at=timezone.now(),
        )  # fmt: skip
        posting = apps.get_model("search", "SearchPosting")
        posting.objects.bulk_create([
            posting(document_id=document.pk, term="proxi", frequency=1.25 + 3, impact=1.0),
            posting(document_id=document.pk, term="set", frequency=1.25, impact=1.0),
        ])  # fmt: skip
        apps.get_model("search", "SearchTotals").objects.create(generation=1, documents=1, tokens=5)
        yield document
    finally:
        _migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())


def test_each_posting_gets_its_counts_in_title_and_body(index_before_bm25f):
    apps = _migrate(AFTER)

    rows = apps.get_model("search", "SearchPosting").objects.values_list("term", "title_count", "body_count")
    assert sorted(rows) == [("proxi", 1, 3), ("set", 1, 0)]
    assert apps.get_model("search", "SearchDocument").objects.get().title_length == 2
    totals = apps.get_model("search", "SearchTotals").objects.filter(generation=1)
    assert sum(row.title_tokens for row in totals) == 2
    assert sum(row.documents for row in totals) == 1


def test_going_back_gives_the_weighted_frequencies_again(index_before_bm25f):
    _migrate(AFTER)

    apps = _migrate(BEFORE)

    rows = apps.get_model("search", "SearchPosting").objects.values_list("term", "frequency")
    assert sorted(rows) == [("proxi", 4.25), ("set", 1.25)]
