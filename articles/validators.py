"""Checks on uploaded files: by their content, not only their names."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

# The first bytes of the video containers browsers play natively.
_MP4_BRAND_OFFSET = 4
_WEBM_MAGIC = b"\x1a\x45\xdf\xa3"


def _sniff_video(head: bytes) -> str | None:
    if head[_MP4_BRAND_OFFSET : _MP4_BRAND_OFFSET + 4] == b"ftyp":
        return "video/mp4"
    if head.startswith(_WEBM_MAGIC):
        return "video/webm"
    return None


def _check_size(upload, limit: int, message: str) -> None:
    if upload.size > limit:
        raise ValidationError(
            message, params={"size": filesizeformat(upload.size), "limit": filesizeformat(limit)}, code="too_large"
        )


def validate_video_file(upload) -> None:
    """Accept MP4 and WebM files up to the configured size, recognised by their content."""
    _check_size(upload, settings.KBPORTAL_MAX_VIDEO_UPLOAD_BYTES, _("The video is %(size)s; upload at most %(limit)s."))
    position = upload.tell() if hasattr(upload, "tell") else 0
    upload.seek(0)
    head = upload.read(16)
    upload.seek(position)
    if _sniff_video(head) is None:
        raise ValidationError(_("Upload an MP4 or WebM video; this file is neither."), code="invalid_type")


def validate_image_size(upload) -> None:
    _check_size(upload, settings.KBPORTAL_MAX_IMAGE_UPLOAD_BYTES, _("The image is %(size)s; upload at most %(limit)s."))
