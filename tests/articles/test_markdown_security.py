"""XSS regression suite for kbportal.markdown.

Every payload is rendered with ``render_markdown`` and the resulting HTML is
parsed with the standard library's ``html.parser``; the checker below then
reports anything a browser could execute: a tag outside the allowlist, an
event-handler or style attribute, a URL with a scheme other than http, https
or mailto, or a raw ``<script``/``<iframe``/``<svg``/``<style`` in the output.

The allowlists are copied here on purpose, so widening them in the module
cannot silently widen what this suite accepts.
"""

from __future__ import annotations

import re
import time
import unicodedata
from html.parser import HTMLParser

import pytest

from kbportal import markdown as kb_markdown
from kbportal.markdown import render_markdown, sanitize_html

# Copied from kbportal.markdown.ALLOWED_TAGS / ALLOWED_ATTRIBUTES at review time.
SAFE_TAGS = frozenset({
    "a", "abbr", "b", "blockquote", "br", "code", "dd", "del", "dl", "dt", "em",
    "h2", "h3", "h4", "h5", "h6", "hr", "i", "img", "kbd", "li", "ol", "p", "pre",
    "s", "strong", "sub", "sup", "table", "tbody", "td", "th", "thead", "tr", "ul",
})  # fmt: skip
RENDERER_TAGS = frozenset({"div"})  # never let through by the sanitizer; the renderer wraps each table in one
SAFE_ATTRIBUTES = {
    "a": {"href", "title", "rel"},  # rel is added by the sanitizer itself
    "img": {"src", "alt", "title", "width", "height"},
    "code": {"class"},
    "th": {"align"},
    "td": {"align"},
    "ol": {"start"},
    "pre": {"tabindex"},  # added by the renderer itself, always "0" (checked below)
    "div": {"class", "role", "aria-label", "tabindex"},  # the renderer's own scroll box around a table (checked below)
    **{f"h{level}": {"id"} for level in range(2, 7)},
}
SAFE_SCHEMES = ("http:", "https:", "mailto:")
DANGEROUS_SCHEMES = ("javascript:", "vbscript:", "data:")
URL_ATTRIBUTES = frozenset({
    "href", "src", "action", "formaction", "xlink:href", "srcset", "background",
    "poster", "data", "codebase", "cite", "dynsrc", "lowsrc", "longdesc", "ping",
})  # fmt: skip
FORBIDDEN_SUBSTRINGS = (
    "<script", "<iframe", "<svg", "<style", "<object", "<embed", "<math", "<base",
    "<meta", "<link", "<form", "<body", "<frame",
)  # fmt: skip
_SCHEME = re.compile(r"^[a-z][a-z0-9+.\-]*:")
_CODE_CLASS = re.compile(r"^language-[a-z0-9_+\-]+$", re.IGNORECASE)
TABLE_BOX = ("div", "table-scroll")


def _normalise_url(value: str) -> str:
    """What a browser's URL parser sees, made stricter.

    ``html.parser`` has already decoded character references in the attribute
    value exactly once, as a browser does. Browsers drop tabs and newlines
    anywhere in a URL and control characters or spaces at either end; this
    drops every whitespace, control and invisible format character anywhere.
    """
    kept = [
        char
        for char in value
        if not char.isspace() and unicodedata.category(char) not in {"Cc", "Cf", "Zs", "Zl", "Zp"}
    ]
    return "".join(kept).lower()


def url_problem(value: str) -> str | None:
    url = _normalise_url(value)
    if url.startswith(DANGEROUS_SCHEMES):
        return f"dangerous scheme in {value!r}"
    if _SCHEME.match(url) and not url.startswith(SAFE_SCHEMES):
        return f"scheme outside http/https/mailto in {value!r}"
    return None


