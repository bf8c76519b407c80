"""Anonymous pages a shared cache can keep: no cookie, public Cache-Control, a server copy under versioned keys.

A visitor without a session gets the same page as every other visitor of their language; the server keeps it
until what it shows changes (kbportal/pagecache.py). Their forms carry a placeholder instead of a CSRF token,
which the script replaces on first use; without the script the few endpoints those forms post to accept a
request without credentials that no other site sent (kbportal/security/csrf.py).
"""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from articles import services as articles
from kbportal import buffer, pagecache
from kbportal.announcements import services as announcements
from tests.accounts.factories import UserFactory
from tests.articles.factories import ArticleFactory, CategoryFactory, VideoFactory
from tests.community.factories import AnswerFactory, QuestionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def content():
    category = CategoryFactory(name="Getting started", slug="getting-started")
    article = ArticleFactory(title="Install the licence file", category=category)
    video = VideoFactory(title="A tour of the dashboard", category=category)
    question = QuestionFactory(title="Where is the licence file kept?")
    AnswerFactory(question=question)
    notice = announcements.notice_publish(title="Sync delays for some EU customers", by=None)
    return {"article": article, "video": video, "question": question, "category": category, "notice": notice}


def public_urls(content) -> dict[str, str]:
    return {
        "home": reverse("articles:home"),
        "article list": reverse("articles:article_list"),
        "category": content["category"].get_absolute_url(),
        "article": content["article"].get_absolute_url(),
        "video list": reverse("articles:video_list"),
        "video": content["video"].get_absolute_url(),
        "forum": reverse("community:questions"),
        "question": content["question"].get_absolute_url(),
        "status page": reverse("announcements:status"),
        "notice": reverse("announcements:notice", args=[content["notice"].pk]),
        "api articles": "/api/v1/articles/?ordering=title",
        "api article": f"/api/v1/articles/{content['article'].pk}/",
        "api categories": "/api/v1/categories/",
    }


PAGES = ["home", "article list", "category", "article", "video list", "video", "forum", "question", "status page",
         "notice", "api articles", "api article", "api categories"]  # fmt: skip


@pytest.mark.parametrize("page", PAGES)
def test_an_anonymous_page_sets_no_cookie_and_may_be_kept_by_a_shared_cache(client, content, page):
    response = client.get(public_urls(content)[page])

    assert response.status_code == 200
    assert response.cookies == {}, page
    cache_control = {part.strip() for part in response["Cache-Control"].split(",")}
    assert {"public", "max-age=60", "s-maxage=300"} <= cache_control
    assert "Accept-Language" in response["Vary"]


@pytest.mark.parametrize("page", PAGES)
def test_the_second_anonymous_visit_is_the_stored_copy_and_reads_nothing(client, content, page):
    url = public_urls(content)[page]
    first = client.get(url)

    with CaptureQueriesContext(connection) as queries:
        second = client.get(url)

    assert second["X-Page-Cache"] == "hit"
    assert second.content == first.content
    # Nothing is read; an article's or video's view is still counted, after the response (kbportal/buffer.py).
    assert [q["sql"] for q in queries if q["sql"].startswith("SELECT")] == []


@pytest.mark.parametrize("kind", ["article", "video"])
def test_a_view_answered_by_the_stored_copy_counts_and_a_crawlers_does_not(client, content, kind):
    item = content[kind]
    url = public_urls(content)[kind]

    client.get(url)
    assert client.get(url)["X-Page-Cache"] == "hit"
    assert client.get(url, HTTP_USER_AGENT="Mozilla/5.0 (compatible; Googlebot/2.1)")["X-Page-Cache"] == "hit"
    buffer.flush()

    item.refresh_from_db(fields=["view_count"])
    assert item.view_count == 2


@pytest.mark.parametrize("page", ["home", "article", "question"])
def test_a_signed_in_page_is_private_and_never_stored(client, content, page):
    client.force_login(UserFactory())
    url = public_urls(content)[page]

    responses = [client.get(url), client.get(url)]

    assert all("private" in response["Cache-Control"] for response in responses)
    assert all("public" not in response["Cache-Control"] for response in responses)
    assert not any(response.has_header("X-Page-Cache") for response in responses)


def test_a_visitor_with_a_session_gets_their_own_page(client, content):
    url = public_urls(content)["article"]
    client.get(url)  # stored
    client.post(reverse("articles:feedback", args=["article", content["article"].pk]), {"helpful": "yes"})

    response = client.get(url)

    assert "sessionid" in client.cookies
    assert not response.has_header("X-Page-Cache")
    assert "Thanks — glad it helped." in response.content.decode()
    assert "private" in response["Cache-Control"]


