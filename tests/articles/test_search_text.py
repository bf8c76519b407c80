"""The text an article gives the index: its rendered HTML without tags, as Django's HTML parser reads it."""

from html import unescape

import pytest
from django.utils.html import strip_tags

from articles.search import plain_text
from kbportal.markdown import render_markdown

SAMPLES = [
    '# Title\n\nSome *emphasis*, `code <b>` and a [link](https://example.com/?a=1&b=2 "a > b").',
    "| a | b |\n|---|---|\n| 1 < 2 | x & y |\n\n```\nif a < b and c > d:\n    pass\n```",
    "Line one<br>line two <img src=x alt='a > b'> 同步 <script>alert(1)</script> &amp; &lt;tag&gt;",
    "> quoted\n\n- one\n- two\n\n1. first\n2. second\n\n<details><summary>More</summary>Hidden</details>",
]


@pytest.mark.parametrize("markdown", SAMPLES)
def test_the_indexed_text_is_what_the_html_parser_reads(markdown):
    html = render_markdown(markdown).html

    assert plain_text(html) == unescape(strip_tags(html.replace("</", "\n</")))
