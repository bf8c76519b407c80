"""Ticket attachments: an allowlist of types recognised by content, and a size limit.

The type a download is served with is the one found here, never the one the
browser sent, and downloads always carry Content-Disposition: attachment.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
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
# Longest first: the UTF-32 LE mark begins with the UTF-16 LE one.
_BYTE_ORDER_MARKS = [
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
]
# What a browser's content sniffing takes for HTML (the tags of WHATWG MIME Sniffing's "unknown type"
# rules), XML or SVG, after any byte order marks and white space, in any case.
_MARKUP_START = re.compile(
    r"[\s\ufeff\u200b]*<(?:\?xml|!--|!doctype\s+html|(?:html|head|body|script|iframe|style|title|svg|div|table"
    r"|font|h1|br|a|b|p)(?![\w-]))",
    re.IGNORECASE,
)


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


def check_attachment(upload: UploadedFile[bytes]) -> CheckedFile:
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
    """HTML or SVG in a .txt is refused: browsers that ignore the type would run it.

    The sample is read as text in the encoding its byte order mark names (UTF-8 otherwise), so neither a
    mark nor UTF-16 or UTF-32 encoding hides a leading tag.
    """
    encoding = next((name for mark, name in _BYTE_ORDER_MARKS if head.startswith(mark)), "utf-8")
    return _MARKUP_START.match(head[:1024].decode(encoding, errors="replace")) is not None


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
