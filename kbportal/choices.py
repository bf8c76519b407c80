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


class BilingualNames:
    """For models with `name`/`name_zh_hans` and `description`/`description_zh_hans`: the text in a language.

    The Chinese text when asked for Chinese and it is filled in, the English otherwise.
    """

    def name_in(self, language: str) -> str:
        return self.name_zh_hans if language == Language.ZH_HANS and self.name_zh_hans else self.name

    def description_in(self, language: str) -> str:
        if language == Language.ZH_HANS and self.description_zh_hans:
            return self.description_zh_hans
        return self.description
