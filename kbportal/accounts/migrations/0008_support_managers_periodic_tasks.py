"""Support managers see the periodic jobs (SLA check, weekly digest) in the admin, turn one off or on, and run it
now; the schedules they follow are read-only to them (the settings reinstall them at every beat start)."""

from django.db import migrations

from kbportal.accounts.roles import grant_role_permissions

ROLE_PERMISSIONS = {
    "Support manager": [
        "django_celery_beat.view_periodictask",
        "django_celery_beat.change_periodictask",
        "django_celery_beat.view_intervalschedule",
        "django_celery_beat.view_crontabschedule",
        "django_celery_beat.view_solarschedule",
        "django_celery_beat.view_clockedschedule",
    ],
}


def grant(apps, schema_editor):
    grant_role_permissions(apps, ROLE_PERMISSIONS)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0007_move_drf_tokens_to_api_tokens"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
