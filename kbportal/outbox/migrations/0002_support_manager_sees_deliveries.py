from django.db import migrations

from kbportal.accounts.roles import grant_role_permissions

# Support managers watch what waits to leave and retry what failed.
ROLE_PERMISSIONS = {
    "Support manager": ["outbox.view_delivery", "outbox.retry_delivery"],
}


def grant(apps, schema_editor):
    grant_role_permissions(apps, ROLE_PERMISSIONS)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0003_support_desk_permissions"),
        ("outbox", "0001_initial"),
    ]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
