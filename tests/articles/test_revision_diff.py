"""Comparing two revisions: a word-level diff (character-level in Chinese), safe HTML, no difflib tables."""

import re

from articles.revision_diff import render_diff, word_diff

REMOVED, ADDED = '<del class="kb-del">', '<ins class="kb-ins">'


def _marked(html: str, tag: str) -> list[str]:
    """The texts inside <del> or <ins>, without the hidden label for screen readers."""
    pattern = rf'<{tag} class="kb-{tag}"><span class="visually-hidden">[^<]*</span>(.*?)</{tag}>'
    return re.findall(pattern, html, flags=re.S)


def test_a_changed_word_is_the_only_thing_marked():
    assert word_diff("the quick brown fox", "the slow brown fox") == [
        ("equal", "the "),
        ("delete", "quick"),
        ("insert", "slow"),
        ("equal", " brown fox"),
    ]


def test_the_html_marks_exactly_the_removed_and_the_added_word():
    html = render_diff("the quick brown fox", "the slow brown fox")

    assert _marked(html, "del") == ["quick"]
    assert _marked(html, "ins") == ["slow"]
    assert html.startswith('<div class="kb-diff-text">the ')
    assert " brown fox</div>" in html


def test_removed_and_added_text_carry_a_label_for_screen_readers():
    html = render_diff("the quick brown fox", "the slow brown fox")

    assert '<del class="kb-del"><span class="visually-hidden">Removed: </span>quick</del>' in html
    assert '<ins class="kb-ins"><span class="visually-hidden">Added: </span>slow</ins>' in html


def test_a_chinese_change_marks_only_the_changed_characters():
    html = render_diff("请点击保存按钮，然后关闭窗口。", "请点击提交按钮，然后关闭窗口。")

    assert _marked(html, "del") == ["保存"]
    assert _marked(html, "ins") == ["提交"]
    assert html.startswith('<div class="kb-diff-text">请点击<del')


def test_mixed_chinese_and_english_keep_english_words_whole():
    assert word_diff("在 Windows 上安装", "在 macOS 上安装") == [
        ("equal", "在 "),
        ("delete", "Windows"),
        ("insert", "macOS"),
        ("equal", " 上安装"),
    ]


def test_a_few_shared_letters_do_not_shred_a_rewritten_sentence():
    diff = word_diff("Open the settings page.", "Close a dialog box.")

    assert [op for op, _ in diff] == ["delete", "insert", "equal"]
    assert diff[-1] == ("equal", ".")


def test_everything_is_escaped():
    html = render_diff('<script>alert("x")</script> & more', '<img src=x onerror="y"> & more')

    assert "<script" not in html
    assert "<img" not in html
    assert 'onerror="' not in html
    assert "alert(&quot;x&quot;)&lt;/script" in "".join(_marked(html, "del"))
    assert "img src=x onerror=&quot;y&quot;" in "".join(_marked(html, "ins"))
    assert html.endswith(" &amp; more</div>")


def test_long_unchanged_stretches_are_folded_with_a_count():
    lines = [f"Line {n}." for n in range(1, 41)]
    after = list(lines)
    after[19] = "Line twenty."

    html = render_diff("\n".join(lines), "\n".join(after))

    assert _marked(html, "del") == ["20"]
    assert _marked(html, "ins") == ["twenty"]
    assert "Line 18." in html  # the context around the change
    assert "Line 22." in html
    assert "Line 5." not in html
    assert "Line 35." not in html
    assert html.count('class="kb-diff-skip"') == 2
    assert "17 unchanged lines" in html
    assert "18 unchanged lines" in html


def test_added_and_removed_lines_are_marked_whole():
    html = render_diff("## Steps\n\nOpen Settings.\n", "## Steps\n\nOpen Settings.\nChoose Account.\n")

    assert _marked(html, "ins") == ["Choose Account.\n"]
    assert _marked(html, "del") == []


def test_windows_line_endings_from_the_admin_form_are_not_a_change():
    html = render_diff("One.\r\nTwo.\r\nThree.", "One.\nTwo!\nThree.")

    assert _marked(html, "del") == ["."]
    assert _marked(html, "ins") == ["!"]


def test_no_difflib_artefacts():
    html = render_diff("a\nb\nc", "a\nB\nc")

    for artefact in ("<table", "diff_next", "diff_add", ">t<", "&gt;", "nowrap"):
        assert artefact not in html
