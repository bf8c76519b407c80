"""Generations of the index, statistics as rows to add up, and a smaller postings table.

- A rebuild now fills a new generation beside the live one and swaps; the documents there are now are
  generation 1, the live one.
- The statistics (SearchTerm, SearchWord, SearchStats: one row a key, updated in place by every batch)
  become rows to add up (SearchTermCount, SearchWordCount, SearchTotals), carried over as they are.
- Documents no longer store their tokens: the postings hold the terms, the title is analysed again for
  the title structure. Postings take 4-byte ids and floats on PostgreSQL, and on SQLite a WITHOUT ROWID
  table clustered on their primary key, which saves the rowid B-tree beside it.

Going back restores the old tables' counts from the live generation; the token columns come back empty,
so run `manage.py rebuild_search_index` after migrating back.
"""

from django.db import migrations, models
from django.utils import timezone

import kbportal.search.models

POSTINGS_COLUMNS = (
    '"document_id" {id_type} NOT NULL, "term" varchar(100) NOT NULL, "frequency" real NOT NULL, '
    '"impact" real NOT NULL, PRIMARY KEY ("document_id", "term")'
)
POSTINGS_INDEX = (
    'CREATE INDEX "search_posting_term_impact" ON "search_searchposting" ("term", "impact" DESC, "document_id")'
)


def _remake_sqlite_postings(schema_editor, *, without_rowid: bool, id_type: str) -> None:
    if schema_editor.connection.vendor != "sqlite":
        return
    suffix = " WITHOUT ROWID" if without_rowid else ""
    for statement in [
        f'CREATE TABLE "search_searchposting_new" ({POSTINGS_COLUMNS.format(id_type=id_type)}){suffix}',
        'INSERT INTO "search_searchposting_new" SELECT document_id, term, frequency, impact '
        'FROM "search_searchposting" ORDER BY document_id, term',
        'DROP TABLE "search_searchposting"',
        'ALTER TABLE "search_searchposting_new" RENAME TO "search_searchposting"',
        POSTINGS_INDEX,
    ]:
        schema_editor.execute(statement)


def postings_without_rowid(apps, schema_editor):
    _remake_sqlite_postings(schema_editor, without_rowid=True, id_type="integer")


def postings_with_rowid(apps, schema_editor):
    _remake_sqlite_postings(schema_editor, without_rowid=False, id_type="integer")


def carry_statistics(apps, schema_editor):
    apps.get_model("search", "SearchGeneration").objects.create(number=1, state="live", started_at=timezone.now())
    for statement in [
        "INSERT INTO search_searchtermcount (generation, term, documents) "
        "SELECT 1, term, document_count FROM search_searchterm WHERE document_count > 0",
        "INSERT INTO search_searchwordcount (generation, word, documents) "
        "SELECT 1, word, document_count FROM search_searchword WHERE document_count > 0",
        "INSERT INTO search_searchtotals (generation, documents, tokens) "
        "SELECT 1, document_count, token_count FROM search_searchstats WHERE document_count > 0",
    ]:
        schema_editor.execute(statement)


def restore_statistics(apps, schema_editor):
    live = apps.get_model("search", "SearchGeneration").objects.filter(state="live").first()
    number = live.number if live else 1
    for statement in [
        "INSERT INTO search_searchterm (term, document_count) SELECT term, SUM(documents) "
        "FROM search_searchtermcount WHERE generation = %s GROUP BY term HAVING SUM(documents) > 0",
        "INSERT INTO search_searchword (word, document_count) SELECT word, SUM(documents) "
        "FROM search_searchwordcount WHERE generation = %s GROUP BY word HAVING SUM(documents) > 0",
        "INSERT INTO search_searchstats (id, document_count, token_count) SELECT 1, COALESCE(SUM(documents), 0), "
        "COALESCE(SUM(tokens), 0) FROM search_searchtotals WHERE generation = %s",
    ]:
        schema_editor.execute(statement, [number])


OLD_MODELS = {"searchterm": "search term", "searchword": "search word", "searchstats": "search statistics"}


def forget_the_old_types(apps, schema_editor):
    """The deleted models' content types and their permissions go too: no group keeps rights to a model that no
    longer exists, and a dump and its restore hold the same rows (tests/kbportal/test_backup.py)."""
    content_type = apps.get_model("contenttypes", "ContentType")
    content_type.objects.using(schema_editor.connection.alias).filter(
        app_label="search", model__in=list(OLD_MODELS)
    ).delete()


def bring_back_the_old_types(apps, schema_editor):
    """Going back: the models' content types and default permissions again, as post_migrate made them."""
    alias = schema_editor.connection.alias
    permission = apps.get_model("auth", "Permission")
    for model, name in OLD_MODELS.items():
        content_type, _ = apps.get_model("contenttypes", "ContentType").objects.using(alias).get_or_create(
            app_label="search", model=model
        )
        for action in ("add", "change", "delete", "view"):
            permission.objects.using(alias).get_or_create(
                content_type=content_type, codename=f"{action}_{model}", defaults={"name": f"Can {action} {name}"}
            )


