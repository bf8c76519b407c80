"""Snippets: the best passage, escaped exactly once, the query's words marked where they stand."""

import random
import re
from html import unescape

import pytest
from django.utils.html import escape as django_escape
from django.utils.safestring import SafeString

from articles.search import describe_video
from kbportal.search.analysis import DEFAULT_ANALYZER, is_cjk
from kbportal.search.snippets import (
    _CJK_PUNCTUATION,
    MAX_PASSAGES,
    SNIPPET_CHARS,
    Highlighter,
    _split_terms,
    _truncate,
    snippet,
)
from tests.articles.factories import VideoChapterFactory, VideoFactory


def _snippet(text: str, query: str) -> str:
    return str(snippet(text, query=query, query_terms=DEFAULT_ANALYZER.query_tokens(query), analyzer=DEFAULT_ANALYZER))


def test_a_matching_word_is_marked_whole_by_its_stem_whatever_its_case():
    assert _snippet("Installing HelloWorld: INSTALL it, then reinstall.", "install") == (
        "<mark>Installing</mark> HelloWorld: <mark>INSTALL</mark> it, then reinstall."
    )


def test_html_in_the_text_is_escaped_exactly_once_inside_and_outside_the_marks():
    text = "Install <b>&amp; \"quotes\" 'too' & <script>x</script>"

    assert _snippet(text, "install") == (
        "<mark>Install</mark> &lt;b&gt;&amp;amp; &quot;quotes&quot; &#x27;too&#x27; "
        "&amp; &lt;script&gt;x&lt;/script&gt;"
    )


def test_markup_in_the_text_never_becomes_a_mark():
    marked = _snippet("<mark>licence</mark> and licence", "licence")

    assert marked == "&lt;mark&gt;<mark>licence</mark>&lt;/mark&gt; and <mark>licence</mark>"


def test_chinese_terms_are_marked_inside_a_run_and_single_characters_only_for_a_one_character_query():
    text = "打开设置，选择许可证并粘贴密钥即可激活。许可证过期时请续订。"

    assert _snippet(text, "许可证") == (
        "打开设置，选择<mark>许可证</mark>并粘贴密钥即可激活。<mark>许可证</mark>过期时请续订。"
    )
    assert "<mark>" not in _snippet(text, "许多")  # 许 alone would light up every 许
    assert _snippet("许可", "许") == "<mark>许</mark>可"


def test_mixed_scripts_mark_latin_words_and_chinese_terms_but_not_latin_inside_a_chinese_run():
    text = "在 Windows 上安装 HelloWorld，安装windows版只需两分钟"

    marked = _snippet(text, "windows 安装")

    assert marked == "在 <mark>Windows</mark> 上<mark>安装</mark> HelloWorld，<mark>安装</mark>windows版只需两分钟"


def test_accented_and_non_ascii_text_is_marked_by_the_same_rule():
    assert _snippet("Café crème: configure the café's settings", "configure settings") == (
        "Café crème: <mark>configure</mark> the café&#x27;s <mark>settings</mark>"
    )


def test_the_best_passage_is_chosen_and_cut_at_a_word():
    filler = "Nothing to see in this sentence at all. " * 12
    text = filler + "The license key activates HelloWorld. " + filler

    marked = _snippet(text, "license key")

    assert "<mark>license</mark> <mark>key</mark>" in marked
    assert len(re.sub(r"</?mark>", "", marked)) <= SNIPPET_CHARS + 1


def test_a_snippet_is_safe_html():
    assert isinstance(snippet("a < b", query="b", query_terms=["b"], analyzer=DEFAULT_ANALYZER), SafeString)


# --- The text as the document has it: URLs, identifiers, codes and Chinese text are never re-spaced -----------
# The index's text has a line break before every closing tag of the article's HTML (`articles.search.plain_text`),
# so "<code>GitHub</code>，" reads "GitHub\n，": the texts below are written as the index holds them.


