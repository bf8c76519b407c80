"""Snippets: the best passage, escaped exactly once, the query's words marked where they stand."""

import random
import re

import pytest
from django.utils.html import escape as django_escape
from django.utils.safestring import SafeString

from kbportal.search.analysis import DEFAULT_ANALYZER, is_cjk
from kbportal.search.snippets import MAX_PASSAGES, SNIPPET_CHARS, Highlighter, _split_terms, _truncate, snippet


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
        "打开设置，选择<mark>许可证</mark>并粘贴密钥即可激活。 <mark>许可证</mark>过期时请续订。"
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


# --- The same output as the straightforward version, on random texts ------------------------------------------
# What snippets were before they were made fast (escape word by word, is_cjk per character): the reference.


def _reference_passages(text):
    passages, current = [], ""
    for sentence in re.split(r"(?<=[.!?。！？；;\n])\s*", text):
        sentence = " ".join(sentence.split())
        if not sentence:
            continue
        if current and len(current) + len(sentence) > SNIPPET_CHARS:
            passages.append(current)
            if len(passages) >= MAX_PASSAGES:
                return passages
            current = sentence
        else:
            current = f"{current} {sentence}".strip()
    if current:
        passages.append(current)
    return passages or [""]


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
    return _reference_mark(_truncate(best), latin, pattern)


_PIECES = [
    "install", "Installing", "INSTALL", "reinstall", "license", "Licence", "key", "keys", "proxy", "HW-1042",
    "4.2.1", "v4.2", "win10", "2fa", "café", "Café", "naïve", "İstanbul", "straße", "K", "ſet", "_install",
    "许可证", "许可", "安装", "激活", "密钥", "軟件", "ひらがな", "한국어", "〇", "安装windows", "win安装",
    "<b>", "</script>", "&amp;", "&", '"', "'", "<", ">", ".", "。", "!", "？", "；", ",", "\n", "  ", "\t",
    "\n\n", "\r\n", "\u3000", "\xa0", "...", "?!", " .\n ",
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
