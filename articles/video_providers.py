"""The video hosts whose players may be embedded, and how their ids look.

Embeds are built from an allowlisted provider and a validated id, never from
stored HTML or a stored URL, so a video record cannot smuggle a frame to
another site or a script into the page.
"""

import re

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

_ID_PATTERNS = {
    "youtube": re.compile(r"^[A-Za-z0-9_-]{11}$"),
    "vimeo": re.compile(r"^[0-9]{6,12}$"),
    "bilibili": re.compile(r"^BV[A-Za-z0-9]{10}$"),
}
_EMBED_URLS = {
    "youtube": "https://www.youtube-nocookie.com/embed/{id}?start={start}",
    "vimeo": "https://player.vimeo.com/video/{id}#t={start}s",
    "bilibili": "https://player.bilibili.com/player.html?bvid={id}&autoplay=0&t={start}",
}
# Frame sources the pages' Content-Security-Policy allows, one per provider.
FRAME_ORIGINS = ("https://www.youtube-nocookie.com", "https://player.vimeo.com", "https://player.bilibili.com")


class VideoProvider(models.TextChoices):
    YOUTUBE = "youtube", "YouTube"
    VIMEO = "vimeo", "Vimeo"
    BILIBILI = "bilibili", "Bilibili"

    @staticmethod
    def validate_id(provider: str, video_id: str) -> None:
        pattern = _ID_PATTERNS.get(provider)
        if pattern is None:
            raise ValidationError(_("Choose one of the supported video providers."), code="provider")
        if not pattern.match(video_id or ""):
            raise ValidationError(
                _("“%(id)s” is not a valid %(provider)s video id. Paste only the id, not the whole link."),
                code="video_id",
                params={"id": video_id, "provider": VideoProvider(provider).label},
            )

    @staticmethod
    def embed_url(provider: str, video_id: str, start: int = 0) -> str:
        """The player URL starting at `start` seconds, or "" when the provider or id fails validation."""
        try:
            VideoProvider.validate_id(provider, video_id)
        except ValidationError:
            return ""
        return _EMBED_URLS[provider].format(id=video_id, start=max(int(start), 0))
