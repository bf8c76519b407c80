"""The help center takes over its tables: help sessions, their events and content gaps.

Until now the support desk's models (tickets 0004-0010), they move here in the migration state only: the tables
keep their names (`db_table`), so no table is renamed or recreated and no row moves. The content types move
with them, so the permissions on these models (staff groups hold "view_deflection_report") stay attached, and
admin history and anything else that points at a content type finds the same row under the new label.
"""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models

MOVED_MODELS = ("helpsession", "helpsessionevent", "contentgap")


def _move_content_types(apps, source: str, target: str) -> None:
    content_type = apps.get_model("contenttypes", "ContentType")
    for model in MOVED_MODELS:
        old = content_type.objects.filter(app_label=source, model=model).first()
        if old is None:
            continue  # a database whose content types were never made: migrate's post_migrate makes them
        # A row made for the target label before this ran (a `migrate --fake`, say) holds nothing the old one
        # does not: the old row, which the groups' permissions point at, takes its place.
        content_type.objects.filter(app_label=target, model=model).delete()
        old.app_label = target
        old.save(update_fields=["app_label"])
    content_type.objects.clear_cache()


def content_types_to_help_center(apps, schema_editor) -> None:
    _move_content_types(apps, "tickets", "helpcenter")


def content_types_to_tickets(apps, schema_editor) -> None:
    _move_content_types(apps, "helpcenter", "tickets")


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("tickets", "0014_help_sessions_move_to_help_center"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("auth", "0012_alter_user_first_name_max_length"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.CreateModel(
                    name='ContentGap',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('normalised_query', models.CharField(max_length=200, verbose_name='normalised query')),
                        ('language', models.CharField(choices=[('en', 'English'), ('zh-hans', 'Simplified Chinese')], default='en', max_length=10, verbose_name='language')),
                        ('example_query', models.CharField(max_length=500, verbose_name='example query')),
                        ('zero_result_count', models.PositiveIntegerField(default=0, verbose_name='searches without results')),
                        ('escalated_count', models.PositiveIntegerField(default=0, verbose_name='sessions that ended in a ticket')),
                        ('first_seen_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='first seen')),
                        ('last_seen_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='last seen')),
                    ],
                    options={
                        'verbose_name': 'content gap',
                        'verbose_name_plural': 'content gaps',
                        'db_table': 'tickets_contentgap',
                        'ordering': ['-last_seen_at'],
                        'indexes': [models.Index(fields=['-zero_result_count', 'last_seen_at'], name='contentgap_zero_results'), models.Index(fields=['-escalated_count', 'last_seen_at'], name='contentgap_escalated')],
                        'constraints': [models.UniqueConstraint(fields=('normalised_query', 'language'), name='contentgap_unique_query')],
                    },
                ),
                migrations.CreateModel(
                    name='HelpSession',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('session_key', models.CharField(blank=True, max_length=40, verbose_name='browser session')),
                        ('language', models.CharField(choices=[('en', 'English'), ('zh-hans', 'Simplified Chinese')], default='en', max_length=10, verbose_name='language')),
                        ('started_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='started')),
                        ('last_activity_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='last activity')),
                        ('outcome', models.CharField(choices=[('open', 'No verdict yet'), ('deflected', 'Solved by self-service'), ('escalated', 'Escalated to a ticket'), ('withdrawn', 'Solved after submitting (request withdrawn)')], default='open', max_length=12, verbose_name='outcome')),
                        ('verdict_at', models.DateTimeField(blank=True, null=True, verbose_name='verdict')),
                        ('search_count', models.PositiveIntegerField(default=0, verbose_name='searches')),
                        ('open_count', models.PositiveIntegerField(default=0, verbose_name='results opened')),
                        ('ticket', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='help_sessions', to='tickets.ticket', verbose_name='ticket')),
                        ('user', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='help_sessions', to=settings.AUTH_USER_MODEL, verbose_name='customer')),
                    ],
                    options={
                        'verbose_name': 'help session',
                        'verbose_name_plural': 'help sessions',
                        'db_table': 'tickets_helpsession',
                        'ordering': ['-started_at', '-pk'],
                        'permissions': [('view_deflection_report', 'Can see the self-service deflection report')],
                    },
                ),
                migrations.CreateModel(
                    name='HelpSessionEvent',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('kind', models.CharField(choices=[('search', 'Searched'), ('open', 'Opened a result'), ('rating', 'Rated'), ('suggestion-shown', 'Was shown suggestions'), ('contact-form', 'Opened the contact form'), ('followed-notice', 'Followed a known issue instead of opening a ticket')], max_length=20, verbose_name='kind')),
                        ('query', models.CharField(blank=True, max_length=500, verbose_name='query')),
                        ('normalised_query', models.CharField(blank=True, max_length=200, verbose_name='normalised query')),
                        ('result_count', models.PositiveIntegerField(blank=True, null=True, verbose_name='results')),
                        ('results', models.JSONField(blank=True, default=list, help_text='The first ten: kind, id, title and address.', verbose_name='results shown')),
                        ('item_kind', models.CharField(blank=True, max_length=20, verbose_name='item kind')),
                        ('item_id', models.BigIntegerField(blank=True, null=True, verbose_name='item id')),
                        ('item_title', models.CharField(blank=True, max_length=300, verbose_name='item title')),
                        ('item_url', models.CharField(blank=True, max_length=300, verbose_name='item address')),
                        ('via', models.CharField(blank=True, choices=[('search', 'search results'), ('contact-form', 'suggestions beside the contact form'), ('after-submit', 'suggestions after sending the request'), ('community-ask', 'similar questions while asking the community')], max_length=16, verbose_name='shown in')),
                        ('helpful', models.BooleanField(blank=True, null=True, verbose_name='helpful')),
                        ('created_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='when')),
                        ('session', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='events', to='helpcenter.helpsession', verbose_name='help session')),
                    ],
                    options={
                        'verbose_name': 'help session event',
                        'verbose_name_plural': 'help session events',
                        'db_table': 'tickets_helpsessionevent',
                        'ordering': ['created_at', 'pk'],
                    },
                ),
                migrations.AddIndex(
                    model_name='helpsession',
                    index=models.Index(fields=['started_at', 'outcome', 'search_count', 'open_count', 'language'], name='helpsession_period_tallies'),
                ),
                migrations.AddIndex(
                    model_name='helpsessionevent',
                    index=models.Index(fields=['session', 'created_at'], name='helpevent_session_trail'),
                ),
                migrations.AddIndex(
                    model_name='helpsessionevent',
                    index=models.Index(fields=['kind', 'created_at', 'result_count'], name='helpevent_kind_recent_results'),
                ),
            ],
        ),
        migrations.RunPython(content_types_to_help_center, content_types_to_tickets),
    ]
