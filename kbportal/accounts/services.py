from datetime import timedelta

from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from knox.settings import knox_settings

from .models import ApiToken, User
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


# How stale a token's "last used" may get: the write it costs happens at most this often per token.
API_TOKEN_LAST_USED_INTERVAL = timedelta(hours=1)


@transaction.atomic
def api_token_create(*, user: User, name: str = "") -> tuple[ApiToken, str]:
    """Make an API token for the user. Returns the row and the secret: only a hash of the secret is
    stored, so the caller shows it once and it can never be shown again."""
    # Locking the owner makes the limit exact when two tokens are requested at once.
    User.objects.select_for_update().filter(pk=user.pk).first()
    tokens = ApiToken.objects.owned_by(user)
    tokens.expired().delete()
    limit = knox_settings.TOKEN_LIMIT_PER_USER
    if limit is not None and tokens.active().count() >= limit:
        raise ValidationError(
            _("You have %(limit)s API tokens already. Revoke one you no longer use, then make a new one."),
            code="token_limit",
            params={"limit": limit},
        )
    return ApiToken.objects.create(user=user, expiry=knox_settings.TOKEN_TTL, name=name.strip())


@transaction.atomic
def api_token_revoke(*, token: ApiToken) -> None:
    token.delete()


@transaction.atomic
def api_token_revoke_all(*, user: User) -> int:
    """Revoke every token of the user; returns how many there were."""
    count, _deleted = ApiToken.objects.owned_by(user).delete()
    return count


def api_token_mark_used(*, token: ApiToken) -> None:
    """Note that the token signed a request, writing at most once per API_TOKEN_LAST_USED_INTERVAL
    so that reads do not each cost a write."""
    now = timezone.now()
    cutoff = now - API_TOKEN_LAST_USED_INTERVAL
    if token.last_used is not None and token.last_used > cutoff:
        return
    # The filter repeats the check in the database: of two requests racing here, one writes.
    ApiToken.objects.filter(Q(last_used__isnull=True) | Q(last_used__lte=cutoff), pk=token.pk).update(last_used=now)
    token.last_used = now
