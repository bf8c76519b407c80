from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class SecurityConfig(AppConfig):
    name = "kbportal.security"
    label = "security"
    verbose_name = _("Security")

    def ready(self) -> None:
        from . import checks  # noqa: F401 - registers the system checks

        post_migrate.connect(create_counter_table, sender=self)


def create_counter_table(using: str = "default", **kwargs) -> None:
    """The rate-limit counters' table, when they live in the database: made by every `migrate`,
    so a fresh checkout, the test database and each release get it without a separate step."""
    from django.core.management import call_command

    call_command("createcachetable", database=using, verbosity=0)
