from datetime import timedelta
from enum import Enum

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.text import slugify
from django.utils.translation import gettext as _
from knox.settings import knox_settings

from .mail import absolute, account_mail_send
from .models import ApiToken, User
from .roles import Role


class SignUpTokenGenerator(PasswordResetTokenGenerator):
    """One-use confirmation links: the hash covers the password and the active flag, so the link stops
    working once the account is confirmed, or when a new sign-up for the address sets another password."""

    key_salt = "kbportal.accounts.sign-up-confirmation"

    def _make_hash_value(self, user: User, timestamp: int) -> str:
        return f"{user.pk}{user.password}{user.is_active}{timestamp}"


sign_up_tokens = SignUpTokenGenerator()


class SignUp(Enum):
    NEW = "new"  # a new account waits for its confirmation link
    RENEWED = "renewed"  # an unconfirmed sign-up for this address was made again: new password, new link
    EXISTING = "existing"  # the address has an account: its owner is told, nothing changes


def _free_username(email: str) -> str:
    base = slugify(email.split("@")[0])[:100] or "user"
    candidate, suffix = base, 2
    while User.objects.filter(username=candidate).exists():
        candidate, suffix = f"{base}{suffix}", suffix + 1
    return candidate


def customer_sign_up(*, email: str, display_name: str, password: str) -> SignUp:
    """Start a customer account for ``email``; what happened is told only by e-mail, to the address itself.

    A new account stays inactive until its owner opens the confirmation link, so an address can't be
    taken by someone who does not read its mail: a second sign-up for an unconfirmed address replaces
    the first. Every path hashes one password and queues one mail, so none is told apart by its timing.
    """
    email = email.strip()
    # Hashing takes most of a sign-up's time: done before the transaction, the write lock is held for
    # milliseconds, not for the hash (which made concurrent sign-ups on SQLite time out).
    password_hash = make_password(password)
    try:
        with transaction.atomic():
            outcome, user = _store_sign_up(email=email, display_name=display_name.strip(), password_hash=password_hash)
    except IntegrityError:
        # A double submit or a race on the same address: the first one's mail is on its way.
        return SignUp.RENEWED
    if outcome is SignUp.EXISTING:
        account_mail_send(to=user.email, template="sign_up_existing", context={"user": user})
    else:
        account_mail_send(to=user.email, template="sign_up_confirm", context=_confirmation_context(user))
    return outcome


def _store_sign_up(*, email: str, display_name: str, password_hash: str) -> tuple[SignUp, User]:
    existing = User.objects.select_for_update().filter(email__iexact=email).first()
    if existing is None:
        user = User(
            username=_free_username(email), email=email, display_name=display_name,
            password=password_hash, is_active=False,
        )  # fmt: skip
        user.save()
        return SignUp.NEW, user
    if existing.awaits_confirmation:
        existing.password, existing.display_name = password_hash, display_name
        existing.save(update_fields=["password", "display_name"])
        return SignUp.RENEWED, existing
    return SignUp.EXISTING, existing


def _confirmation_context(user: User) -> dict[str, object]:
    path = reverse(
        "accounts:sign_up_confirm",
        kwargs={"uidb64": urlsafe_base64_encode(force_bytes(user.pk)), "token": sign_up_tokens.make_token(user)},
    )
    return {"user": user, "confirm_url": absolute(path), "link_days": settings.PASSWORD_RESET_TIMEOUT // 86400}


def customer_confirm_email(*, user: User) -> User:
    """The owner opened the confirmation link: the account can sign in from now on."""
    user.is_active, user.email_verified_at = True, timezone.now()
    user.save(update_fields=["is_active", "email_verified_at"])
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
    token: tuple[ApiToken, str] = ApiToken.objects.create(user=user, expiry=knox_settings.TOKEN_TTL, name=name.strip())
    return token


@transaction.atomic
def api_token_revoke(*, token: ApiToken) -> None:
    token.delete()


@transaction.atomic
def api_token_revoke_all(*, user: User) -> int:
    """Revoke every token of the user; returns how many there were."""
    count: int
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
