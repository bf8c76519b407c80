"""Every staff save keeps a revision; staff compare two and revert."""

import pytest
from django.urls import reverse

from articles import services
from articles.models import Article, ArticleRevision, Status
from tests.articles.factories import CategoryFactory

pytestmark = pytest.mark.django_db


def _article(editor, **changes) -> Article:
    article = services.article_create(
        by=editor, title="Reset your password", category=CategoryFactory(), body="## Steps\n\nOpen Settings.",
        tags=["password"],
    )  # fmt: skip
    return services.article_update(article=article, by=editor, **changes) if changes else article


def test_creating_and_updating_keep_numbered_revisions_with_author_and_content(editor):
    article = _article(editor)

    services.article_update(article=article, by=editor, body="## Steps\n\nOpen **Account** settings.", comment="typo")

    first, second = article.revisions.order_by("number")
    assert (first.number, second.number) == (1, 2)
    assert second.created_by == editor
    assert second.comment == "typo"
    assert "Account" in second.body
    assert first.body == "## Steps\n\nOpen Settings."
    assert second.metadata["tags"] == ["password"]


def test_revert_restores_content_as_a_new_revision(editor):
    article = _article(editor)
    services.article_update(article=article, by=editor, title="Wrong title", body="Wrong body", tags=["oops"])

    services.article_revert(article=article, revision=article.revisions.get(number=1), by=editor)

    article.refresh_from_db()
    assert article.title == "Reset your password"
    assert "Open Settings." in article.body_html
    assert list(article.tags.values_list("name", flat=True)) == ["password"]
    assert article.revisions.count() == 3
    assert article.revisions.first().comment == "Reverted to revision 1"


def test_publishing_is_recorded_in_the_history(editor):
    article = _article(editor)

    services.article_publish(article=article, by=editor)

    assert article.revisions.first().status == Status.PUBLISHED
    assert article.published_at is not None


def test_admin_change_keeps_a_revision(editor_client, editor):
    article = _article(editor)
    url = reverse("admin:articles_article_change", args=[article.pk])
    form = editor_client.get(url).context["adminform"].form
    data = {
        key: value
        for key, value in form.initial.items()
        if value is not None and key not in {"tags", "product_versions"}
    }
    data.update(
        {
            "title": "Reset a forgotten password",
            "body": "## Steps\n\nUse the link on the sign-in page.",
            "category": article.category_id,
            "tags": [tag.pk for tag in article.tags.all()],
        }
    )

    response = editor_client.post(url, data)

    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else ""
    latest = article.revisions.first()
    assert latest.number == 2
    assert latest.title == "Reset a forgotten password"
    assert latest.created_by == editor


def test_admin_history_compares_two_revisions(editor_client, editor):
    article = _article(editor, body="## Steps\n\nOpen the Account page.")

    response = editor_client.get(
        reverse("admin:articles_article_revisions", args=[article.pk]), {"older": 1, "newer": 2}
    )

    page = response.content.decode()
    assert response.status_code == 200
    assert "Changes from r1 to r2" in page
    assert "diff_" in page  # difflib's change markers
    assert "Account" in page


def test_admin_revert_needs_post_and_restores(editor_client, editor):
    article = _article(editor, title="Broken")
    url = reverse("admin:articles_article_revert", args=[article.pk, 1])

    assert editor_client.get(url).status_code == 405
    response = editor_client.post(url)

    assert response.status_code == 302
    article.refresh_from_db()
    assert article.title == "Reset your password"


def test_revisions_cannot_be_edited_in_the_admin(editor_client, editor):
    article = _article(editor)
    revision = ArticleRevision.objects.get(article=article)
    url = reverse("admin:articles_articlerevision_change", args=[revision.pk])

    editor_client.post(url, {"title": "rewritten history"})

    revision.refresh_from_db()
    assert revision.title == "Reset your password"


def test_markdown_preview_uses_the_sanitizer(editor_client):
    response = editor_client.post(
        reverse("admin:articles_article_preview"), {"body": "## Hi\n\n[x](javascript:alert(1)) <script>x</script>"}
    )

    html = response.json()["html"]
    assert '<h2 id="hi">Hi</h2>' in html
    assert 'href="javascript' not in html
    assert "<script>" not in html
