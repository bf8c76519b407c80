"""Questions as customers type them, on the demo content: does search put the answer first?

Deflection is only as good as the first results, and customers do not type titles: they type "cannot log in",
"2fa lost phone", 登不上, 密碼忘了怎麼辦. Each question here names the demo article that answers it (by its
external id, from kbportal/demo/data), and is searched as the help center's search page searches it: every
kind, the visitor's language first (Chinese for the Chinese questions, Traditional ones included: the
interface is Simplified, the analysis converts). The table must put the answer first for at least 80% of the
questions and in the first three for at least 95% (issue 16); until it does, that test is an expected failure
with the measured rates as its reason (strict: it fails once the table passes, to be unmarked then).

Loading the demo takes most of a minute, so this module loads it once (`demo`), as tests/kbportal/test_demo.py
does, and searches every question once (`ranks`); the module is one xdist group: one worker loads it.
"""

from collections.abc import Iterator
from io import StringIO
from typing import NamedTuple
from unittest import mock

import pytest
from django.core.management import call_command
from django.db import transaction

from kbportal.demo import history
from kbportal.search import service

pytestmark = [pytest.mark.django_db, pytest.mark.xdist_group("demo")]

EN, ZH = "en", "zh-hans"
FIRST_SHARE = 0.80
TOP_THREE_SHARE = 0.95
LOOKED_AT = 10  # a miss beyond this many results shows as "-"


class Question(NamedTuple):
    text: str
    language: str  # the interface's: which language's results come first
    answer: str  # the external id of the demo article that answers it


