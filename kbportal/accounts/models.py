from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from knox.models import AbstractAuthToken, AuthTokenManager
from knox.settings import CONSTANTS


class PortalUserManager(UserManager["User"]):
    def get_by_email(self, email: str) -> "User":
        return self.get(email__iexact=email.strip())


class User(AbstractUser):
    """A customer or a staff member. Staff roles are groups (see roles.py)."""

    email = models.EmailField(_("e-mail address"), blank=True)
    display_name = models.CharField(
        _("display name"),
        max_length=80,
        blank=True,
        help_text=_("The name customers and forum members see. Defaults to the first name."),
    )

    email_verified_at = models.DateTimeField(
        _("e-mail address confirmed"),
        null=True,
        blank=True,
        help_text=_("When the owner opened the confirmation link. A new account can sign in only after that."),
    )

    objects = PortalUserManager()

    class Meta(AbstractUser.Meta):
        swappable = "AUTH_USER_MODEL"
        constraints = [
            # Sign-in and password reset look accounts up by e-mail, so one address means one account.
            models.UniqueConstraint(
                Lower("email"),
                condition=~models.Q(email=""),
                name="accounts_user_email_ci_unique",
            ),
        ]

    @property
    def awaits_confirmation(self) -> bool:
        """Signed up but has not opened the confirmation link yet: the address does not belong to it yet."""
        return not self.is_active and self.email_verified_at is None

    @property
    def public_name(self) -> str:
        return self.display_name or self.first_name or self.username


class ApiTokenQuerySet(models.QuerySet):
    def owned_by(self, user: User) -> "ApiTokenQuerySet":
        return self.filter(user=user)

    def active(self) -> "ApiTokenQuerySet":
        return self.filter(models.Q(expiry__isnull=True) | models.Q(expiry__gt=timezone.now()))

    def expired(self) -> "ApiTokenQuerySet":
        return self.filter(expiry__lte=timezone.now())


class ApiToken(AbstractAuthToken):
    """A token for the REST API. Knox stores only a hash of the secret and the secret's first
    characters to find the row; the secret itself is shown once, when the token is made."""

    # An integer key names a token in forms and URLs; the digest stays unique but is never shown.
    id = models.BigAutoField(primary_key=True)
    digest = models.CharField(max_length=CONSTANTS.DIGEST_LENGTH, unique=True, editable=False)
    # Knox's fields again, with names the admin can show in both languages.
    created = models.DateTimeField(_("created"), auto_now_add=True)
    expiry = models.DateTimeField(_("expires"), null=True, blank=True)
    name = models.CharField(
        _("name"),
        max_length=100,
        blank=True,
        help_text=_("What the owner uses this token for, such as a script or a device."),
    )
    last_used = models.DateTimeField(
        _("last used"),
        null=True,
        blank=True,
        editable=False,
        help_text=_("Recorded at most once an hour, so it may be up to an hour behind."),
    )

    objects = AuthTokenManager.from_queryset(ApiTokenQuerySet)()

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created"]
        indexes = [
            # The account page lists one user's tokens, newest first.
            models.Index(fields=["user", "-created"], name="accounts_apitoken_user_created"),
        ]

    def __str__(self) -> str:
        return self.name or gettext("Unnamed token")