def test_a_url_stays_whole_and_a_line_break_before_its_full_stop_shows_as_nothing():
    text = (
        "Start by trying the web app at https://app.helloworld.example/login\n. If the web app works but the "
        "desktop app does not, the problem is usually local."
    )

    assert _snippet(text, "desktop") == (
        "Start by trying the web app at https://app.helloworld.example/login. If the web app works but the "
        "<mark>desktop</mark> app does not, the problem is usually local."
    )
    assert "https://app.helloworld.example/<mark>login</mark>." in _snippet(text, "login")


def test_a_url_with_a_query_string_is_whole_and_its_ampersand_escaped_once():
    text = 'Open https://app.helloworld.example/sso?next=/login&lang=zh "as is" & sign in.'

    assert _snippet(text, "sign") == (
        "Open https://app.helloworld.example/sso?next=/login&amp;lang=zh &quot;as is&quot; &amp; <mark>sign</mark> in."
    )


def test_dotted_identifiers_stay_whole():
    text = "Filter on auth.login_failed\n or auth.2fa_disabled\n. Each event in member.role_changed shows the actor."

    assert _snippet(text, "login failed") == (
        "Filter on auth.<mark>login_failed</mark> or auth.2fa_disabled. Each event in member.role_changed shows "
        "the actor."
    )


def test_error_codes_and_version_numbers_stay_whole():
    text = "Windows reports 0x8C1BE8EE. Update to 4.2.1 or v4.2 if you see HW-1042. Then sign in again."

    assert _snippet(text, "windows") == (
        "<mark>Windows</mark> reports 0x8C1BE8EE. Update to 4.2.1 or v4.2 if you see HW-1042. Then sign in again."
    )
    assert _snippet(text, "HW-1042") == (
        "Windows reports 0x8C1BE8EE. Update to 4.2.1 or v4.2 if you see <mark>HW</mark>-<mark>1042</mark>. "
        "Then sign in again."
    )


def test_chinese_text_gets_no_space_before_or_after_its_punctuation():
    text = (
        "打开 https://app.helloworld.example/login\n，或打开桌面应用并点击 登录\n。点击 忘记密码？\n。"
        "收到邮件了吗？\n好！"
    )

    assert _snippet(text, "登录") == (
        "打开 https://app.helloworld.example/login，或打开桌面应用并点击 <mark>登录</mark>。点击 忘记密码？。"
        "收到邮件了吗？好！"
    )


def test_chinese_sentences_follow_one_another_without_a_space():
    text = "升级到 4.2.1 后仍报错 HW-1042。错误码 0x8C1BE8EE 表示代理拦截了登录！怎么办？请检查代理设置，然后重试。"

    assert _snippet(text, "代理") == (
        "升级到 4.2.1 后仍报错 HW-1042。错误码 0x8C1BE8EE 表示<mark>代理</mark>拦截了登录！怎么办？"
        "请检查<mark>代理</mark>设置，然后重试。"
    )


def test_a_line_break_inside_chinese_text_shows_as_nothing_and_a_paragraph_break_as_one_space():
    # One line break is a closing tag ("<strong>登录</strong>您的") or a soft line break; a blank line is a new block.
    text = (
        "请先\n登录您的 Slack 工作区并点击 允许\n。\n\n安装应用\n\n\n在 HelloWorld 中打开 设置 → 集成 → Slack\n"
        "，点击 连接。"
    )

    assert _snippet(text, "安装") == (
        "请先登录您的 Slack 工作区并点击 允许。<mark>安装</mark>应用 在 HelloWorld 中打开 设置 → 集成 → Slack，"
        "点击 连接。"
    )


def test_mixed_chinese_and_english_keep_the_spaces_the_text_has_and_gain_none():
    text = "在 Windows 上安装 HelloWorld\n（需要 4.2 或更高版本）\n 或使用 winget install HelloWorld.Desktop\n。"

    assert _snippet(text, "windows 安装") == (
        "在 <mark>Windows</mark> 上<mark>安装</mark> HelloWorld（需要 4.2 或更高版本）或使用 winget install "
        "HelloWorld.Desktop。"
    )