class UnsafeHTMLFinder(HTMLParser):
    """Collects every reason the parsed HTML could run code."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag not in SAFE_TAGS and not (tag in RENDERER_TAGS and ("class", TABLE_BOX[1]) in attrs):
            self.problems.append(f"tag <{tag}> is not allowed")
        allowed = SAFE_ATTRIBUTES.get(tag, set())
        for name, value in attrs:
            value = value or ""
            if name.startswith("on"):
                self.problems.append(f"event handler {name}={value!r} on <{tag}>")
            if name == "style":
                self.problems.append(f"style attribute {value!r} on <{tag}>")
            if name not in allowed:
                self.problems.append(f"attribute {name!r} not allowed on <{tag}>")
            if name in URL_ATTRIBUTES:
                problem = url_problem(value)
                if problem:
                    self.problems.append(f"<{tag} {name}>: {problem}")
            if name == "tabindex" and value != "0":
                self.problems.append(f"tabindex {value!r} on <{tag}>")
            if name == "class" and not (tag == "code" and _CODE_CLASS.match(value)) and (tag, value) != TABLE_BOX:
                self.problems.append(f"class {value!r} on <{tag}>")
            if name == "role" and value != "region":
                self.problems.append(f"role {value!r} on <{tag}>")

    def handle_endtag(self, tag):
        if tag not in SAFE_TAGS | RENDERER_TAGS:
            self.problems.append(f"end tag </{tag}> is not allowed")

    def handle_comment(self, data):
        self.problems.append(f"comment {data!r} survived")

    def handle_decl(self, decl):
        self.problems.append(f"declaration {decl!r} survived")

    def unknown_decl(self, data):
        self.problems.append(f"declaration/CDATA {data!r} survived")

    def handle_pi(self, data):
        self.problems.append(f"processing instruction {data!r} survived")


def find_unsafe(html: str) -> list[str]:
    finder = UnsafeHTMLFinder()
    finder.feed(html)
    finder.close()
    lowered = html.lower()
    problems = list(finder.problems)
    problems += [f"raw {needle!r} in output" for needle in FORBIDDEN_SUBSTRINGS if needle in lowered]
    return problems


def assert_safe(html: str) -> None:
    problems = find_unsafe(html)
    assert not problems, f"unsafe output {html!r}: {problems}"


# ---------------------------------------------------------------------------
# Payloads
# ---------------------------------------------------------------------------

JAVASCRIPT_LINKS = [
    pytest.param("[x](javascript:alert(1))", id="js-plain"),
    pytest.param("[x](JaVaScRiPt:alert(1))", id="js-mixed-case"),
    pytest.param("[x](JAVASCRIPT:alert(1))", id="js-upper-case"),
    pytest.param("[x]( javascript:alert(1))", id="js-leading-space"),
    pytest.param("[x](\x01javascript:alert(1))", id="js-leading-ctrl-01"),
    pytest.param("[x](\x08javascript:alert(1))", id="js-leading-ctrl-08"),
    pytest.param("[x](\x1fjavascript:alert(1))", id="js-leading-ctrl-1f"),
    pytest.param("[x](<\x0bjavascript:alert(1)>)", id="js-leading-vtab-angle"),
    pytest.param("[x](java\tscript:alert(1))", id="js-tab-in-scheme"),
    pytest.param("[x](<java\tscript:alert(1)>)", id="js-tab-in-scheme-angle"),
    pytest.param("[x](java\nscript:alert(1))", id="js-newline-in-scheme"),
    pytest.param("[x](java\rscript:alert(1))", id="js-cr-in-scheme"),
    pytest.param("[x](jav&#x09;ascript:alert(1))", id="js-entity-tab"),
    pytest.param("[x](jav&#x0A;ascript:alert(1))", id="js-entity-newline"),
    pytest.param("[x](&Tab;javascript:alert(1))", id="js-named-entity-tab-prefix"),
    pytest.param("[x](jav&NewLine;ascript:alert(1))", id="js-named-entity-newline"),
    pytest.param("[x](&#106;avascript:alert(1))", id="js-decimal-entity"),
    pytest.param("[x](&#106avascript:alert(1))", id="js-decimal-entity-no-semicolon"),
    pytest.param("[x](&#0000106;avascript:alert(1))", id="js-decimal-entity-zero-padded"),
    pytest.param(
        "[x](&#0000106avascript:alert(1))",
        id="js-decimal-entity-zero-padded-no-semicolon",
    ),
    pytest.param("[x](&#x6A;avascript:alert(1))", id="js-hex-entity"),
    pytest.param("[x](&#x6Aavascript:alert(1))", id="js-hex-entity-no-semicolon"),
    pytest.param("[x](&#x000006a;avascript:alert(1))", id="js-hex-entity-zero-padded"),
    pytest.param(
        "[x](&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;alert(1))",
        id="js-fully-decimal-encoded",
    ),
    pytest.param(
        "[x](&#106&#97&#118&#97&#115&#99&#114&#105&#112&#116&#58alert(1))",
        id="js-fully-decimal-encoded-no-semicolons",
    ),
    pytest.param(
        "[x](&#x6A&#x61&#x76&#x61&#x73&#x63&#x72&#x69&#x70&#x74&#x3A;alert(1))",
        id="js-fully-hex-encoded",
    ),
    pytest.param("[x](javascript&colon;alert(1))", id="js-named-entity-colon"),
    pytest.param("[x](javascript&#58;alert(1))", id="js-decimal-entity-colon"),
    pytest.param("[x](javascript&#x3A;alert(1))", id="js-hex-entity-colon"),
    pytest.param("[x](%6Aavascript:alert(1))", id="js-percent-encoded-j"),
    pytest.param("[x](javascript%3Aalert(1))", id="js-percent-encoded-colon"),
    pytest.param("[x](java%0ascript:alert(1))", id="js-percent-encoded-newline"),
    pytest.param("[x](%20javascript:alert(1))", id="js-percent-encoded-leading-space"),
    pytest.param("[x](java\x00script:alert(1))", id="js-nul-in-scheme"),
    pytest.param("[x](\x00javascript:alert(1))", id="js-leading-nul"),
    pytest.param("[x](javascript\x00:alert(1))", id="js-nul-before-colon"),
    pytest.param("[x](&#0;javascript:alert(1))", id="js-nul-entity-prefix"),
    pytest.param("[x](<javascript:alert(1)>)", id="js-angle-destination"),
    pytest.param("[x](javascript://%0Aalert(1))", id="js-comment-newline-trick"),
    pytest.param("[x](javascript://example.com/%0Aalert(1))", id="js-fake-host"),
    pytest.param("[x](\\javascript:alert(1))", id="js-backslash-prefix"),
    pytest.param('[x](javascript:alert(1) "title")', id="js-with-title"),
    pytest.param("[x](  \t javascript:alert(1)  )", id="js-mixed-whitespace"),
    pytest.param("![x](javascript:alert(1))", id="js-image-src"),
    pytest.param("[![x](https://example.com/a.png)](javascript:alert(1))", id="js-linked-image"),
    pytest.param("**[x](javascript:alert(1))**", id="js-inside-strong"),
    pytest.param("| a |\n|---|\n| [x](javascript:alert(1)) |", id="js-inside-table"),
]

OTHER_SCHEMES = [
    pytest.param("[x](vbscript:msgbox(1))", id="vbscript-link"),
    pytest.param("[x](VBScript:msgbox(1))", id="vbscript-mixed-case"),
    pytest.param("![x](vbscript:msgbox(1))", id="vbscript-image"),
    pytest.param("[x](data:text/html,<script>alert(1)</script>)", id="data-html-link"),
    pytest.param("[x](<data:text/html,<script>alert(1)</script>>)", id="data-html-link-angle"),
    pytest.param(
        "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
        id="data-html-base64-link",
    ),
    pytest.param("[x](DATA:text/html,alert(1))", id="data-upper-case-link"),
    pytest.param(
        "![x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
        id="data-html-image",
    ),
    pytest.param(
        "![x](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+PC9zdmc+)",
        id="data-svg-base64-image",
    ),
    pytest.param(
        "![x](data:image/svg+xml,<svg onload=alert(1)>)",
        id="data-svg-inline-image",
    ),
    pytest.param(
        "[x](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+PC9zdmc+)",
        id="data-svg-link",
    ),
    pytest.param("![x](data:image/png;base64,iVBORw0KGgo=)", id="data-png-image"),
    pytest.param("![x](data:image/gif;base64,R0lGODlhAQABAAAAACw=)", id="data-gif-image"),
    pytest.param("[x](file:///etc/passwd)", id="file-scheme-link"),
    pytest.param("[x](livescript:alert(1))", id="livescript-link"),
]

NESTED_SCHEMES = [
    pytest.param("[x](javas<script>cript:alert(1))", id="nested-script-tag-in-scheme"),
    pytest.param("[x](jajavascript:vascript:alert(1))", id="nested-scheme-in-scheme"),
    pytest.param("[x](javas&#99;ript:alert(1))", id="nested-entity-in-scheme"),
    pytest.param("[x](java&amp;#115;cript:alert(1))", id="nested-double-encoded-entity"),
    pytest.param("[x](javascript:javascript:alert(1))", id="nested-repeated-scheme"),
    pytest.param("[x](https://javascript:alert(1))", id="nested-js-as-host"),
    pytest.param("[x](https:javascript:alert(1))", id="nested-js-after-https"),
]

REFERENCE_LINKS = [
    pytest.param("[x][1]\n\n[1]: javascript:alert(1)", id="ref-link-js"),
    pytest.param("[x][1]\n\n[1]: <javascript:alert(1)>", id="ref-link-js-angle"),
    pytest.param('[x][1]\n\n[1]: javascript:alert(1) "title"', id="ref-link-js-title"),
    pytest.param("[x][1]\n\n[1]: JaVaScRiPt:alert(1)", id="ref-link-js-mixed-case"),
    pytest.param("[x][1]\n\n[1]: &#106;avascript:alert(1)", id="ref-link-js-entity"),
    pytest.param("[x][1]\n\n[1]: vbscript:msgbox(1)", id="ref-link-vbscript"),
    pytest.param("[x][]\n\n[x]: javascript:alert(1)", id="ref-link-collapsed"),
    pytest.param("[x]\n\n[x]: javascript:alert(1)", id="ref-link-shortcut"),
    pytest.param("![x][1]\n\n[1]: javascript:alert(1)", id="ref-image-js"),
    pytest.param(
        "![x][1]\n\n[1]: data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+PC9zdmc+",
        id="ref-image-data-svg",
    ),
    pytest.param("![x][1]\n\n[1]: data:image/png;base64,iVBORw0KGgo=", id="ref-image-data-png"),
    pytest.param(
        '[x][1]\n\n[1]: https://example.com "a\\" onmouseover=\\"alert(1)"',
        id="ref-link-title-breakout",
    ),
]

AUTOLINKS = [
    pytest.param("<javascript:alert(1)>", id="autolink-js"),
    pytest.param("<JAVASCRIPT:alert(1)>", id="autolink-js-upper"),
    pytest.param("<javascript:alert(1)//@example.com>", id="autolink-js-fake-email"),
    pytest.param("<vbscript:msgbox(1)>", id="autolink-vbscript"),
    pytest.param("<data:text/html,alert(1)>", id="autolink-data"),
    pytest.param(
        "<data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+>",
        id="autolink-data-svg",
    ),
    pytest.param('<https://example.com/"onmouseover="alert(1)>', id="autolink-quote-breakout"),
    pytest.param("<https://example.com/<script>alert(1)</script>>", id="autolink-script-in-url"),
    pytest.param("javascript:alert(1)", id="bare-js-text"),
]

RAW_HTML = [
    pytest.param("<script>alert(1)</script>", id="html-script"),
    pytest.param("<SCRIPT SRC=https://evil.example/x.js></SCRIPT>", id="html-script-src-upper"),
    pytest.param("<scr<script>ipt>alert(1)</scr</script>ipt>", id="html-script-split"),
    pytest.param("<script\n>alert(1)</script\n>", id="html-script-newline"),
    pytest.param('<iframe src="javascript:alert(1)"></iframe>', id="html-iframe"),
    pytest.param('<iframe srcdoc="<script>alert(1)</script>"></iframe>', id="html-iframe-srcdoc"),
    pytest.param('<object data="javascript:alert(1)"></object>', id="html-object"),
    pytest.param('<embed src="javascript:alert(1)">', id="html-embed"),
    pytest.param("<style>body{background:url(javascript:alert(1))}</style>", id="html-style-tag"),
    pytest.param("<svg onload=alert(1)>", id="html-svg-onload"),
    pytest.param("<svg><script>alert(1)</script></svg>", id="html-svg-script"),
    pytest.param(
        '<svg><a xlink:href="javascript:alert(1)"><text>x</text></a></svg>',
        id="html-svg-xlink",
    ),
    pytest.param(
        "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)></style></mglyph></table></mtext></math>",
        id="html-math-mxss",
    ),
    pytest.param('<math href="javascript:alert(1)">x</math>', id="html-math-href"),
    pytest.param("<img src=x onerror=alert(1)>", id="html-img-onerror"),
    pytest.param("<body onload=alert(1)>", id="html-body-onload"),
    pytest.param(
        '<form action="javascript:alert(1)"><button>x</button></form>',
        id="html-form-action",
    ),
    pytest.param(
        '<button formaction="javascript:alert(1)">x</button>',
        id="html-button-formaction",
    ),
    pytest.param(
        '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
        id="html-meta-refresh",
    ),
    pytest.param('<base href="javascript:alert(1)//">', id="html-base-href"),
    pytest.param('<link rel="stylesheet" href="javascript:alert(1)">', id="html-link"),
    pytest.param('<a href="javascript:alert(1)">x</a>', id="html-anchor-js"),
    pytest.param("<details open ontoggle=alert(1)>", id="html-details-ontoggle"),
    pytest.param("<video><source onerror=alert(1)></video>", id="html-video-source"),
    pytest.param("<input autofocus onfocus=alert(1)>", id="html-input-onfocus"),
    pytest.param("<marquee onstart=alert(1)>x</marquee>", id="html-marquee"),
    pytest.param("<isindex type=image src=1 onerror=alert(1)>", id="html-isindex"),
    pytest.param("<x onclick=alert(1)>click</x>", id="html-unknown-tag"),
    pytest.param(
        '<noscript><p title="</noscript><img src=x onerror=alert(1)>">',
        id="html-noscript-mxss",
    ),
    pytest.param("<template><script>alert(1)</script></template>", id="html-template"),
    pytest.param("<div>\n\n<script>alert(1)</script>\n\n</div>", id="html-block-with-blank-lines"),
]

EVENT_HANDLERS = [
    pytest.param('<img src="x" onerror="alert(1)">', id="handler-double-quotes"),
    pytest.param("<img src='x' onerror='alert(1)'>", id="handler-single-quotes"),
    pytest.param("<img src=x onerror=alert(1)>", id="handler-unquoted"),
    pytest.param("<img src=`x` onerror=`alert(1)`>", id="handler-backticks"),
    pytest.param('<img src=x onerror  =  "alert(1)">', id="handler-spaces-around-equals"),
    pytest.param("<img/src=x/onerror=alert(1)>", id="handler-slash-separators"),
    pytest.param("<IMG SRC=x ONERROR=alert(1)>", id="handler-upper-case"),
    pytest.param("<img src=x\nonerror=alert(1)>", id="handler-newline-separator"),
    pytest.param('<img src=x onerror="&#97;lert(1)">', id="handler-entity-body"),
    pytest.param(
        '<a href="https://example.com" onmouseover="alert(1)">x</a>',
        id="handler-on-safe-tag",
    ),
    pytest.param('<p onclick="alert(1)">x</p>', id="handler-on-paragraph"),
    pytest.param("[x](https://example.com){onclick=alert(1)}", id="handler-attribute-list-syntax"),
]

IMAGE_ALT_BREAKOUTS = [
    pytest.param('![x" onerror="alert(1)](y)', id="alt-double-quote"),
    pytest.param("![x' onerror='alert(1)](y)", id="alt-single-quote"),
    pytest.param("![x onerror=alert(1)](y)", id="alt-unquoted"),
    pytest.param('![x"><script>alert(1)</script>](y)', id="alt-close-tag"),
    pytest.param("![<img src=x onerror=alert(1)>](y)", id="alt-html"),
    pytest.param('![x" onerror="alert(1)](javascript:alert(1))', id="alt-and-js-src"),
    pytest.param("![x&quot; onerror=&quot;alert(1)](y)", id="alt-entity-quote"),
    pytest.param('![x](y" onerror="alert(1))', id="src-quote-breakout"),
    pytest.param('![x](<y" onerror="alert(1)>)', id="src-angle-quote-breakout"),
]

TITLE_BREAKOUTS = [
    pytest.param(
        '[x](https://example.com "a\\" onmouseover=\\"alert(1)")',
        id="title-escaped-double-quote",
    ),
    pytest.param(
        "[x](https://example.com 'a\" onmouseover=\"alert(1)')",
        id="title-single-quoted",
    ),
    pytest.param('[x](https://example.com (a" onclick="alert(1)))', id="title-parenthesised"),
    pytest.param(
        '![x](https://example.com/a.png "\\" onerror=\\"alert(1)")',
        id="title-image-breakout",
    ),
    pytest.param('[x](https://example.com "<script>alert(1)</script>")', id="title-script"),
    pytest.param(
        '[x](https://example.com "&quot; onclick=&quot;alert(1)")',
        id="title-entity-quote",
    ),
]

STYLE_INJECTION = [
    pytest.param('<p style="background:url(javascript:alert(1))">x</p>', id="style-attr-url"),
    pytest.param('<div style="width:expression(alert(1))">x</div>', id="style-attr-expression"),
    pytest.param(
        "<a style=position:fixed;top:0;left:0;width:100%;height:100% href=https://evil.example>x</a>",
        id="style-attr-overlay",
    ),
    pytest.param("<style>@import 'https://evil.example/x.css';</style>", id="style-tag-import"),
    pytest.param(
        "<STYLE>li{list-style-image:url(javascript:alert(1))}</STYLE>",
        id="style-tag-upper",
    ),
    pytest.param('[x](https://example.com){style="color:red"}', id="style-attribute-list-syntax"),
    pytest.param('![x](https://example.com/a.png){: style="x"}', id="style-kramdown-syntax"),
]

COMMENTS_AND_CDATA = [
    pytest.param("<!-- --><script>alert(1)</script> -->", id="comment-closed-early"),
    pytest.param("<!--<img src=x onerror=alert(1)>-->", id="comment-hiding-img"),
    pytest.param("<!--><img src=x onerror=alert(1)>-->", id="comment-abrupt-close"),
    pytest.param("<!--!><img src=x onerror=alert(1)>-->", id="comment-bang-close"),
    pytest.param("<![CDATA[<script>alert(1)</script>]]>", id="cdata-script"),
    pytest.param("<![CDATA[><img src=x onerror=alert(1)>]]>", id="cdata-img"),
    pytest.param("<!--[if IE]><script>alert(1)</script><![endif]-->", id="conditional-comment"),
    pytest.param("<?xml version='1.0'?><script>alert(1)</script>", id="processing-instruction"),
    pytest.param("<!DOCTYPE html><script>alert(1)</script>", id="doctype"),
    pytest.param("`<!--` <img src=x onerror=alert(1)> `-->`", id="comment-markers-in-code-spans"),
]

MARKDOWN_IN_ATTRIBUTES = [
    pytest.param('<a href="[x](javascript:alert(1))">x</a>', id="md-link-in-href"),
    pytest.param('<img src="x" alt="**b**" onerror=alert(1)>', id="md-emphasis-in-alt"),
    pytest.param("[<img src=x onerror=alert(1)>](https://example.com)", id="html-in-link-text"),
    pytest.param('<a title="*a*" href="javascript:alert(1)">*x*</a>', id="md-emphasis-in-title"),
    pytest.param('[x](https://example.com "[y](javascript:alert(1))")', id="md-link-in-title"),
    pytest.param(
        "<a href='javascript:alert(1)'>[x](https://example.com)</a>",
        id="md-link-in-html-anchor",
    ),
    pytest.param(
        "<div title='\n\n[x](javascript:alert(1))\n\n'>y</div>",
        id="md-block-in-attribute",
    ),
    pytest.param('[a](https://example.com/"onmouseover="alert(1))', id="quote-in-url"),
]

UNICODE_TRICKS = [
    pytest.param("[x](ｊａｖａｓｃｒｉｐｔ:alert(1))", id="fullwidth-javascript"),
    pytest.param("[x](javascript：alert(1))", id="fullwidth-colon"),
    pytest.param("＜script＞alert(1)＜/script＞", id="fullwidth-script-tag"),
    pytest.param("[x](java\u200bscript:alert(1))", id="zero-width-space-in-scheme"),
    pytest.param("[x](\ufeffjavascript:alert(1))", id="bom-prefix"),
    pytest.param("[x](\u00a0javascript:alert(1))", id="nbsp-prefix"),
    pytest.param("[x](\u2028javascript:alert(1))", id="line-separator-prefix"),
    pytest.param("[x](\u202ejavascript:alert(1))", id="rtl-override-prefix"),
    pytest.param("<ſcript>alert(1)</ſcript>", id="long-s-script"),
    pytest.param("[x](java\u0455cript:alert(1))", id="cyrillic-dze-homoglyph"),
    pytest.param("[x](\u0130avascript:alert(1))", id="dotted-capital-i"),
    pytest.param("<ｓｃｒｉｐｔ>alert(1)</ｓｃｒｉｐｔ>", id="fullwidth-letters-tag"),
    pytest.param("\u003cscript\u003ealert(1)\u003c/script\u003e", id="unicode-escaped-lt"),
    pytest.param("\\<script>alert(1)\\</script>", id="backslash-escaped-lt"),
]

CODE_AND_HEADINGS = [
    pytest.param('```js" onmouseover="alert(1)\nx\n```', id="code-info-string-quote"),
    pytest.param("```<script>alert(1)</script>\nx\n```", id="code-info-string-script"),
    pytest.param("```x onload=alert(1)\nx\n```", id="code-info-string-handler"),
    pytest.param("```\n<script>alert(1)</script>\n```", id="code-block-script-body"),
    pytest.param("`<img src=x onerror=alert(1)>`", id="code-span-img"),
    pytest.param("    <script>alert(1)</script>", id="indented-code-script"),
    pytest.param('## "><script>alert(1)</script>', id="heading-script"),
    pytest.param("## x onmouseover=alert(1)", id="heading-handler-text"),
    pytest.param('## a" onmouseover="alert(1)', id="heading-id-quote-breakout"),
    pytest.param("# <img src=x onerror=alert(1)>", id="h1-img"),
    pytest.param("| a |\n|:-- onmouseover=alert(1) |\n| b |", id="table-align-injection"),
    pytest.param("| <script>alert(1)</script> |\n|---|\n| x |", id="table-header-script"),
    pytest.param(
        '1. a\n\n<ol start="1 onclick=alert(1)"><li>x</li></ol>',
        id="ol-start-injection",
    ),
]

ALL_PAYLOADS = (
    JAVASCRIPT_LINKS
    + OTHER_SCHEMES
    + NESTED_SCHEMES
    + REFERENCE_LINKS
    + AUTOLINKS
    + RAW_HTML
    + EVENT_HANDLERS
    + IMAGE_ALT_BREAKOUTS
    + TITLE_BREAKOUTS
    + STYLE_INJECTION
    + COMMENTS_AND_CDATA
    + MARKDOWN_IN_ATTRIBUTES
    + UNICODE_TRICKS
    + CODE_AND_HEADINGS
)

# Raw HTML the renderer would escape anyway; fed straight to the sanitizer to
# prove the second layer holds on its own.
SANITIZER_PAYLOADS = (
    RAW_HTML
    + EVENT_HANDLERS
    + STYLE_INJECTION
    + COMMENTS_AND_CDATA
    + MARKDOWN_IN_ATTRIBUTES
    + [
        pytest.param('<a href="jav&#x09;ascript:alert(1)">x</a>', id="html-anchor-entity-tab"),
        pytest.param(
            '<a href="&#0000106avascript:alert(1)">x</a>',
            id="html-anchor-zero-padded-entity",
        ),
        pytest.param(
            '<a href="&#x6A&#x61&#x76&#x61&#x73&#x63&#x72&#x69&#x70&#x74&#x3A;alert(1)">x</a>',
            id="html-anchor-hex-entities",
        ),
        pytest.param('<a href=" \x01javascript:alert(1)">x</a>', id="html-anchor-leading-ctrl"),
        pytest.param('<a href="java\nscript:alert(1)">x</a>', id="html-anchor-newline"),
        pytest.param('<a href="vbscript:msgbox(1)">x</a>', id="html-anchor-vbscript"),
        pytest.param(
            '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">x</a>',
            id="html-anchor-data-base64",
        ),
        pytest.param(
            '<img src="data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+">',
            id="html-img-data-svg",
        ),
        pytest.param('<code class="x onclick">y</code>', id="html-code-bad-class"),
        pytest.param(
            '<code class="language-js onclick">y</code>',
            id="html-code-class-with-space",
        ),
        pytest.param('<h2 id="x" onclick="alert(1)">y</h2>', id="html-heading-handler"),
        pytest.param('<ol start="1" style="x"><li>y</li></ol>', id="html-ol-style"),
    ]
)


# ---------------------------------------------------------------------------
# The checker itself must catch dangerous output
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "html",
    [
        pytest.param("<p><script>alert(1)</script></p>", id="script-tag"),
        pytest.param('<iframe src="https://example.com"></iframe>', id="iframe-tag"),
        pytest.param("<svg></svg>", id="svg-tag"),
        pytest.param("<style>p{}</style>", id="style-tag"),
        pytest.param('<img src="x" onerror="alert(1)">', id="onerror"),
        pytest.param("<img src=x ONERROR=alert(1)>", id="onerror-upper"),
        pytest.param('<p style="color:red">x</p>', id="style-attribute"),
        pytest.param('<a href="javascript:alert(1)">x</a>', id="javascript-href"),
        pytest.param('<a href="  JaVaScRiPt:alert(1)">x</a>', id="javascript-href-spaces-case"),
        pytest.param('<a href="jav&#x09;ascript:alert(1)">x</a>', id="javascript-href-entity-tab"),
        pytest.param(
            '<a href="&#0000106avascript:alert(1)">x</a>',
            id="javascript-href-padded-entity",
        ),
        pytest.param(
            '<a href="\x01java\nscript:alert(1)">x</a>',
            id="javascript-href-control-chars",
        ),
        pytest.param('<a href="vbscript:msgbox(1)">x</a>', id="vbscript-href"),
        pytest.param('<img src="data:image/svg+xml;base64,PHN2Zz4=">', id="data-src"),
        pytest.param('<a href="ftp://example.com">x</a>', id="foreign-scheme"),
        pytest.param('<code class="hljs">x</code>', id="foreign-class"),
        pytest.param("<div>x</div>", id="tag-outside-allowlist"),
        pytest.param("<!-- x -->", id="comment"),
    ],
)
def test_checker_reports_dangerous_html(html):
    assert find_unsafe(html)


def test_checker_accepts_safe_html():
    html = (
        '<h2 id="intro">Intro</h2>\n'
        '<p><a href="https://example.com/a?b=1&amp;c=2" title="t" rel="noopener noreferrer nofollow">a</a> '
        '<a href="mailto:help@example.com">mail</a> <a href="/kb/articles/1/">rel</a> <a href="#intro">anchor</a> '
        '<img src="/media/a.png" alt="javascript:alert(1) is just text"></p>\n'
        '<pre><code class="language-python">&lt;script&gt;</code></pre>'
    )
    assert find_unsafe(html) == []


def test_module_allowlist_is_not_wider_than_reviewed_copy():
    assert kb_markdown.ALLOWED_TAGS <= SAFE_TAGS
    assert not kb_markdown.ALLOWED_TAGS & RENDERER_TAGS
    for tag, attributes in kb_markdown.ALLOWED_ATTRIBUTES.items():
        assert set(attributes) <= SAFE_ATTRIBUTES.get(tag, set()), tag
    assert set(kb_markdown.ALLOWED_URL_SCHEMES) <= {"http", "https", "mailto"}


# ---------------------------------------------------------------------------
# Payloads
# ---------------------------------------------------------------------------


def test_payload_count():
    assert len(ALL_PAYLOADS) >= 40
    ids = [param.id for param in ALL_PAYLOADS]
    assert len(ids) == len(set(ids))


@pytest.mark.parametrize("payload", ALL_PAYLOADS)
def test_render_markdown_leaves_nothing_executable(payload):
    assert_safe(render_markdown(payload).html)


@pytest.mark.parametrize("payload", ALL_PAYLOADS)
def test_payload_inside_surrounding_markdown(payload):
    text = f"## Title\n\nSome *text* before.\n\n{payload}\n\n- item {payload}\n\n> {payload}\n"
    assert_safe(render_markdown(text).html)


@pytest.mark.parametrize("payload", SANITIZER_PAYLOADS)
def test_sanitize_html_alone_leaves_nothing_executable(payload):
    assert_safe(sanitize_html(payload))


@pytest.mark.parametrize(
    "text",
    [
        pytest.param(">" * 20_000 + " x", id="deep-blockquotes"),
        pytest.param("".join("  " * i + "- a\n" for i in range(300)), id="deep-lists"),
        pytest.param(
            "[" * 20_000 + "x" + "]" * 20_000 + "(javascript:alert(1))",
            id="deep-brackets",
        ),
        pytest.param(
            "[a](" * 5_000 + "javascript:alert(1)" + ")" * 5_000,
            id="deep-link-destinations",
        ),
        pytest.param("![a" * 5_000 + "](javascript:alert(1))", id="deep-images"),
        pytest.param("*" * 20_000 + "x" + "*" * 20_000, id="deep-emphasis"),
        pytest.param("<" * 20_000 + "script>alert(1)", id="many-lt"),
        pytest.param("`" * 20_000, id="many-backticks"),
        pytest.param(
            "<div>" * 5_000 + "<script>alert(1)</script>" + "</div>" * 5_000,
            id="deep-html",
        ),
        pytest.param("&#106;" * 20_000 + "avascript:alert(1)", id="many-entities"),
        pytest.param(
            ("| a | <img src=x onerror=alert(1)> |\n|---|---|\n" * 500),
            id="many-tables",
        ),
    ],
)
def test_huge_nested_input_does_not_crash(text):
    started = time.monotonic()
    result = render_markdown(text)
    assert time.monotonic() - started < 20
    assert isinstance(result.html, str)
    assert_safe(result.html)


# ---------------------------------------------------------------------------
# Ordinary Markdown keeps working
# ---------------------------------------------------------------------------


def test_headings_keep_ids():
    html = render_markdown("## Getting started\n\n### Install the client\n\n#### Details\n").html
    assert '<h2 id="getting-started">Getting started</h2>' in html
    assert '<h3 id="install-the-client">Install the client</h3>' in html
    assert '<h4 id="details">Details</h4>' in html
    assert_safe(html)


def test_links_keep_https_href_and_get_rel():
    html = render_markdown('See [the docs](https://example.com/docs?a=1&b=2 "Docs").').html
    assert 'href="https://example.com/docs?a=1&amp;b=2"' in html
    assert 'title="Docs"' in html
    assert 'rel="noopener noreferrer nofollow"' in html
    assert_safe(html)


def test_autolinks_and_mailto_survive():
    html = render_markdown("<https://example.com> and [mail](mailto:help@example.com)").html
    assert 'href="https://example.com"' in html
    assert 'href="mailto:help@example.com"' in html
    assert html.count('rel="noopener noreferrer nofollow"') == 2
    assert_safe(html)


def test_relative_links_and_images_survive():
    html = render_markdown('[next](/kb/articles/2/) ![diagram](/media/diagram.png "Diagram")').html
    assert 'href="/kb/articles/2/"' in html
    assert 'src="/media/diagram.png"' in html
    assert 'alt="diagram"' in html
    assert_safe(html)


def test_code_block_keeps_language_class_and_escapes_body():
    html = render_markdown("```python\nprint('<b>hi</b>')\n```").html
    assert '<pre tabindex="0"><code class="language-python">' in html
    assert "&lt;b&gt;hi&lt;/b&gt;" in html
    assert_safe(html)


def test_code_block_with_bad_info_string_loses_class():
    html = render_markdown('```js" onclick="x\ncode\n```').html
    assert "class=" not in html
    assert '<pre tabindex="0"><code>' in html


def test_tables_render():
    html = render_markdown("| Name | Value |\n|:-----|------:|\n| a | 1 |\n").html
    for tag in ("<table>", "<thead>", "<tbody>", "<tr>", "<th", "<td"):
        assert tag in html
    assert "Name" in html
    assert "Value" in html
    assert_safe(html)


def test_strikethrough_and_emphasis():
    html = render_markdown("~~old~~ **bold** *em*").html
    assert "<s>old</s>" in html
    assert "<strong>bold</strong>" in html
    assert "<em>em</em>" in html


def test_toc_lists_h2_and_h3_headings():
    text = "# Title\n\n## 安装步骤\n\ntext\n\n### Configure the client\n\n#### Too deep\n\n## FAQ\n"
    rendered = render_markdown(text)
    toc = [(entry.level, entry.anchor, entry.title) for entry in rendered.toc]
    assert toc == [
        (2, "安装步骤", "安装步骤"),
        (3, "configure-the-client", "Configure the client"),
        (2, "faq", "FAQ"),
    ]
    assert '<h2 id="安装步骤">安装步骤</h2>' in rendered.html
    for entry in rendered.toc:
        assert f'id="{entry.anchor}"' in rendered.html


def test_toc_is_empty_without_headings():
    assert render_markdown("just text").toc == []
    assert render_markdown("").toc == []


def test_a_code_block_is_reachable_by_keyboard_to_scroll_it():
    """axe's scrollable-region-focusable: a long line scrolls the block sideways, keyboard users must reach it."""
    html = render_markdown("```\n" + "x" * 300 + "\n```").html

    assert html.startswith('<pre tabindex="0">')
    assert_safe(html)


