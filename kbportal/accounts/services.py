from django.contrib.auth.models import Group
from django.db import IntegrityError, transaction
from django.utils.text import slugify

from .models import User
from .roles import Role


def _free_username(email: str) -> str:
    base = slugify(email.split("@")[0])[:100] or "user"
    candidate, suffix = base, 2
    while User.objects.filter(username=candidate).exists():
        candidate, suffix = f"{base}{suffix}", suffix + 1
    return candidate


@transaction.atomic
def customer_sign_up(*, email: str, display_name: str, password: str) -> User:
    """Create a customer account; the e-mail address is unique regardless of case."""
    user = User(username=_free_username(email), email=email.strip(), display_name=display_name.strip())
    user.set_password(password)
    try:
        with transaction.atomic():
            user.save()
    except IntegrityError as error:
        # A double submit or a race on the same address: the constraint decides.
        raise ValueError("email_taken") from error
    return user


@transaction.atomic
def staff_member_create(*, username: str, email: str, password: str, roles: list[Role], display_name: str = "") -> User:
    """Create a staff member holding the given roles (admin access comes with any role)."""
    user = User(username=username, email=email, display_name=display_name, is_staff=True)
    user.set_password(password)
    user.save()
    user.groups.set(Group.objects.filter(name__in=[str(role) for role in roles]))
    return user