def test_a_latin_line_break_before_a_word_shows_as_a_space_and_before_a_closing_mark_as_nothing():
    text = "You need the Owner\n role (or Admin\n) in HelloWorld\n, then click Save\n!\n./install.sh runs next."

    assert _snippet(text, "owner") == (
        "You need the <mark>Owner</mark> role (or Admin) in HelloWorld, then click Save! ./install.sh runs next."
    )


def test_a_long_passage_is_cut_before_a_url_never_inside_it():
    text = "Sign in " + "and then sign in " * 11 + "at https://app.helloworld.example/a/very/long/path/to/login now."

    marked = _snippet(text, "sign")

    assert marked.endswith("sign</mark> in at…")
    assert "https" not in marked


def test_a_long_chinese_passage_is_cut_without_a_space_and_before_a_url():
    text = "许可证" + "激活后即可使用全部功能" * 19 + "https://app.helloworld.example/license/activate/offline/request"

    marked = _snippet(text, "许可证")
    shown = re.sub(r"</?mark>", "", marked)

    assert shown.endswith("功能…")
    assert " " not in shown
    assert len(shown) <= SNIPPET_CHARS + 1


@pytest.mark.django_db
def test_a_videos_chapter_titles_stay_apart_in_its_snippet():
    video = VideoFactory(language="zh-hans", description="介绍如何配置代理。", transcript="你好。今天讲代理。")
    for title in ["常见症状", "运行网络诊断", "配置代理"]:
        VideoChapterFactory(video=video, title=title)

    marked = _snippet(describe_video(video).body, "代理")

    assert marked == (
        "介绍如何配置<mark>代理</mark>。常见症状 运行网络诊断 配置<mark>代理</mark> 你好。今天讲<mark>代理</mark>。"
    )


# --- Every snippet is the document's own text, on generated texts -------------------------------------------
# Stripped of its marks and unescaped, a snippet stands in the document as it is: every character the document's,
# in the document's order, each space where the document has whitespace (never a line break before punctuation),
# and nothing shown where the document has a line break beside punctuation or inside Chinese text. It may end
# with "…" where it was cut.

_TRAILING = rf"[{_CJK_PUNCTUATION}’”]|[,.;:!?)\]](?=\s|$)"
_LINE_GAP = r"(?:[^\S\n]*\n\s*)?"


def _document_pattern(shown: str) -> re.Pattern[str]:
    pattern = []
    for index, char in enumerate(shown):
        if char == " ":
            # A space before trailing punctuation stands for whitespace on one line, never a line break.
            pattern.append(r"[^\S\n]+" if re.match(_TRAILING, shown[index + 1 :]) else r"\s+")
        else:
            if pattern and shown[index - 1] != " ":
                pattern.append(_LINE_GAP)
            pattern.append(re.escape(char))
    return re.compile("".join(pattern))


def _assert_the_documents_own_text(marked: str, text: str) -> None:
    assert re.fullmatch(r"(?:[^<>&\"']|&(?:amp|lt|gt|quot|#x27);|<mark>[^<]+</mark>)*", marked), marked
    shown = unescape(re.sub(r"</?mark>", "", marked))
    assert shown == shown.strip()
    assert not re.search(r"  |[^\S ]", shown)  # one space, never a line break or another whitespace
    if _document_pattern(shown).search(text):
        return
    assert shown.endswith("…"), (shown, text)
    assert _document_pattern(shown[:-1]).search(text), (shown, text)


_DOCUMENT_PIECES = [
    "install", "Installing", "the", "key", "license", "https://app.helloworld.example/login", "auth.login_failed",
    "member.role_changed", "HW-1042", "0x8C1BE8EE", "4.2.1", "v4.2", "e.g.", "./install.sh", "a&b", "<b>", "&amp;",
    '"', "'", "(", ")", "许可证", "登录", "安装", "您的", "激活", "HelloWorld", "。", "，", "！", "？", "、", "（",
    "）", "“", "”", "…", ".", ",", "!", "?", ";", ":", "\n", "\n\n", "\n\n\n", " \n ", "\r\n", "\t", "\u3000", "\xa0",
]  # fmt: skip
_DOCUMENT_QUERIES = ["install", "license key", "login failed", "hw-1042", "登录", "许可证 安装", "安装 install"]