def test_an_api_call_with_a_token_is_private(client, content):
    url = public_urls(content)["api articles"]
    client.get(url)

    response = client.get(url, HTTP_AUTHORIZATION="Token not-a-real-one")

    assert not response.has_header("X-Page-Cache")
    assert "public" not in response.get("Cache-Control", "")


def test_a_link_from_search_is_not_the_stored_copy(client, content):
    url = public_urls(content)["article"]
    client.get(url)

    response = client.get(url, {"hs": "search"})

    assert not response.has_header("X-Page-Cache")
    assert "public" not in response["Cache-Control"]


def test_each_language_has_its_own_copy(client, content):
    url = public_urls(content)["home"]
    english = client.get(url, HTTP_ACCEPT_LANGUAGE="en")
    chinese = client.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans")

    again = client.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans")

    assert english.content != chinese.content
    assert '<html lang="zh-hans"' in again.content.decode()
    assert again["X-Page-Cache"] == "hit"


def test_an_edit_shows_at_once_on_every_page_that_shows_the_item(client, content):
    article = content["article"]
    urls = [public_urls(content)[page] for page in ("home", "article list", "category", "article")]
    for url in urls:
        client.get(url)

    article.title = "Install or renew the licence file"
    article.save()

    for url in urls:
        assert "Install or renew the licence file" in client.get(url).content.decode(), url


def test_archiving_takes_the_item_off_the_stored_lists(client, content):
    url = public_urls(content)["category"]
    assert "Install the licence file" in client.get(url).content.decode()

    articles.article_archive(article=content["article"], by=None)

    assert "Install the licence file" not in client.get(url).content.decode()


def test_a_new_notice_shows_in_the_banner_of_stored_pages(client, content):
    url = public_urls(content)["article"]
    assert "Login failures in Asia" not in client.get(url).content.decode()

    announcements.notice_publish(title="Login failures in Asia", by=None)

    assert "Login failures in Asia" in client.get(url).content.decode()


def test_a_vote_shows_on_the_item_page_at_once(client, content, settings):
    settings.KBPORTAL_HELPFULNESS_MIN_VOTES = 1
    article = content["article"]
    url = public_urls(content)["article"]
    client.get(url)

    articles.feedback_submit(item=article, voter=articles.Voter(session_key="someone"), helpful=True)

    assert "100% of 1 reader found this helpful" in client.get(url).content.decode()


def test_following_a_notice_keeps_the_stored_pages(client, content):
    url = public_urls(content)["home"]
    client.get(url)

    announcements.notice_follow(notice=content["notice"], user=UserFactory())

    assert client.get(url)["X-Page-Cache"] == "hit"


def test_a_new_answer_shows_on_the_stored_question_page(client, content):
    url = public_urls(content)["question"]
    client.get(url)

    AnswerFactory(question=content["question"], body="Keep it in /etc/helloworld/licence.key.")

    assert "/etc/helloworld/licence.key" in client.get(url).content.decode()


# --- A stored copy is never stale: the versions it was rendered under are checked on every hit ---------


@pytest.mark.parametrize("page", ["home", "article", "question", "api articles"])
def test_a_bumped_scope_makes_the_stored_copy_a_miss(client, content, page):
    url = public_urls(content)[page]
    client.get(url)
    assert client.get(url)["X-Page-Cache"] == "hit"

    pagecache.touch("notices")  # every public page shows the banner

    again = client.get(url)
    assert not again.has_header("X-Page-Cache")
    assert client.get(url)["X-Page-Cache"] == "hit"  # rendered again and stored over the stale copy


def test_an_objects_scope_makes_only_its_own_page_a_miss(client, content):
    article_url, video_url = public_urls(content)["article"], public_urls(content)["video"]
    client.get(article_url), client.get(video_url)

    pagecache.touch(f"article:{content['article'].pk}")

    assert not client.get(article_url).has_header("X-Page-Cache")
    assert client.get(video_url)["X-Page-Cache"] == "hit"


def test_a_change_made_while_the_page_renders_is_not_hidden_by_its_copy(client, content, monkeypatch):
    """The copy keeps the versions read before rendering: a page that read the old rows is never a hit."""
    url = public_urls(content)["article"]
    keep = pagecache._stored

    def change_then_keep(response, *, versions):
        articles.feedback_submit(item=content["article"], voter=articles.Voter(session_key="meanwhile"), helpful=True)
        return keep(response, versions=versions)

    monkeypatch.setattr(pagecache, "_stored", change_then_keep)
    client.get(url)
    monkeypatch.setattr(pagecache, "_stored", keep)

    assert not client.get(url).has_header("X-Page-Cache")


