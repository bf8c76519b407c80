"""The full-text structure beside the documents: an FTS5 table on SQLite, a tsvector + GIN on PostgreSQL."""

from django.db import migrations

from kbportal.search import fulltext_sql


def create(apps, schema_editor):
    fulltext_sql.create(schema_editor)


def drop(apps, schema_editor):
    fulltext_sql.drop(schema_editor)


class Migration(migrations.Migration):
    dependencies = [("search", "0001_search_index")]

    operations = [migrations.RunPython(create, drop)]
