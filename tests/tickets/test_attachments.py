"""Attachments: an allowlist checked on content, a size limit, served only as downloads."""

import codecs
import stat
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from rest_framework.test import APIClient

from tests.tickets.factories import TicketFactory
from tickets import services
from tickets.attachments import check_attachment

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
PDF = b"%PDF-1.7\n" + b"0" * 64


@pytest.mark.parametrize(
    ("name", "content", "expected_type"),
    [
        ("screen.png", PNG, "image/png"),
        ("photo.jpg", b"\xff\xd8\xff\xe0" + b"\x00" * 32, "image/jpeg"),
        ("manual.pdf", PDF, "application/pdf"),
        ("logs.zip", b"PK\x03\x04" + b"\x00" * 32, "application/zip"),
        ("hw.log", "2026-11-24 ERROR HW-1042 代理认证失败\n".encode(), "text/plain; charset=utf-8"),
        ("renamed.txt", PNG, "image/png"),  # the content decides, not the name
        ("bom.log", codecs.BOM_UTF8 + b"2026-11-24 ERROR HW-1042\n", "text/plain; charset=utf-8"),
        ("angled.log", b"<2026-11-24> <build> <body-parser> ERROR\n", "text/plain; charset=utf-8"),
    ],
    ids=["png", "jpeg", "pdf", "zip", "utf8-log", "png-named-txt", "utf8-bom-log", "angle-brackets-log"],
)
def test_allowed_types_are_recognised_by_content(name, content, expected_type):
    assert check_attachment(SimpleUploadedFile(name, content)).content_type == expected_type


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("page.html", b"<html><script>alert(1)</script></html>"),
        ("notes.txt", b"<!DOCTYPE html><script>alert(1)</script>"),
        ("image.png", b"<svg xmlns='http://www.w3.org/2000/svg' onload='alert(1)'/>"),
        ("setup.exe", b"MZ\x90\x00" + b"\x00" * 64),
        ("binary.log", b"\x00\x01\x02\x03 binary"),
        ("photo.jpg", b"just text pretending"),
        ("bom.txt", codecs.BOM_UTF8 + b"<html><script>alert(1)</script>"),
        ("boms.txt", (codecs.BOM_UTF8 * 2) + b" \r\n\t<script>alert(1)</script>"),
        ("utf16le.txt", codecs.BOM_UTF16_LE + "<html><script>alert(1)</script>".encode("utf-16-le")),
        ("utf16be.txt", codecs.BOM_UTF16_BE + "<html><script>alert(1)</script>".encode("utf-16-be")),
        ("utf32.txt", codecs.BOM_UTF32_LE + "<svg onload=alert(1)>".encode("utf-32-le")),
        ("upper.txt", b"\n\n<BODY ONLOAD=alert(1)>"),
        ("iframe.log", b"<iframe src=//evil.example>"),
        ("comment.csv", b"<!-- x --><img src=x onerror=alert(1)>"),
    ],
    ids=[
        "html",
        "html-in-txt",
        "svg-named-png",
        "exe",
        "binary-log",
        "text-named-jpg",
        "utf8-bom-html",
        "boms-and-space-script",
        "utf16le-html",
        "utf16be-html",
        "utf32-svg",
        "uppercase-body",
        "iframe",
        "html-comment",
    ],
)
def test_everything_else_is_refused(name, content):
    with pytest.raises(ValidationError, match="not a type we accept"):
        check_attachment(SimpleUploadedFile(name, content))


def test_oversized_files_are_refused(settings):
    settings.KBPORTAL_MAX_ATTACHMENT_BYTES = 50

    with pytest.raises(ValidationError, match="attach files up to"):
        check_attachment(SimpleUploadedFile("big.png", PNG))


@pytest.mark.django_db
def test_a_download_is_an_attachment_with_the_server_chosen_type(customer_client, customer):
    ticket = TicketFactory(requester=customer, attachments=[SimpleUploadedFile("shot.png", PNG, "text/html")])
    attachment = ticket.attachments.get()

    response = customer_client.get(reverse("tickets:attachment", args=[ticket.reference, attachment.pk]))

    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content) == PNG


@pytest.mark.django_db
def test_a_refused_file_creates_no_ticket_and_keeps_the_form(customer_client):
    form = customer_client.get(reverse("tickets:new")).context["form"]
    response = customer_client.post(
        reverse("tickets:new"),
        {
            "subject": "Crash",
            "description": "Keep me",
            "proposed_priority": 3,
            "idempotency_key": form.initial["idempotency_key"],
            "attachments": [SimpleUploadedFile("evil.html", b"<html><script>x</script>")],
        },
    )

    page = response.content.decode()
    assert "not a type we accept" in page
    assert "Keep me" in page
    from tickets.models import Ticket

    assert not Ticket.objects.exists()


@pytest.mark.django_db
def test_the_api_refuses_markup_behind_a_byte_order_mark(customer):
    ticket = TicketFactory(requester=customer)
    client = APIClient()
    client.force_login(customer)
    upload = SimpleUploadedFile("notes.txt", codecs.BOM_UTF8 + b"<html><script>alert(1)</script>")

    response = client.post(f"/api/v1/tickets/{ticket.reference}/attachments/", {"file": upload}, format="multipart")

    assert response.status_code == 400
    assert list(response.json()) == ["non_field_errors"]
    assert "not a type we accept" in response.json()["non_field_errors"][0]
    assert not ticket.attachments.exists()


@pytest.mark.django_db
def test_uploaded_files_are_not_world_readable(settings, tmp_path, customer):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": tmp_path}},
    }

    ticket = TicketFactory(requester=customer, attachments=[SimpleUploadedFile("hw.log", b"ERROR HW-2001\n")])

    stored = Path(ticket.attachments.get().file.path)
    assert stored.is_relative_to(tmp_path)
    assert stat.S_IMODE(stored.stat().st_mode) == 0o640
    folders = [folder for folder in stored.parents if folder.is_relative_to(tmp_path) and folder != tmp_path]
    assert folders  # tickets/<year>/<month>/
    assert {stat.S_IMODE(folder.stat().st_mode) for folder in folders} == {0o750}


@pytest.mark.django_db
def test_replies_carry_attachments(customer_client, customer):
    ticket = TicketFactory(requester=customer)

    customer_client.post(
        reverse("tickets:reply", args=[ticket.reference]),
        {"body": "Here is the log", "attachments": [SimpleUploadedFile("hw.log", b"ERROR HW-2001\n")]},
    )

    message = ticket.messages.get()
    assert message.attachments.get().original_name == "hw.log"
    assert services.can_reopen(ticket) is False
