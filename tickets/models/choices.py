"""The support desk's words: plans, priorities, statuses, tiers and channels, shared by its models."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Plan(models.TextChoices):
    BASIC = "basic", _("Basic")
    PROFESSIONAL = "professional", _("Professional")
    ENTERPRISE = "enterprise", _("Enterprise")


class Priority(models.IntegerChoices):
    P1 = 1, _("P1 · System down")
    P2 = 2, _("P2 · Major function impaired")
    P3 = 3, _("P3 · Minor problem")
    P4 = 4, _("P4 · Question or suggestion")

    @classmethod
    def help_texts(cls) -> dict[int, str]:
        return {
            cls.P1: _("HelloWorld is down or your core business is blocked."),
            cls.P2: _("A major function does not work, but you can still work."),
            cls.P3: _("A minor problem, and you have a workaround."),
            cls.P4: _("A question, a how-to or a suggestion."),
        }


class Status(models.TextChoices):
    NEW = "new", _("New")
    OPEN = "open", _("Open")
    WAITING = "waiting", _("Waiting on customer")
    RESOLVED = "resolved", _("Resolved")
    CLOSED = "closed", _("Closed")

    @classmethod
    def active(cls) -> list[str]:
        """Statuses whose tickets still need work (the queue's default)."""
        return [cls.NEW, cls.OPEN, cls.WAITING]


class Tier(models.IntegerChoices):
    TIER_1 = 1, _("Tier 1")
    TIER_2 = 2, _("Tier 2")
    TIER_3 = 3, _("Tier 3")


class Channel(models.TextChoices):
    WEB = "web", _("Web form")
    SELF_SERVICE = "self-service", _("Self-service escalation")
    COMMUNITY = "community", _("Community")
    API = "api", _("API")
    EMAIL = "email", _("E-mail")
