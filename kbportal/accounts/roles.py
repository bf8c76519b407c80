"""Staff roles. Each role is a Django group; its permissions are set by data migrations.

The migrations carry their own frozen copy of the permission lists, so changing a
role means a new migration that calls `grant_role_permissions`, never editing an old one.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    AGENT_TIER_1 = "Agent tier 1", _("Agent tier 1")
    AGENT_TIER_2 = "Agent tier 2", _("Agent tier 2")
    AGENT_TIER_3 = "Agent tier 3", _("Agent tier 3")
    CONTENT_EDITOR = "Content editor", _("Content editor")
    MODERATOR = "Moderator", _("Moderator")
    SUPPORT_MANAGER = "Support manager", _("Support manager")


AGENT_ROLES = {1: Role.AGENT_TIER_1, 2: Role.AGENT_TIER_2, 3: Role.AGENT_TIER_3}


def grant_role_permissions(apps, role_permissions: dict[str, list[str]]) -> None:
    """Create the role groups and add the given "app_label.codename" permissions to them.

    For use in data migrations: permissions are created first, because Django only
    creates them after all migrations have run on a fresh database.
    """
    from django.contrib.auth.management import create_permissions

    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None

    group_model = apps.get_model("auth", "Group")
    permission_model = apps.get_model("auth", "Permission")
    for role, permission_names in role_permissions.items():
        group, _created = group_model.objects.get_or_create(name=role)
        for name in permission_names:
            app_label, codename = name.split(".")
            permission = permission_model.objects.get(content_type__app_label=app_label, codename=codename)
            group.permissions.add(permission)