@pytest.mark.parametrize("seed", range(4))
def test_a_snippet_is_the_documents_own_text_marked_and_escaped_once(seed):
    rng = random.Random(seed)
    for _ in range(150):
        length = rng.choice([rng.randint(0, 40), rng.randint(0, 600)])
        text = "".join(rng.choice(_DOCUMENT_PIECES) + rng.choice(["", "", " ", "\n"]) for _ in range(length))

        marked = _snippet(text, rng.choice(_DOCUMENT_QUERIES))

        _assert_the_documents_own_text(marked, text)


def test_the_property_holds_on_the_demo_texts_written_as_the_index_holds_them():
    texts = [
        "忘记了 HelloWorld 密码无法登录？可以在登录页面自行重置。\n自行重置密码\n\n\n打开 https://app.helloworld.example/login\n"
        "，或打开桌面应用并点击 登录\n。\n\n点击密码输入框下方的 忘记密码？\n。",
        "auth.login_succeeded\n / auth.login_failed\n\n\n每一次登录尝试\n\n\n\n\nauth.2fa_disabled\n\n\n"
        "用户或管理员关闭了双重验证",
        "If users see HW-3310 (SSO response rejected)\n or HW-3311 (Clock skew too large)\n, the SSO configuration "
        "and the IdP disagree.",
    ]
    for text in texts:
        for query in ["登录", "login failed", "sso", "hw-3311", "auth"]:
            _assert_the_documents_own_text(_snippet(text, query), text)


# --- The same output as the straightforward version, on random texts ------------------------------------------
# What snippets were before they were made fast (escape word by word, is_cjk per character), with sentences found
# and shown by walking the text one character at a time: the reference.

_REFERENCE_CLOSING = "\"'’”)]）】」』》〉"


def _reference_cjk_punctuation(char):
    return bool(char) and re.fullmatch(f"[{_CJK_PUNCTUATION}]", char) is not None


def _reference_trailing_punctuation(text, index):
    """Whether the character at index belongs to what stands before it (see `_SENTENCE_END`)."""
    if index >= len(text):
        return False
    char = text[index]
    if _reference_cjk_punctuation(char) or char in "’”":
        return True
    return char in ",.;:!?)]" and (index + 1 == len(text) or text[index + 1].isspace())


def _reference_sentence_ends(text):
    ends = []
    for index, char in enumerate(text):
        if char in ".!?;。！？；":
            after = index + 1
            while after < len(text) and text[after] in _REFERENCE_CLOSING:
                after += 1
            if char in "。！？；" or after == len(text) or text[after].isspace():
                ends.append(after)
        elif char == "\n":
            after = index + 1
            while after < len(text) and text[after].isspace() and text[after] != "\n":
                after += 1
            if not _reference_trailing_punctuation(text, after):
                ends.append(index + 1)
    return ends


def _reference_sentences(text):
    """(start, end) of each sentence, whitespace around it left out."""
    sentences, start = [], 0
    for end in [*_reference_sentence_ends(text), len(text)]:
        piece = text[start:end]
        if piece.strip():
            lead = len(piece) - len(piece.lstrip())
            sentences.append((start + lead, start + lead + len(piece.strip())))
        start = end
    return sentences


def _reference_passages(text):
    passages, current = [], None  # current: [start, end, length shown]
    for start, end in _reference_sentences(text):
        if current and current[2] + (end - start) > SNIPPET_CHARS:
            passages.append(text[current[0] : current[1]])
            if len(passages) >= MAX_PASSAGES:
                return passages
            current = [start, end, end - start]
        elif current:
            current = [current[0], end, current[2] + 1 + end - start]
        else:
            current = [start, end, end - start]
    if current:
        passages.append(text[current[0] : current[1]])
    return passages or [""]


