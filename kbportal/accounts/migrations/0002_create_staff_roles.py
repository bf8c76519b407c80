"""Create the six staff roles as groups with the permissions each needs.

The lists are frozen here on purpose: a later change to a role is a new migration.
"""

from django.db import migrations

from kbportal.accounts.roles import grant_role_permissions


def _crud(app_label: str, *models: str, actions=("add", "change", "delete", "view")) -> list[str]:
    return [f"{app_label}.{action}_{model}" for model in models for action in actions]


CONTENT = ("article", "video", "videochapter", "category", "tag", "productversion")
READ_CONTENT = _crud("articles", *CONTENT, actions=("view",))
CUSTOMERS = _crud("accounts", "user", actions=("view",)) + _crud(
    "tickets", "organisation", "organisationmembership", actions=("view",)
)
# Agents turn solved problems into draft articles; publishing stays with editors.
AGENT = READ_CONTENT + CUSTOMERS + [
    "articles.add_article",
    "articles.change_article",
    "articles.view_articlerevision",
]
EDITOR = _crud("articles", *CONTENT) + [
    "articles.publish_article",
    "articles.publish_video",
    "articles.view_articlerevision",
    "articles.view_feedback",
]
MANAGER = (
    EDITOR
    + _crud("accounts", "user", actions=("add", "change", "view"))
    + _crud("tickets", "organisation", "organisationmembership")
)

ROLE_PERMISSIONS = {
    "Agent tier 1": AGENT,
    "Agent tier 2": AGENT,
    "Agent tier 3": AGENT,
    "Content editor": EDITOR,
    "Moderator": READ_CONTENT,
    "Support manager": MANAGER,
}


def create_roles(apps, schema_editor):
    grant_role_permissions(apps, ROLE_PERMISSIONS)


def delete_roles(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=ROLE_PERMISSIONS).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
        ("articles", "0001_initial"),
        ("tickets", "0001_initial"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_roles, delete_roles)]
