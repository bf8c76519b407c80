"""`make run` loads the demo: rich content in both languages, an account per role, idempotently."""

import pytest
from django.core.management import call_command

from articles.models import Article, Category, Feedback, Video
from kbportal.accounts.models import User
from kbportal.accounts.roles import Role


def _snapshot() -> dict[str, int]:
    return {
        "articles": Article.objects.count(),
        "videos": Video.objects.count(),
        "categories": Category.objects.count(),
        "users": User.objects.count(),
        "feedback": Feedback.objects.count(),
        "helpful": sum(Article.objects.values_list("helpful_count", flat=True)),
        "revisions": sum(a.revisions.count() for a in Article.objects.all()),
    }


@pytest.mark.django_db
def test_the_demo_loads_rich_bilingual_content_and_reloads_without_duplicates(capsys):
    call_command("load_demo")
    first = _snapshot()
    call_command("load_demo")
    output = capsys.readouterr().out

    assert _snapshot() == first
    published = Article.objects.published()
    english = published.filter(language="en")
    assert english.count() >= 40
    assert english.filter(translations__language="zh-hans", translations__status="published").count() >= 40
    assert Category.objects.filter(parent=None).count() >= 6
    videos = Video.objects.published().filter(language="en").exclude(transcript="")
    assert videos.filter(chapters__isnull=False).distinct().count() >= 8
    for role in Role:
        assert User.objects.filter(groups__name=str(role), is_staff=True).exists(), role
    assert "helloworld-demo" in output
    assert "editor" in output
