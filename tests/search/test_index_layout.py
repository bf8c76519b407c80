"""The index's tables as the migrations leave them: small postings, no stored tokens."""

import pytest
from django.db import connection

from kbportal.search.models import SearchDocument

pytestmark = pytest.mark.django_db


def test_documents_store_no_tokens_the_postings_already_hold():
    columns = {field.column for field in SearchDocument._meta.concrete_fields}

    assert not {"title_tokens", "body_tokens"} & columns


def test_postings_are_a_clustered_table_on_sqlite_and_narrow_columns_on_postgresql():
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT sql FROM sqlite_master WHERE name = 'search_searchposting'")
            assert cursor.fetchone()[0].rstrip().upper().endswith("WITHOUT ROWID")
        else:
            cursor.execute(
                "SELECT column_name, data_type FROM information_schema.columns "
                "WHERE table_name = 'search_searchposting'"
            )
            assert dict(cursor.fetchall()) == {
                "document_id": "integer",
                "term": "character varying",
                "title_count": "smallint",
                "body_count": "smallint",
                "impact": "real",
            }
