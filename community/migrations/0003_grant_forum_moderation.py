"""Give the staff roles their part of the forum in the admin.

Moderators and support managers moderate (posts, flags, members, categories; the log is read-only);
content editors read questions and answers, which they promote to articles; agents read them too.
The lists are frozen here on purpose: a later change to a role is a new migration.
"""

from django.db import migrations

from kbportal.accounts.roles import grant_role_permissions

POSTS_READ = ["community.view_question", "community.view_answer"]
MODERATION = [
    *[f"community.{action}_{model}" for model in ("question", "answer", "comment", "flag", "memberprofile")
      for action in ("view", "change")],
    "community.view_moderationaction",
    "community.add_forumcategory",
    "community.change_forumcategory",
    "community.view_forumcategory",
]  # fmt: skip

ROLE_PERMISSIONS = {
    "Agent tier 1": POSTS_READ,
    "Agent tier 2": POSTS_READ,
    "Agent tier 3": POSTS_READ,
    "Content editor": POSTS_READ,
    "Moderator": MODERATION,
    "Support manager": [*MODERATION, "community.delete_forumcategory"],
}


def grant(apps, schema_editor):
    grant_role_permissions(apps, ROLE_PERMISSIONS)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0003_support_desk_permissions"),
        ("community", "0002_notification_answer"),
    ]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