def test_a_copy_stored_under_other_versions_is_not_served(client, content):
    """Even a copy under the page's own key is a miss unless its versions are exactly the current ones."""
    url = public_urls(content)["home"]
    client.get(url)
    key = pagecache.page_key(client.get(url).wsgi_request)
    stored = pagecache.caches["default"].get(key)
    forged = {**stored, "content": b"stale", "versions": dict.fromkeys(stored["versions"], "old")}
    pagecache.caches["default"].set(key, forged)

    response = client.get(url)

    assert not response.has_header("X-Page-Cache")
    assert response.content != b"stale"


def test_a_stored_copy_costs_one_read_of_the_cache(client, content, monkeypatch):
    """One call, one round trip to Redis (an MGET of the versions and the page); the local-memory cache of the
    tests makes its get_many of gets, which are not counted."""
    url = public_urls(content)["home"]
    client.get(url)
    cache, calls, inside = pagecache.caches["default"], [], []

    def counted(name, original):
        def call(*args, **kwargs):
            if not inside:
                calls.append(name)
            inside.append(name)
            try:
                return original(*args, **kwargs)
            finally:
                inside.pop()

        return call

    for name in ("get", "get_many", "add", "set", "set_many"):
        monkeypatch.setattr(cache, name, counted(name, getattr(cache, name)))

    assert client.get(url)["X-Page-Cache"] == "hit"
    assert calls == ["get_many"]


# --- Forms on public pages: a placeholder, not a token ---------------------------------------------------


def test_a_public_page_form_carries_the_placeholder_and_no_token(client, content):
    html = client.get(public_urls(content)["article"]).content.decode()

    assert 'name="csrfmiddlewaretoken" value="lazy"' in html
    assert "csrftoken" not in client.cookies


def test_the_script_fetches_a_token_that_the_check_accepts(content):
    browser = Client(enforce_csrf_checks=True)
    token = browser.get(reverse("csrf_token")).json()["token"]
    assert "no-cache" in browser.get(reverse("csrf_token"))["Cache-Control"]
    browser.get(reverse("articles:home"))
    browser.cookies["sessionid"] = "a-session-the-visitor-had"  # credentials: the full check applies

    response = browser.post(
        reverse("articles:feedback", args=["article", content["article"].pk]),
        {"helpful": "yes", "csrfmiddlewaretoken": token},
    )

    assert response.status_code == 302


def test_without_the_script_a_vote_without_credentials_is_accepted(content):
    browser = Client(enforce_csrf_checks=True)

    response = browser.post(
        reverse("articles:feedback", args=["article", content["article"].pk]),
        {"helpful": "yes", "csrfmiddlewaretoken": "lazy"},
        HTTP_ORIGIN="http://testserver",
        HTTP_SEC_FETCH_SITE="same-origin",
    )

    assert response.status_code == 302
    assert content["article"].feedback.count() == 1


@pytest.mark.parametrize(
    "headers",
    [{"HTTP_SEC_FETCH_SITE": "cross-site"}, {"HTTP_ORIGIN": "https://attacker.example"}],
    ids=["fetch metadata", "origin"],
)
def test_another_sites_page_cannot_make_a_visitor_vote(content, headers):
    browser = Client(enforce_csrf_checks=True)

    response = browser.post(
        reverse("articles:feedback", args=["article", content["article"].pk]), {"helpful": "yes"}, **headers
    )

    assert response.status_code == 403
    assert content["article"].feedback.count() == 0


def test_with_credentials_the_full_check_applies(content):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(UserFactory())

    response = browser.post(
        reverse("articles:feedback", args=["article", content["article"].pk]),
        {"helpful": "yes", "csrfmiddlewaretoken": "lazy"},
        HTTP_SEC_FETCH_SITE="same-origin",
    )

    assert response.status_code == 403
    assert content["article"].feedback.count() == 0


def test_the_language_menu_works_from_a_public_page_without_the_script(content, settings):
    browser = Client(enforce_csrf_checks=True)

    response = browser.post(
        reverse("set_language"), {"language": "zh-hans", "next": "/", "csrfmiddlewaretoken": "lazy"}
    )

    assert response.status_code == 302
    assert browser.cookies[settings.LANGUAGE_COOKIE_NAME].value == "zh-hans"


def test_sign_in_keeps_the_full_check(content):
    """A forged sign-in (login CSRF) needs no credentials either: the sign-in form is never a public page."""
    browser = Client(enforce_csrf_checks=True)

    response = browser.post(reverse("accounts:login"), {"username": "someone", "password": "x" * 12})

    assert response.status_code == 403