def keep_live_generation_only(apps, schema_editor):
    """Going back: one document an item again, as the old unique constraint wants."""
    live = apps.get_model("search", "SearchGeneration").objects.filter(state="live").first()
    ids = apps.get_model("search", "SearchDocument").objects.exclude(generation=live.number if live else 1)
    with schema_editor.connection.cursor() as cursor:
        for pk in ids.values_list("pk", flat=True).iterator():
            cursor.execute("DELETE FROM search_searchposting WHERE document_id = %s", [pk])
    ids.delete()



class Migration(migrations.Migration):

    dependencies = [
        ('search', '0004_grant_synonyms'),
        ('contenttypes', '0002_remove_content_type_name'),
        ('auth', '0012_alter_user_first_name_max_length'),
    ]

    operations = [
        migrations.CreateModel(
            name='SearchGeneration',
            fields=[
                ('number', models.PositiveIntegerField(primary_key=True, serialize=False, verbose_name='number')),
                ('state', models.CharField(choices=[('building', 'building'), ('live', 'live'), ('retired', 'retired')], max_length=10, verbose_name='state')),
                ('started_at', models.DateTimeField(verbose_name='started')),
                ('finished_at', models.DateTimeField(blank=True, null=True, verbose_name='finished')),
            ],
            options={
                'verbose_name': 'index generation',
                'verbose_name_plural': 'index generations',
            },
        ),
        migrations.CreateModel(
            name='SearchTermCount',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('generation', models.PositiveIntegerField(verbose_name='generation')),
                ('term', models.CharField(max_length=100, verbose_name='term')),
                ('documents', models.IntegerField(verbose_name='documents')),
            ],
            options={
                'verbose_name': 'term count',
                'verbose_name_plural': 'term counts',
            },
        ),
        migrations.CreateModel(
            name='SearchTotals',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('generation', models.PositiveIntegerField(verbose_name='generation')),
                ('documents', models.IntegerField(verbose_name='documents')),
                ('tokens', models.BigIntegerField(verbose_name='tokens')),
            ],
            options={
                'verbose_name': 'index totals',
                'verbose_name_plural': 'index totals',
            },
        ),
        migrations.CreateModel(
            name='SearchWordCount',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('generation', models.PositiveIntegerField(verbose_name='generation')),
                ('word', models.CharField(max_length=100, verbose_name='word')),
                ('documents', models.IntegerField(verbose_name='documents')),
            ],
            options={
                'verbose_name': 'word count',
                'verbose_name_plural': 'word counts',
            },
        ),
        migrations.RunPython(carry_statistics, restore_statistics),
        migrations.RunPython(forget_the_old_types, bring_back_the_old_types),
        migrations.DeleteModel(
            name='SearchStats',
        ),
        migrations.DeleteModel(
            name='SearchTerm',
        ),
        migrations.DeleteModel(
            name='SearchWord',
        ),
        migrations.RemoveConstraint(
            model_name='searchdocument',
            name='search_document_unique_item',
        ),
        # A default first, so that going back can add the columns to the rows there are (empty).
        migrations.AlterField(
            model_name='searchdocument',
            name='body_tokens',
            field=models.TextField(default='', verbose_name='body tokens'),
        ),
        migrations.AlterField(
            model_name='searchdocument',
            name='title_tokens',
            field=models.TextField(default='', verbose_name='title tokens'),
        ),
        migrations.RemoveField(
            model_name='searchdocument',
            name='body_tokens',
        ),
        migrations.RemoveField(
            model_name='searchdocument',
            name='title_tokens',
        ),
        migrations.AddField(
            model_name='searchdocument',
            name='generation',
            field=models.PositiveIntegerField(default=1, verbose_name='generation'),
        ),
        migrations.RunPython(migrations.RunPython.noop, keep_live_generation_only),
        migrations.AlterField(
            model_name='searchposting',
            name='document_id',
            field=models.IntegerField(verbose_name='document'),
        ),
        migrations.AlterField(
            model_name='searchposting',
            name='frequency',
            field=kbportal.search.models.RealField(verbose_name='weighted term frequency'),
        ),
        migrations.AlterField(
            model_name='searchposting',
            name='impact',
            field=kbportal.search.models.RealField(verbose_name='impact'),
        ),
        migrations.RunPython(postings_without_rowid, postings_with_rowid),
        migrations.AddConstraint(
            model_name='searchdocument',
            constraint=models.UniqueConstraint(fields=('kind', 'object_id', 'generation'), name='search_document_unique_item'),
        ),
        migrations.AddConstraint(
            model_name='searchgeneration',
            constraint=models.UniqueConstraint(condition=models.Q(('state', 'retired'), _negated=True), fields=('state',), name='search_generation_one_per_state'),
        ),
        migrations.AddIndex(
            model_name='searchtermcount',
            index=models.Index(fields=['generation', 'term'], name='search_termcount_term'),
        ),
        migrations.AddIndex(
            model_name='searchtotals',
            index=models.Index(fields=['generation'], name='search_totals_generation'),
        ),
        migrations.AddIndex(
            model_name='searchwordcount',
            index=models.Index(fields=['generation', 'word'], name='search_wordcount_word'),
        ),
    ]
