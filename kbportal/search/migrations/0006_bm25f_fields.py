"""BM25F: postings keep a term's counts in the title and in the body, documents their title's length.

The postings of an index already built are converted in place, without a rebuild: the old weighted
frequency was 1.25 × (count in the title) + (count in the body), and the title's count comes from
analysing the stored title again (indexing analyses titles without synonyms, so this gives the same
tokens). Impacts are recomputed with BM25F against each generation's new average field lengths. This
reads and rewrites every posting, about as long as `rebuild_search_index` takes. Going back converts
again (frequency = 1.25 × title + body); impacts then stay BM25F's until the next rebuild.
"""

from collections import Counter

from django.db import migrations, models

import kbportal.search.models

OLD_TITLE_WEIGHT = 1.25
# Frozen copies of the engine's BM25F constants as of this migration: (title weight, title b, body b).
K1 = 1.2
WEIGHTS, CHINESE_WEIGHTS = (2.5, 0.5, 0.75), (1.0, 0.75, 0.75)
BATCH = 500


def _title_counts(title):
    from kbportal.search.analysis import Analyzer

    analyzer = _title_counts.analyzer = getattr(_title_counts, "analyzer", None) or Analyzer()
    tokens = [token[:100] for token in analyzer.document_tokens(title)]
    return Counter(tokens), len(tokens)


def _impact(title, body, title_length, body_length, averages, language):
    weight, title_b, body_b = CHINESE_WEIGHTS if language == "zh-hans" else WEIGHTS
    frequency = 0.0
    if title:
        frequency += weight * title / (1 - title_b + title_b * title_length / max(averages[0], 1.0))
    if body:
        frequency += body / (1 - body_b + body_b * body_length / max(averages[1], 1.0))
    return frequency * (K1 + 1) / (frequency + K1)


def to_fields(apps, schema_editor):
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("SELECT DISTINCT generation FROM search_searchdocument")
        for (generation,) in cursor.fetchall():
            _convert_generation(cursor, generation)


def _convert_generation(cursor, generation):
    # First the title lengths (for the averages), then the postings with impacts against them.
    last, title_tokens, documents, tokens = 0, 0, 0, 0
    titles = {}
    while True:
        cursor.execute(
            "SELECT id, title, length FROM search_searchdocument WHERE generation = %s AND id > %s ORDER BY id LIMIT %s",
            [generation, last, BATCH],
        )
        rows = cursor.fetchall()
        if not rows:
            break
        last = rows[-1][0]
        updates = []
        for pk, title, length in rows:
            counts, title_length = _title_counts(title)
            titles[pk] = counts
            updates.append((title_length, pk))
            title_tokens += title_length
            documents += 1
            tokens += length
        cursor.executemany("UPDATE search_searchdocument SET title_length = %s WHERE id = %s", updates)
    if not documents:
        return
    cursor.execute(
        "INSERT INTO search_searchtotals (generation, documents, tokens, title_tokens) VALUES (%s, 0, 0, %s)",
        [generation, title_tokens],
    )
    averages = (title_tokens / documents, (tokens - title_tokens) / documents)
    ids = sorted(titles)
    for start in range(0, len(ids), BATCH):
        chunk = ids[start : start + BATCH]
        marks = ", ".join(["%s"] * len(chunk))
        cursor.execute(
            f"SELECT id, length, title_length, language FROM search_searchdocument WHERE id IN ({marks})", chunk
        )
        lengths = {pk: (t, length - t, language) for pk, length, t, language in cursor.fetchall()}
        cursor.execute(
            f"SELECT document_id, term, frequency FROM search_searchposting WHERE document_id IN ({marks})", chunk
        )
        rows = []
        for pk, term, frequency in cursor.fetchall():
            title = min(titles[pk].get(term, 0), int(frequency / OLD_TITLE_WEIGHT + 1e-6))
            body = max(0, round(frequency - OLD_TITLE_WEIGHT * title))
            title_length, body_length, language = lengths[pk]
            impact = _impact(title, body, title_length, body_length, averages, language)
            rows.append((min(title, 32767), min(body, 32767), impact, pk, term))
        cursor.executemany(
            "UPDATE search_searchposting SET title_count = %s, body_count = %s, impact = %s "
            "WHERE document_id = %s AND term = %s",
            rows,
        )


def to_frequency(apps, schema_editor):
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("UPDATE search_searchposting SET frequency = %s * title_count + body_count", [OLD_TITLE_WEIGHT])


def keep_sqlite_postings_clustered(apps, schema_editor):
    """SQLite: the table stays WITHOUT ROWID (0005) whatever the column changes did to it."""
    if schema_editor.connection.vendor != "sqlite":
        return
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("SELECT sql FROM sqlite_master WHERE name = 'search_searchposting'")
        if cursor.fetchone()[0].rstrip().upper().endswith("WITHOUT ROWID"):
            return
    columns = (
        '"document_id" integer NOT NULL, "term" varchar(100) NOT NULL, "title_count" smallint NOT NULL, '
        '"body_count" smallint NOT NULL, "impact" real NOT NULL, PRIMARY KEY ("document_id", "term")'
    )
    for statement in [
        f'CREATE TABLE "search_searchposting_new" ({columns}) WITHOUT ROWID',
        'INSERT INTO "search_searchposting_new" SELECT document_id, term, title_count, body_count, impact '
        'FROM "search_searchposting" ORDER BY document_id, term',
        'DROP TABLE "search_searchposting"',
        'ALTER TABLE "search_searchposting_new" RENAME TO "search_searchposting"',
        'CREATE INDEX "search_posting_term_impact" ON "search_searchposting" ("term", "impact" DESC, "document_id")',
    ]:
        schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("search", "0005_index_generations")]

    operations = [
        migrations.AddField(
            model_name="searchdocument",
            name="title_length",
            field=models.PositiveIntegerField(default=0, verbose_name="title length in tokens"),
        ),
        migrations.AddField(
            model_name="searchtotals",
            name="title_tokens",
            field=models.BigIntegerField(default=0, verbose_name="title tokens"),
        ),
        migrations.AddField(
            model_name="searchposting",
            name="title_count",
            field=models.SmallIntegerField(default=0, verbose_name="count in the title"),
        ),
        migrations.AddField(
            model_name="searchposting",
            name="body_count",
            field=models.SmallIntegerField(default=0, verbose_name="count in the text"),
        ),
        # Going back, the old column has to take values before it is required again.
        migrations.AlterField(
            model_name="searchposting",
            name="frequency",
            field=kbportal.search.models.RealField(null=True, verbose_name="weighted term frequency"),
        ),
        migrations.RunPython(to_fields, to_frequency),
        migrations.RemoveField(model_name="searchposting", name="frequency"),
        migrations.AlterField(
            model_name="searchposting",
            name="title_count",
            field=models.SmallIntegerField(verbose_name="count in the title"),
        ),
        migrations.AlterField(
            model_name="searchposting",
            name="body_count",
            field=models.SmallIntegerField(verbose_name="count in the text"),
        ),
        migrations.RunPython(keep_sqlite_postings_clustered, keep_sqlite_postings_clustered),
    ]
