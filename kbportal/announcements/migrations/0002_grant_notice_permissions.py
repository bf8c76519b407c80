"""Support managers and the agents of every tier publish notices and post their updates (no deleting: the history
stays)."""

from django.db import migrations

from kbportal.accounts.roles import grant_role_permissions

NOTICES = ["announcements.view_servicenotice", "announcements.add_servicenotice", "announcements.change_servicenotice",
           "announcements.view_noticeupdate", "announcements.add_noticeupdate", "announcements.change_noticeupdate"]  # fmt: skip
ROLE_PERMISSIONS = {
    "Support manager": NOTICES,
    "Agent tier 1": NOTICES,
    "Agent tier 2": NOTICES,
    "Agent tier 3": NOTICES,
}


def grant(apps, schema_editor):
    grant_role_permissions(apps, ROLE_PERMISSIONS)


class Migration(migrations.Migration):
    dependencies = [("accounts", "0003_support_desk_permissions"), ("announcements", "0001_service_notices")]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
