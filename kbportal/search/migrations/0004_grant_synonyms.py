"""Content editors and support managers keep the synonym groups in the admin."""

from django.db import migrations

from kbportal.accounts.roles import grant_role_permissions

SYNONYMS = ["search.view_synonymgroup", "search.add_synonymgroup", "search.change_synonymgroup",
            "search.delete_synonymgroup"]  # fmt: skip
ROLE_PERMISSIONS = {"Content editor": SYNONYMS, "Support manager": SYNONYMS}


def grant(apps, schema_editor):
    grant_role_permissions(apps, ROLE_PERMISSIONS)


class Migration(migrations.Migration):
    dependencies = [("accounts", "0003_support_desk_permissions"), ("search", "0003_postings")]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