QUESTIONS = [
    # The issue's examples.
    Question("cannot log in", EN, "hw-sign-in-problems-en"),
    Question("无法登录", ZH, "hw-sign-in-problems-zh"),
    Question("许可证过期", ZH, "hw-license-errors-zh"),
    # English.
    Question("can't sign in", EN, "hw-sign-in-problems-en"),
    Question("unable to login", EN, "hw-sign-in-problems-en"),
    Question("login not working", EN, "hw-sign-in-problems-en"),
    Question("how do i reset my password", EN, "hw-reset-password-en"),
    Question("forgot pwd", EN, "hw-reset-password-en"),
    Question("forgot my password", EN, "hw-reset-password-en"),
    Question("2fa lost phone", EN, "hw-recovery-codes-en"),
    Question("lost my phone and can't get the code", EN, "hw-recovery-codes-en"),
    Question("how to turn on 2fa", EN, "hw-enable-2fa-en"),
    Question("license expired what now", EN, "hw-license-errors-en"),
    Question("where do i enter my license key", EN, "hw-activate-license-key-en"),
    Question("move my license to a new computer", EN, "hw-license-seats-en"),
    Question("activate without internet", EN, "hw-offline-activation-en"),
    Question("seat limit reached", EN, "hw-license-errors-en"),
    Question("install on mac", EN, "hw-install-macos-en"),
    Question("install on ubuntu", EN, "hw-install-linux-en"),
    Question("how to install on windows 11", EN, "hw-install-windows-en"),
    Question("run the server in docker", EN, "hw-server-docker-en"),
    Question("upgrade from 3.8", EN, "hw-upgrade-38-to-4x-en"),
    Question("app won't start", EN, "hw-app-crash-on-start-en"),
    Question("blank white window after update", EN, "hw-app-crash-on-start-en"),
    Question("sync not working", EN, "hw-sync-stuck-en"),
    Question("keeps saying reconnecting", EN, "hw-realtime-disconnects-en"),
    Question("helloworld uses too much memory", EN, "hw-desktop-high-cpu-memory-en"),
    Question("doesn't connect behind company firewall", EN, "hw-proxy-errors-en"),
    Question("certificate error", EN, "hw-tls-certificate-errors-en"),
    Question("sso with okta", EN, "hw-saml-okta-en"),
    Question("azure ad single sign on", EN, "hw-saml-entra-id-en"),
    Question("sso login fails", EN, "hw-sso-login-errors-en"),
    Question("change my credit card", EN, "hw-update-payment-method-en"),
    Question("payment declined", EN, "hw-failed-payment-en"),
    Question("where can i download my invoice", EN, "hw-invoices-vat-en"),
    Question("add people to my workspace", EN, "hw-invite-teammates-en"),
    Question("difference between team and business plan", EN, "hw-plan-comparison-faq-en"),
    Question("api token", EN, "hw-api-authentication-en"),
    Question("too many requests error", EN, "hw-api-rate-limits-en"),
    Question("webhook signature doesn't match", EN, "hw-webhook-signatures-en"),
    Question("webhook not delivered", EN, "hw-webhook-retries-en"),
    Question("jira sync", EN, "hw-jira-integration-en"),
    Question("link github commits", EN, "hw-github-integration-en"),
    Question("see who changed what", EN, "hw-audit-log-en"),
    Question("give someone admin rights", EN, "hw-roles-permissions-en"),
    Question("minimum requirements", EN, "hw-system-requirements-en"),
    Question("backup the server", EN, "hw-server-backup-restore-en"),
    Question("error HW-5001", EN, "hw-server-database-errors-en"),
    # Simplified Chinese.
    Question("登不上", ZH, "hw-sign-in-problems-zh"),
    Question("登不上去怎么办", ZH, "hw-sign-in-problems-zh"),
    Question("咋重置密码", ZH, "hw-reset-password-zh"),
    Question("如何重置密码", ZH, "hw-reset-password-zh"),
    Question("密码忘了", ZH, "hw-reset-password-zh"),
    Question("手机丢了 两步验证", ZH, "hw-recovery-codes-zh"),
    Question("怎么开启双重验证", ZH, "hw-enable-2fa-zh"),
    Question("mac上怎么安装", ZH, "hw-install-macos-zh"),
    Question("同步很慢", ZH, "hw-sync-stuck-zh"),
    Question("怎么下载发票", ZH, "hw-invoices-vat-zh"),
    Question("付款失败咋办", ZH, "hw-failed-payment-zh"),
    Question("许可证换电脑", ZH, "hw-license-seats-zh"),
    Question("没有网络怎么激活", ZH, "hw-offline-activation-zh"),
    Question("公司防火墙连不上", ZH, "hw-proxy-errors-zh"),
    Question("证书错误", ZH, "hw-tls-certificate-errors-zh"),
    Question("啥是审计日志", ZH, "hw-audit-log-zh"),
    Question("怎么邀请同事", ZH, "hw-invite-teammates-zh"),
    Question("应用启动就崩溃", ZH, "hw-app-crash-on-start-zh"),
    # Traditional Chinese.
    Question("密碼忘了怎麼辦", ZH, "hw-reset-password-zh"),
    Question("無法登入", ZH, "hw-sign-in-problems-zh"),
    Question("許可證過期", ZH, "hw-license-errors-zh"),
    Question("怎麼開啟雙重驗證", ZH, "hw-enable-2fa-zh"),
    Question("下載發票", ZH, "hw-invoices-vat-zh"),
    Question("同步卡住了", ZH, "hw-sync-stuck-zh"),
    Question("用 okta 設定單一登入", ZH, "hw-saml-okta-zh"),
    Question("桌面應用記憶體佔用太高", ZH, "hw-desktop-high-cpu-memory-zh"),
]


class Ranked(NamedTuple):
    question: Question
    rank: int | None  # 1 for first; None: not among the first LOOKED_AT
    shown: list[str]  # the first three results' external ids (or titles, for forum questions)


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker) -> Iterator[None]:
    """The demo loaded once for the module inside a transaction rolled back after its last test (as in
    tests/kbportal/test_demo.py). Without its 90 days of history, which neither indexes nor changes what
    search reads (kbportal/demo/history.py)."""
    with django_db_blocker.unblock(), transaction.atomic():
        with mock.patch.object(history, "load_demo_history", history.HistoryReport):
            call_command("load_demo", stdout=StringIO())
        yield
        transaction.set_rollback(True)


