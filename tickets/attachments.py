"""Ticket attachments: an allowlist of types recognised by content, and a size limit.

The type a download is served with is the one found here, never the one the
browser sent, and downloads always carry Content-Disposition: attachment.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.template.defaultfilters import filesizeformat
from django.utils.text import get_valid_filename
from django.utils.translation import gettext as _

_SIGNATURES = [
    (b"\x89PNG\r\n\x1a\n", "image/png", ".png"),
    (b"\xff\xd8\xff", "image/jpeg", ".jpg"),
    (b"GIF87a", "image/gif", ".gif"),
    (b"GIF89a", "image/gif", ".gif"),
    (b"%PDF-", "application/pdf", ".pdf"),
    (b"PK\x03\x04", "application/zip", ".zip"),
]
_TEXT_SUFFIXES = {".txt", ".log", ".csv", ".json", ".yaml", ".yml", ".toml", ".ini", ".conf"}
_SNIFF_BYTES = 8192


@dataclass(frozen=True)
class CheckedFile:
    content_type: str
    name: str


def _looks_like_text(head: bytes) -> bool:
    if b"\x00" in head:
        return False
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as error:
        # A multi-byte character cut at the end of the sample is still text.
        return error.start >= len(head) - 3
    return True


def _safe_name(name: str, suffix: str) -> str:
    base = get_valid_filename(name.rsplit("/", 1)[-1].rsplit("\\", 1)[-1]) or "attachment"
    return base if base.lower().endswith(suffix) else f"{base}{suffix}"


def check_attachment(upload) -> CheckedFile:
    """Accept images, PDF, ZIP and plain-text logs up to the size limit; refuse everything else."""
    limit = settings.KBPORTAL_MAX_ATTACHMENT_BYTES
    if upload.size > limit:
        raise ValidationError(
            _("“%(name)s” is %(size)s; attach files up to %(limit)s."),
            params={"name": upload.name, "size": filesizeformat(upload.size), "limit": filesizeformat(limit)},
            code="too_large",
        )
    upload.seek(0)
    head = upload.read(_SNIFF_BYTES)
    upload.seek(0)
    for signature, content_type, suffix in _SIGNATURES:
        if head.startswith(signature):
            return CheckedFile(content_type=content_type, name=_safe_name(upload.name, suffix))
    suffix = "." + upload.name.rsplit(".", 1)[-1].lower() if "." in upload.name else ""
    if suffix in _TEXT_SUFFIXES and _looks_like_text(head) and not _looks_like_markup(head):
        return CheckedFile(content_type="text/plain; charset=utf-8", name=_safe_name(upload.name, suffix))
    raise ValidationError(
        _("“%(name)s” is not a type we accept. Attach images (PNG, JPEG, GIF), PDF, ZIP or text logs."),
        params={"name": upload.name},
        code="invalid_type",
    )


def _looks_like_markup(head: bytes) -> bool:
    """HTML or SVG in a .txt is refused: browsers that ignore the type would run it."""
    start = head.lstrip()[:200].lower()
    return start.startswith((b"<!doctype html", b"<html", b"<svg", b"<script", b"<?xml"))


def download_response(attachment) -> FileResponse:
    """Always a download, with the type found when it was uploaded: nothing renders inline."""
    try:
        handle = attachment.file.open("rb")
    except (FileNotFoundError, OSError) as error:
        raise Http404 from error
    response = FileResponse(
        handle, as_attachment=True, filename=attachment.original_name, content_type=attachment.content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    return response
