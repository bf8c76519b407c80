from django.db import migrations

from kbportal.accounts.roles import grant_role_permissions

# Support managers see the sign-in lockouts and lift one by deleting its access attempt.
ROLE_PERMISSIONS = {
    "Support manager": ["axes.view_accessattempt", "axes.delete_accessattempt"],
}


def grant(apps, schema_editor):
    grant_role_permissions(apps, ROLE_PERMISSIONS)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0003_support_desk_permissions"),
        ("axes", "0010_accessattemptexpiration"),
    ]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