def test_markup_cannot_set_its_own_tabindex():
    html = render_markdown('<pre tabindex="-1">x</pre>\n\n    indented code').html

    assert '<pre tabindex="-1"' not in html  # shown as text, never markup
    assert_safe(html)


WIDE_TABLE = "| Event | Who | 何时 |\n| --- | --- | --- |\n| `user.sign_in` | " + "x" * 200 + " | 2026-05-23 |\n"


def test_a_table_scrolls_sideways_in_its_own_box_that_keyboard_users_can_reach():
    """On a phone a wide table scrolls inside its box instead of widening the page (issue 13, defect 3)."""
    html = render_markdown("Intro\n\n" + WIDE_TABLE).html

    assert '<div class="table-scroll" role="region" aria-label="Event, Who, 何时" tabindex="0"><table>' in html
    assert html.rstrip().endswith("</table></div>")
    assert html.count("<table>") == html.count('<div class="table-scroll"') == 1
    assert_safe(html)


def test_the_table_box_is_named_by_the_column_headings_as_plain_text():
    html = render_markdown('| **Bold** & "quoted" | <b>raw</b> |\n| - | - |\n| a | b |\n').html

    assert 'aria-label="Bold &amp; &quot;quoted&quot;, &lt;b&gt;raw&lt;/b&gt;"' in html
    assert_safe(html)


def test_a_table_without_headings_is_focusable_but_no_nameless_region():
    html = render_markdown("| | |\n| - | - |\n| a | b |\n").html

    assert '<div class="table-scroll" tabindex="0"><table>' in html
    assert "role=" not in html


def test_every_table_gets_its_own_box_and_a_very_long_name_is_cut():
    long_heading = "| " + " | ".join(f"Column number {n}" for n in range(20)) + " |\n"
    separator = "| " + " | ".join("-" for _ in range(20)) + " |\n"
    html = render_markdown(WIDE_TABLE + "\ntext\n\n" + long_heading + separator).html

    assert html.count('<div class="table-scroll" role="region"') == 2
    label = re.findall(r'aria-label="([^"]*)"', html)[1]
    assert len(label) <= 120
    assert label.startswith("Column number 0, Column number 1")
    assert label.endswith("…")


def test_markup_cannot_forge_the_table_box():
    html = render_markdown('<div class="table-scroll" role="region" tabindex="0">x</div>').html

    assert "<div" not in html  # shown as text, never markup
    assert "<div" not in sanitize_html('<div class="table-scroll" role="region">x</div>')
    assert_safe(html)
