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


def test_admin_history_compares_two_revisions_word_by_word(editor_client, editor):
    article = _article(editor, body="## Steps\n\nOpen the Account page.")

    response = editor_client.get(
        reverse("admin:articles_article_revisions", args=[article.pk]), {"older": 1, "newer": 2}
    )

    page = response.content.decode()
    assert response.status_code == 200
    assert "Changes from r1 to r2" in page
    assert '<del class="kb-del"><span class="visually-hidden">Removed: </span>Settings</del>' in page
    assert '<ins class="kb-ins"><span class="visually-hidden">Added: </span>the Account page</ins>' in page
    assert "Removed text is struck through, added text is underlined." in page


def test_the_compare_page_has_no_difflib_table(editor_client, editor):
    article = _article(editor, body="## Steps\n\nOpen the Account page.")

    page = editor_client.get(reverse("admin:articles_article_revisions", args=[article.pk])).content.decode()

    assert 'class="diff"' not in page
    assert "diff_next" not in page
    assert ">t</a>" not in page
    assert 'class="kb-diff-text"' in page


def test_the_compare_page_reads_in_chinese(editor_client, editor):
    article = services.article_create(
        by=editor, title="重置密码", category=CategoryFactory(), body="请点击保存按钮。", language="zh-hans"
    )
    services.article_update(article=article, by=editor, body="请点击提交按钮。")

    page = editor_client.get(
        reverse("admin:articles_article_revisions", args=[article.pk]), HTTP_ACCEPT_LANGUAGE="zh-hans"
    ).content.decode()

    assert '<span class="visually-hidden">删除：</span>保存</del>' in page
    assert '<span class="visually-hidden">新增：</span>提交</ins>' in page


def test_the_history_offers_revert_only_through_the_confirmation_page(editor_client, editor):
    article = _article(editor, title="Broken")

    page = editor_client.get(reverse("admin:articles_article_revisions", args=[article.pk])).content.decode()

    confirm_url = reverse("admin:articles_article_revert", args=[article.pk, 1])
    assert f'<form id="revert-1" method="get" action="{confirm_url}">' in page
    assert 'form="revert-1">Revert to r1</button>' in page
    assert f'method="post" action="{confirm_url}"' not in page  # no one-click revert from the history


def test_revert_asks_for_confirmation_and_shows_what_would_change(editor_client, editor):
    article = _article(editor, title="Broken")
    url = reverse("admin:articles_article_revert", args=[article.pk, 1])

    response = editor_client.get(url)

    page = response.content.decode()
    assert response.status_code == 200
    assert "Revert “Broken” to revision 1?" in page
    assert '<del class="kb-del"><span class="visually-hidden">Removed: </span>Broken</del>' in page
    assert '<ins class="kb-ins"><span class="visually-hidden">Added: </span>Reset your password</ins>' in page
    assert 'method="post"' in page
    assert 'name="csrfmiddlewaretoken"' in page
    assert "Yes, revert to r1" in page
    article.refresh_from_db()
    assert article.title == "Broken"
    assert article.revisions.count() == 2


def test_the_confirmed_revert_restores_the_revision(editor_client, editor):
    article = _article(editor, title="Broken")

    response = editor_client.post(reverse("admin:articles_article_revert", args=[article.pk, 1]))

    assert response.status_code == 302
    article.refresh_from_db()
    assert article.title == "Reset your password"
    assert article.revisions.count() == 3


def test_revert_is_refused_to_staff_who_cannot_change_articles(client, editor):
    from kbportal.accounts.roles import Role
    from tests.accounts.factories import StaffFactory

    article = _article(editor, title="Broken")
    client.force_login(StaffFactory(username="moderator", role=Role.MODERATOR))
    url = reverse("admin:articles_article_revert", args=[article.pk, 1])

    assert client.get(url).status_code == 403
    assert client.post(url).status_code == 403
    article.refresh_from_db()
    assert article.title == "Broken"


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
