"""Support managers and content editors read the self-service deflection report (editors act on its gaps)."""

from django.db import migrations

from kbportal.accounts.roles import grant_role_permissions

ROLE_PERMISSIONS = {
    "Support manager": ["tickets.view_deflection_report"],
    "Content editor": ["tickets.view_deflection_report"],
}


def grant(apps, schema_editor):
    grant_role_permissions(apps, ROLE_PERMISSIONS)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0003_support_desk_permissions"),
        ("tickets", "0004_help_sessions_and_content_gaps"),
    ]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