def _rank(question: Question) -> Ranked:
    hits = service.search(question.text, preferred_language=question.language, limit=LOOKED_AT).hits
    found = [hit.external_id for hit in hits]
    rank = found.index(question.answer) + 1 if question.answer in found else None
    return Ranked(question, rank, [hit.external_id or hit.title for hit in hits[:3]])


@pytest.fixture(scope="module")
def ranks(demo, django_db_blocker) -> list[Ranked]:
    with django_db_blocker.unblock():
        return [_rank(question) for question in QUESTIONS]


def _misses(ranks: list[Ranked]) -> str:
    rows = [f"{'rank':>4}  {'question':<42} {'answer':<34} first three"]
    for entry in ranks:
        if entry.rank != 1:
            rank = str(entry.rank) if entry.rank else "-"
            rows.append(f"{rank:>4}  {entry.question.text:<42} {entry.question.answer:<34} {', '.join(entry.shown)}")
    return "\n".join(rows)


def test_the_table_is_large_and_in_all_three_scripts():
    assert len(QUESTIONS) >= 50
    assert len({question.text for question in QUESTIONS}) == len(QUESTIONS)
    chinese = [question.text for question in QUESTIONS if question.language == ZH]
    assert "密碼忘了怎麼辦" in chinese  # Traditional
    assert "密码忘了" in chinese  # and Simplified


@pytest.mark.xfail(
    strict=True,
    reason="measured on SQLite: first 59/74 (79.7%), in the first three 72/74 (97.3%); forum threads with the "
    "customer's own words and titles with 怎么办 still outrank some answers",
)
def test_customer_questions_find_their_answer_first(ranks):
    first = sum(entry.rank == 1 for entry in ranks) / len(ranks)
    top_three = sum(entry.rank is not None and entry.rank <= 3 for entry in ranks) / len(ranks)

    summary = f"first {first:.1%}, in the first three {top_three:.1%} of {len(ranks)} questions"
    assert first >= FIRST_SHARE, f"{summary}; misses:\n{_misses(ranks)}"
    assert top_three >= TOP_THREE_SHARE, f"{summary}; misses:\n{_misses(ranks)}"


def test_the_issues_examples(ranks):
    by_text = {entry.question.text: entry for entry in ranks}

    assert by_text["cannot log in"].rank == 1, by_text["cannot log in"].shown
    assert by_text["无法登录"].rank == 1, by_text["无法登录"].shown


def test_an_expired_licence_is_not_answered_by_sign_in_tokens(demo):
    hits = service.search("许可证过期", preferred_language=ZH, limit=LOOKED_AT).hits
    found = [hit.external_id for hit in hits]

    licence = found.index("hw-license-errors-zh")
    for unrelated in ("hw-oidc-sso-zh", "hw-api-authentication-zh"):
        assert unrelated not in found[:licence], found


THROUGH_THE_API = {"cannot log in", "how do i reset my password", "无法登录", "密碼忘了怎麼辦"}


@pytest.mark.parametrize("question", [q for q in QUESTIONS if q.text in THROUGH_THE_API], ids=lambda q: q.text)
def test_the_api_ranks_as_the_service_does(demo, client, question):
    """The same ranking through GET /api/v1/search/, in the interface language the question is asked in."""
    response = client.get("/api/v1/search/", {"q": question.text, "limit": 3}, HTTP_ACCEPT_LANGUAGE=question.language)
    expected = service.search(question.text, preferred_language=question.language, limit=3).hits

    assert response.status_code == 200
    assert [hit["external_id"] for hit in response.json()["results"]] == [hit.external_id for hit in expected]
