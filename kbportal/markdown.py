"""Markdown for every piece of user or staff text: rendered, then sanitized.

markdown-it-py renders CommonMark with raw HTML switched off; nh3 (the Rust
ammonia sanitizer) then keeps only an allowlist of tags, attributes and URL
schemes. Both layers are kept on purpose: the renderer never emits raw HTML and
the sanitizer would remove anything executable even if it did.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html import escape, unescape

import nh3
from django.utils.text import slugify
from markdown_it import MarkdownIt
from mdit_py_plugins.anchors import anchors_plugin

ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "code", "dd", "del", "dl", "dt", "em",
    "h2", "h3", "h4", "h5", "h6", "hr", "i", "img", "kbd", "li", "ol", "p", "pre",
    "s", "strong", "sub", "sup", "table", "tbody", "td", "th", "thead", "tr", "ul",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title", "width", "height"},
    "code": {"class"},
    "th": {"align"},
    "td": {"align"},
    "ol": {"start"},
    **{f"h{level}": {"id"} for level in range(2, 7)},
}
ALLOWED_URL_SCHEMES = {"http", "https", "mailto"}
_CODE_CLASS = re.compile(r"^language-[A-Za-z0-9_+-]{1,32}$")
TOC_LEVELS = (2, 3)


@dataclass(frozen=True)
class TocEntry:
    level: int
    anchor: str
    title: str


@dataclass(frozen=True)
class RenderedMarkdown:
    html: str
    toc: list[TocEntry] = field(default_factory=list)


def heading_anchor(title: str) -> str:
    """A stable, readable anchor for a heading; Chinese headings keep their characters."""
    return slugify(title, allow_unicode=True) or "section"


def _keep_safe_attribute(tag: str, attribute: str, value: str) -> str | None:
    if attribute == "class":
        return value if tag == "code" and _CODE_CLASS.match(value) else None
    return value


def _parser() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False, "typographer": False})
    md.enable(["table", "strikethrough"])
    md.use(anchors_plugin, min_level=2, max_level=4, slug_func=heading_anchor)
    return md


_MARKDOWN = _parser()


def sanitize_html(html: str) -> str:
    """Remove everything outside the allowlist: scripts, handlers, styles, foreign schemes."""
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        attribute_filter=_keep_safe_attribute,
        url_schemes=ALLOWED_URL_SCHEMES,
        link_rel="noopener noreferrer nofollow",
        strip_comments=True,
    )


def _table_of_contents(tokens) -> list[TocEntry]:
    entries = []
    for index, token in enumerate(tokens):
        if token.type != "heading_open":
            continue
        level = int(token.tag[1])
        anchor = token.attrGet("id")
        if level in TOC_LEVELS and anchor:
            entries.append(TocEntry(level=level, anchor=str(anchor), title=tokens[index + 1].content))
    return entries


def render_markdown(text: str) -> RenderedMarkdown:
    """Render Markdown to sanitized HTML and collect the headings for a table of contents."""
    tokens = _MARKDOWN.parse(text or "")
    html = _MARKDOWN.renderer.render(tokens, _MARKDOWN.options, {})
    html = _scrollable_tables(_focusable_code_blocks(sanitize_html(html)))
    return RenderedMarkdown(html=html, toc=_table_of_contents(tokens))


def _focusable_code_blocks(html: str) -> str:
    """A code block scrolls sideways when its lines are long; keyboard users reach it to scroll it (WCAG 2.1.1).
    After sanitizing, so the attribute is the renderer's own: the allowlist gives `pre` none."""
    return html.replace("<pre>", '<pre tabindex="0">')


_TABLE = re.compile(r"<table>.*?</table>", re.DOTALL)
_HEADER_CELL = re.compile(r"<th[^>]*>(.*?)</th>", re.DOTALL)
_MARKUP = re.compile(r"<[^>]*>")
_LABEL_LENGTH = 120


def _scrollable_tables(html: str) -> str:
    """A wide table scrolls sideways in its own box instead of widening the page on a phone; like a code block,
    the box is focusable so keyboard users can scroll it (WCAG 2.1.1), and it is a region named after the table's
    column headings, so a screen reader says which table it holds. The name is the content's own words, in the
    content's language: the HTML is stored, so an interface string would stay in the language it was rendered in.
    After sanitizing, as for code blocks: the allowlist gives `table` no attributes and has no `div`, so `<table>`
    is always the renderer's and no text can forge the wrapper."""

    def wrap(match: re.Match) -> str:
        table = match.group(0)
        headings = [unescape(_MARKUP.sub("", cell)).strip() for cell in _HEADER_CELL.findall(table)]
        label = ", ".join(heading for heading in headings if heading)
        if len(label) > _LABEL_LENGTH:
            label = label[: _LABEL_LENGTH - 1].rstrip(", ") + "…"
        region = f' role="region" aria-label="{escape(label)}"' if label else ""
        return f'<div class="table-scroll"{region} tabindex="0">{table}</div>'

    return _TABLE.sub(wrap, html)
