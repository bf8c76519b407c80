"""A small browser: one HTTP/1.1 request per connection, its own cookie jar, and HTML form reading.

The cookie jar ignores `Secure` on purpose: the stack is served over plain http on 127.0.0.1, and the
production profile may still mark its cookies Secure (a browser would drop them; the run is not about TLS).
"""

from __future__ import annotations

import http.client
import json
import socket
from collections.abc import Callable
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urlencode, urlsplit

# What a browser user sees when the server never answers or hangs up: no status at all.
TRANSPORT_ERRORS = (OSError, http.client.HTTPException, TimeoutError, socket.timeout)


@dataclass
class Response:
    status: int
    headers: dict[str, str]
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")

    def json(self):
        return json.loads(self.body or b"null")

    @property
    def location(self) -> str:
        return self.headers.get("location", "")


@dataclass
class Client:
    """One browser (or API client): cookies kept between requests, a hard timeout on each."""

    port: int
    timeout: float = 35.0
    headers: dict[str, str] = field(default_factory=dict)
    cookies: dict[str, str] = field(default_factory=dict)

    def request(
        self,
        method: str,
        path: str,
        body: bytes | None = None,
        headers: dict | None = None,
        on_sent: Callable[[int], None] | None = None,
    ) -> Response:
        """Raises one of TRANSPORT_ERRORS when there is no response (refused, reset, timed out).

        `on_sent` is called with the connection's local port once the request is sent (the fault injector
        uses it to find, and kill, the server process handling it)."""
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=self.timeout)
        try:
            all_headers = {"Host": f"127.0.0.1:{self.port}", "Accept-Language": "en", "Connection": "close"}
            all_headers.update(self.headers)
            all_headers.update(headers or {})
            if self.cookies:
                all_headers["Cookie"] = "; ".join(f"{name}={value}" for name, value in self.cookies.items())
            connection.request(method, path, body=body, headers=all_headers)
            if on_sent is not None:
                on_sent(connection.sock.getsockname()[1])
            raw = connection.getresponse()
            payload = raw.read()
            self._keep_cookies(raw.headers.get_all("Set-Cookie") or [])
            headers_seen = {name.lower(): value for name, value in raw.getheaders()}
            return Response(status=raw.status, headers=headers_seen, body=payload)
        finally:
            connection.close()

    def get(self, path: str, headers: dict | None = None) -> Response:
        return self.request("GET", path, headers=headers)

    def post_form(self, path: str, fields: list[tuple[str, str]], headers: dict | None = None) -> Response:
        body = urlencode(fields).encode()
        form_headers = {"Content-Type": "application/x-www-form-urlencoded", "Origin": self.origin}
        return self.request("POST", path, body=body, headers={**form_headers, **(headers or {})})

    def post_json(self, path: str, data: dict, headers: dict | None = None, on_sent=None) -> Response:
        body = json.dumps(data).encode()
        json_headers = {"Content-Type": "application/json", "Accept": "application/json"}
        return self.request("POST", path, body=body, headers={**json_headers, **(headers or {})}, on_sent=on_sent)

    @property
    def origin(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def _keep_cookies(self, set_cookies: list[str]) -> None:
        for header in set_cookies:
            name, _, rest = header.partition("=")
            value = rest.split(";", 1)[0]
            attributes = rest.lower()
            if "max-age=0" in attributes or "expires=thu, 01 jan 1970" in attributes:
                self.cookies.pop(name.strip(), None)
            else:
                self.cookies[name.strip()] = value.strip().strip('"')


# --- Forms ------------------------------------------------------------------------------------------------


@dataclass
class Form:
    action: str
    attrs: dict[str, str]
    fields: list[tuple[str, str]] = field(default_factory=list)

    def filled(self, **values: str) -> list[tuple[str, str]]:
        """The form's own values (hidden tokens included) with some replaced or added."""
        kept = [(name, value) for name, value in self.fields if name not in values]
        return kept + list(values.items())

    def value(self, name: str) -> str:
        return next((value for key, value in self.fields if key == name), "")

    def options(self, name: str) -> list[str]:
        return self.attrs.get(f"options:{name}", "").split("\x1f") if f"options:{name}" in self.attrs else []


class _FormParser(HTMLParser):
    """Every <form> with what a browser would submit untouched: inputs, checked boxes, selected options."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[Form] = []
        self._select: str | None = None
        self._select_value: str | None = None
        self._select_first: str | None = None
        self._select_multiple = False
        self._textarea: str | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag: str, attrs) -> None:
        attributes = {name: value or "" for name, value in attrs}
        if tag == "form":
            self.forms.append(Form(action=attributes.get("action", ""), attrs=attributes))
        if not self.forms:
            return
        form = self.forms[-1]
        if tag == "input":
            self._input(form, attributes)
        elif tag == "select":
            self._select, self._select_value, self._select_first = attributes.get("name"), None, None
            self._select_multiple = "multiple" in attributes
        elif tag == "option" and self._select:
            value = attributes.get("value", "")
            key = f"options:{self._select}"
            form.attrs[key] = f"{form.attrs[key]}\x1f{value}" if key in form.attrs else value
            if self._select_first is None:
                self._select_first = value
            if "selected" in attributes:
                self._select_value = value
        elif tag == "textarea":
            self._textarea, self._text = attributes.get("name"), []

    def _input(self, form: Form, attributes: dict) -> None:
        kind = attributes.get("type", "text").lower()
        name = attributes.get("name")
        if not name or kind in {"submit", "button", "file", "image", "reset"}:
            return
        if kind in {"checkbox", "radio"} and "checked" not in attributes:
            return
        form.fields.append((name, attributes.get("value", "on" if kind == "checkbox" else "")))

    def handle_endtag(self, tag: str) -> None:
        if not self.forms:
            return
        if tag == "select" and self._select:
            chosen = self._select_value if self._select_value is not None else self._select_first
            if self._select_multiple:
                chosen = self._select_value  # a multiple select sends nothing when nothing is selected
            if chosen is not None:
                self.forms[-1].fields.append((self._select, chosen))
            self._select = None
        elif tag == "textarea" and self._textarea:
            self.forms[-1].fields.append((self._textarea, "".join(self._text).lstrip("\n")))
            self._textarea = None

    def handle_data(self, data: str) -> None:
        if self._textarea:
            self._text.append(data)


def forms_in(html: str) -> list[Form]:
    parser = _FormParser()
    parser.feed(html)
    return parser.forms


def form_with(html: str, *, field_name: str = "", action_contains: str = "", form_id: str = "") -> Form:
    """The first form holding this field, posting to this address or with this id; ValueError if none."""
    for form in forms_in(html):
        if field_name and field_name not in {name for name, _ in form.fields} | _selects(form):
            continue
        if action_contains and action_contains not in form.action:
            continue
        if form_id and form.attrs.get("id") != form_id:
            continue
        return form
    raise ValueError(f"no form with field {field_name!r}, action {action_contains!r}, id {form_id!r}")


def _selects(form: Form) -> set[str]:
    return {key.removeprefix("options:") for key in form.attrs if key.startswith("options:")}


def path_of(location: str) -> str:
    """The path (and query) of a redirect, absolute or not."""
    parts = urlsplit(location)
    return parts.path + (f"?{parts.query}" if parts.query else "")
