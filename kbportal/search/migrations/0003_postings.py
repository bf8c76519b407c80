"""Postings for ranked search on both databases; the full-text structure narrowed to titles.

The postings of documents already indexed are computed here from their stored tokens, and the
title structure is filled from them, so search keeps working without a rebuild.
"""

from collections import Counter

from django.db import migrations, models

TITLES = {
    "sqlite": [
        "CREATE VIRTUAL TABLE IF NOT EXISTS search_fts USING fts5(title, tokenize = 'unicode61 remove_diacritics 0')"
    ],
    "postgresql": [
        "ALTER TABLE search_searchdocument ADD COLUMN IF NOT EXISTS title_vector tsvector",
        "CREATE INDEX IF NOT EXISTS search_document_title_gin ON search_searchdocument USING gin (title_vector)",
    ],
}
NO_TITLES = {
    "sqlite": ["DROP TABLE IF EXISTS search_fts"],
    "postgresql": [
        "DROP INDEX IF EXISTS search_document_title_gin",
        "ALTER TABLE search_searchdocument DROP COLUMN IF EXISTS title_vector",
    ],
}
# Frozen copies of the engine's constants as of this migration.
K1, B, TITLE_WEIGHT, BATCH = 1.2, 0.75, 1.25, 500


def _rows(document_id, title_tokens, body_tokens, length, avgdl):
    frequencies = Counter()
    for weight, tokens in ((TITLE_WEIGHT, title_tokens), (1.0, body_tokens)):
        for token in tokens.split():
            frequencies[token[:100]] += weight
    norm = K1 * (1 - B + B * length / max(avgdl, 1.0))
    return [(document_id, term, tf, tf * (K1 + 1) / (tf + norm)) for term, tf in frequencies.items()]


def _title_vector(tokens):
    positions = {}
    for position, token in enumerate(tokens.split(), start=1):
        positions.setdefault(token, []).append(str(min(position, 16383)))
    quoted = ("'" + token.replace("\\", "\\\\").replace("'", "''") + "'" for token in positions)
    return " ".join(f"{lexeme}:{','.join(spots[:256])}" for lexeme, spots in zip(quoted, positions.values()))


def fill(apps, schema_editor):
    connection = schema_editor.connection
    with connection.cursor() as cursor:
        cursor.execute("SELECT document_count, token_count FROM search_searchstats WHERE id = 1")
        stats = cursor.fetchone()
        avgdl = stats[1] / stats[0] if stats and stats[0] else 1.0
        last = 0
        while True:
            cursor.execute(
                "SELECT id, title_tokens, body_tokens, length FROM search_searchdocument WHERE id > %s "
                "ORDER BY id LIMIT %s",
                [last, BATCH],
            )
            documents = cursor.fetchall()
            if not documents:
                break
            last = documents[-1][0]
            rows = [row for pk, title, body, length in documents for row in _rows(pk, title, body, length, avgdl)]
            cursor.executemany(
                "INSERT INTO search_searchposting (document_id, term, frequency, impact) VALUES (%s, %s, %s, %s)", rows
            )
            if connection.vendor == "postgresql":
                cursor.executemany(
                    "UPDATE search_searchdocument SET title_vector = %s::tsvector WHERE id = %s",
                    [(_title_vector(title), pk) for pk, title, _body, _length in documents],
                )
        if connection.vendor == "sqlite":
            cursor.execute("INSERT INTO search_fts(rowid, title) SELECT id, title_tokens FROM search_searchdocument")


def narrow_to_titles(apps, schema_editor):
    previous = {"sqlite": ["DROP TABLE IF EXISTS search_fts"], "postgresql": [
        "DROP INDEX IF EXISTS search_document_vector_gin",
        "ALTER TABLE search_searchdocument DROP COLUMN IF EXISTS vector",
    ]}  # fmt: skip
    for statement in previous.get(schema_editor.connection.vendor, []):
        schema_editor.execute(statement)
    for statement in TITLES.get(schema_editor.connection.vendor, []):
        schema_editor.execute(statement)
    fill(apps, schema_editor)


def widen_again(apps, schema_editor):
    """Back to 0002's structure, empty: run `manage.py rebuild_search_index` after migrating back."""
    for statement in NO_TITLES.get(schema_editor.connection.vendor, []):
        schema_editor.execute(statement)
    from importlib import import_module

    import_module("kbportal.search.migrations.0002_fulltext_structures").create(apps, schema_editor)


class Migration(migrations.Migration):

    dependencies = [
        ('search', '0002_fulltext_structures'),
    ]

    operations = [
        migrations.CreateModel(
            name='SearchPosting',
            fields=[
                ('pk', models.CompositePrimaryKey('document_id', 'term', blank=True, editable=False, primary_key=True, serialize=False)),
                ('document_id', models.BigIntegerField(verbose_name='document')),
                ('term', models.CharField(max_length=100, verbose_name='term')),
                ('frequency', models.FloatField(verbose_name='weighted term frequency')),
                ('impact', models.FloatField(verbose_name='impact')),
            ],
            options={
                'verbose_name': 'search posting',
                'verbose_name_plural': 'search postings',
                'indexes': [models.Index(fields=['term', '-impact', 'document_id'], name='search_posting_term_impact')],
            },
        ),
        migrations.RunPython(narrow_to_titles, widen_again),
    ]
