from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _


class PortalUserManager(UserManager):
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
