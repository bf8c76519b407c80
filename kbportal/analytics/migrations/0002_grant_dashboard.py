"""Support managers read the service analytics dashboard and its exports."""

from django.db import migrations

from kbportal.accounts.roles import grant_role_permissions

ROLE_PERMISSIONS = {"Support manager": ["analytics.view_service_analytics"]}


def grant(apps, schema_editor):
    grant_role_permissions(apps, ROLE_PERMISSIONS)


class Migration(migrations.Migration):
    dependencies = [("accounts", "0003_support_desk_permissions"), ("analytics", "0001_dashboard_permission")]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
