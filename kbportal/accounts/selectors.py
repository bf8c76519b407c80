from django.contrib.auth.models import AnonymousUser

from .models import User
from .roles import AGENT_ROLES, Role

_ROLE_NAMES_ATTRIBUTE = "_role_names"


def user_role_names(user: User | AnonymousUser) -> set[str]:
    """The roles a user holds. Cached on the user object for the request's lifetime."""
    if not user.is_authenticated:
        return set()
    cached: set[str] | None = getattr(user, _ROLE_NAMES_ATTRIBUTE, None)
    if cached is None:
        cached = set(user.groups.values_list("name", flat=True))
        setattr(user, _ROLE_NAMES_ATTRIBUTE, cached)
    return cached


def user_has_role(user: User | AnonymousUser, *roles: Role) -> bool:
    if user.is_authenticated and user.is_superuser:
        return True
    return bool(user_role_names(user) & {str(role) for role in roles})


def user_agent_tiers(user: User | AnonymousUser) -> list[int]:
    """The support tiers whose queues a user works (support managers work all of them)."""
    if user_has_role(user, Role.SUPPORT_MANAGER):
        return sorted(AGENT_ROLES)
    names = user_role_names(user)
    return [tier for tier, role in AGENT_ROLES.items() if str(role) in names]


def user_can_preview_content(user: User | AnonymousUser) -> bool:
    """Staff who may read drafts, scheduled and archived items on the public pages."""
    return user.is_authenticated and user.is_staff and user.has_perm("articles.view_article")