def _reference_shown(passage):
    """Each run of whitespace one space; none for a line break beside punctuation or inside CJK text."""
    shown, index = [], 0
    while index < len(passage):
        if not passage[index].isspace():
            shown.append(passage[index])
            index += 1
            continue
        after = index
        while after < len(passage) and passage[after].isspace():
            after += 1
        run, before = passage[index:after], passage[index - 1] if index else ""
        beside_punctuation = _reference_trailing_punctuation(passage, after) or _reference_cjk_punctuation(before)
        inside_cjk = run in ("\n", "\r\n") and is_cjk(before) and is_cjk(passage[after : after + 1])
        if "\n" not in run or not (beside_punctuation or inside_cjk):
            shown.append(" ")
        index = after
    return "".join(shown).strip()


def _reference_mark_cjk(run, pattern):
    if pattern is None:
        return django_escape(run)
    out, position = [], 0
    for match in pattern.finditer(run):
        out.append(django_escape(run[position : match.start()]))
        out.append(f"<mark>{django_escape(match.group(0))}</mark>")
        position = match.end()
    out.append(django_escape(run[position:]))
    return "".join(out)


def _reference_mark(passage, latin, cjk_pattern):
    pieces, position = [], 0
    for match in re.finditer(r"\w+", passage):
        pieces.append(django_escape(passage[position : match.start()]))
        word = match.group(0)
        if any(is_cjk(char) for char in word):
            pieces.append(_reference_mark_cjk(word, cjk_pattern))
        elif any(word.lower().startswith(term) for term in latin):
            pieces.append(f"<mark>{django_escape(word)}</mark>")
        else:
            pieces.append(django_escape(word))
        position = match.end()
    pieces.append(django_escape(passage[position:]))
    return "".join(pieces)


def _reference(text, query, query_terms):
    latin, cjk = _split_terms(query, query_terms, DEFAULT_ANALYZER)

    def score(passage):
        lowered = passage.lower()
        return sum(term in lowered for term in latin) + sum(term in passage for term in cjk)

    best = max(_reference_passages(text), key=score)
    pattern = re.compile("|".join(re.escape(term) for term in cjk)) if cjk else None
    return _reference_mark(_truncate(_reference_shown(best)), latin, pattern)


_PIECES = [
    "install", "Installing", "INSTALL", "reinstall", "license", "Licence", "key", "keys", "proxy", "HW-1042",
    "4.2.1", "v4.2", "win10", "2fa", "café", "Café", "naïve", "İstanbul", "straße", "K", "ſet", "_install",
    "许可证", "许可", "安装", "激活", "密钥", "軟件", "ひらがな", "한국어", "〇", "安装windows", "win安装",
    "<b>", "</script>", "&amp;", "&", '"', "'", "<", ">", ".", "。", "!", "？", "；", ",", "\n", "  ", "\t",
    "\n\n", "\r\n", "\u3000", "\xa0", "...", "?!", " .\n ", "https://app.helloworld.example/login", "auth.login_failed",
    "0x8C1BE8EE", "\n，", "\n。", "\n)", "\n.", ".)", "。”", "（", "）", "」", "”", "’", "\n 或",
]  # fmt: skip
_QUERIES = [
    "install", "license key", "安装", "许可证", "许", "windows 安装", "proxy hw-1042", "café", "4.2",
    "how do I install the license key 许可证过期", "set", "k", "istanbul", "straße",
]  # fmt: skip


@pytest.mark.parametrize("seed", range(6))
def test_snippets_are_the_same_as_the_straightforward_version_on_random_texts(seed):
    rng = random.Random(seed)
    for _ in range(150):
        length = rng.choice([rng.randint(0, 120), rng.randint(0, 3000)])  # up to past the 60 passages read
        text = "".join(rng.choice(_PIECES) + rng.choice(["", " ", " ", ". "]) for _ in range(length))
        query = rng.choice(_QUERIES)
        terms = DEFAULT_ANALYZER.query_tokens(query)
        highlighter = Highlighter(query, terms, DEFAULT_ANALYZER)

        assert str(highlighter.snippet(text)) == _reference(text, query, terms), (text, query)
