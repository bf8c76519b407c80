"""Support managers reset a user's two-factor authentication (a lost phone) by deleting the user's devices."""

from django.db import migrations

from kbportal.accounts.roles import grant_role_permissions

ROLE_PERMISSIONS = {
    "Support manager": [
        "otp_totp.view_totpdevice",
        "otp_totp.delete_totpdevice",
        "otp_static.view_staticdevice",
        "otp_static.delete_staticdevice",
    ],
}


def grant(apps, schema_editor):
    grant_role_permissions(apps, ROLE_PERMISSIONS)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0003_support_desk_permissions"),
        ("otp_totp", "0003_add_timestamps"),
        ("otp_static", "0003_add_timestamps"),
    ]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
