from django.db import models
from django.utils.translation import gettext_lazy as _


class Language(models.TextChoices):
    """Content languages; the codes match settings.LANGUAGES."""

    EN = "en", _("English")
    ZH_HANS = "zh-hans", _("Simplified Chinese")


def content_language(language_code: str | None) -> str:
    """Map an interface language code ("zh-hans", "zh-cn", "en-us") to a content language."""
    code = (language_code or "").lower()
    if code.startswith("zh"):
        return Language.ZH_HANS
    return Language.EN
