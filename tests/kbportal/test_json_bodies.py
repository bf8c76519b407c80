"""JSON request bodies: nesting and size are bounded by one parser, on every route that takes a body."""

import json
import time

import pytest
from django.urls import URLPattern, URLResolver, get_resolver
from drf_spectacular.generators import SchemaGenerator
from rest_framework.test import APIClient

from articles import importing
from kbportal import safejson
from kbportal.api.parsers import JSONParser
from tests.kbportal.conftest import route_url

DEEP = 100_000
DEEP_ARRAY = "[" * DEEP
DEEP_OBJECT = '{"a":' * DEEP + "1" + "}" * DEEP
TOKEN_URL = "/api/v1/auth/token/"
TOO_DEEP = "The JSON body is nested deeper than 32 levels. Send a flatter document."


# --- The loader -----------------------------------------------------------------------------


def test_the_loader_refuses_deep_nesting_without_recursing():
    for text in (DEEP_ARRAY, DEEP_OBJECT, "[" * 33 + "]" * 33):
        with pytest.raises(safejson.NestingTooDeep) as caught:
            safejson.loads(text, max_depth=32)
        assert caught.value.pos == (32 if text[0] == "[" else 32 * 5)


def test_the_loader_reads_what_json_reads_within_the_limit():
    text = json.dumps({"a": [[{"b": '[[[[{{{{ \\" ]]'}]], "c": "\u6587"}) + " "
    assert safejson.loads(text, max_depth=4) == json.loads(text)
    assert safejson.loads("[" * 32 + "]" * 32, max_depth=32) == json.loads("[" * 32 + "]" * 32)
    assert safejson.loads(b'\xef\xbb\xbf{"a": 1}') == {"a": 1}  # bytes, with a BOM, as json.loads takes them


def test_brackets_inside_strings_are_not_structure():
    assert safejson.loads(json.dumps(["[" * 1000, "{" * 1000]), max_depth=1) == ["[" * 1000, "{" * 1000]


def test_the_scan_stays_linear_on_an_unterminated_string_of_escaped_quotes():
    text = '"' + '\\"' * 400_000  # a scan that retried from every quote would be quadratic here
    started = time.perf_counter()
    with pytest.raises(json.JSONDecodeError, match="Unterminated string"):
        safejson.loads(text)
    assert time.perf_counter() - started < 2


def test_page_telemetry_and_article_import_use_the_loader():
    from kbportal.search.shown import shown_suggestions_from

    assert shown_suggestions_from(DEEP_ARRAY) == []
    with pytest.raises(importing.LineError, match="Nested deeper than 32 levels"):
        importing.parse_line(text=DEEP_OBJECT, number=1)


# --- Every API view, every route of the schema ---------------------------------------------------


def _views(patterns):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _views(pattern.url_patterns)
        elif isinstance(pattern, URLPattern) and hasattr(pattern.callback, "cls"):
            yield pattern.callback


def test_every_api_view_parses_json_with_the_bounded_parser():
    views = list(_views(get_resolver().url_patterns))
    assert len(views) > 10
    for view in views:
        parsers = view.initkwargs.get("parser_classes", view.cls.parser_classes)
        json_parsers = [parser for parser in parsers if "json" in parser.media_type]
        assert json_parsers == [JSONParser], view.cls


def _json_routes() -> list[tuple[str, str, bool]]:
    """(method, path template, declares a JSON body) for every write operation in the OpenAPI schema."""
    schema = SchemaGenerator().get_schema(request=None, public=True)
    routes = [
        (method, path, "application/json" in operation.get("requestBody", {}).get("content", {}))
        for path, operations in schema["paths"].items()
        for method, operation in operations.items()
        if method in {"post", "put", "patch"}
    ]
    if not any(path == TOKEN_URL for _method, path, _body in routes):
        routes.append(("post", TOKEN_URL, True))
    return routes


def test_deeply_nested_json_is_refused_on_every_route(api_world):
    """100,000-deep arrays and objects on every route: never a 500, and a 400 for whoever may use the route."""
    objects, users = api_world
    routes = _json_routes()
    assert len(routes) >= 30
    server_errors, unrefused = [], []
    for method, path, declares_json in routes:
        url = route_url(path, objects)
        refused = False
        for user in users:
            client = APIClient(raise_request_exception=False)
            if user is not None:
                client.force_login(user)
            for body in (DEEP_ARRAY, DEEP_OBJECT):
                response = getattr(client, method)(url, data=body, content_type="application/json")
                if response.status_code >= 500:
                    server_errors.append((method, url, user, response.status_code))
                elif response.status_code == 400 and response.json() == {"detail": TOO_DEEP}:
                    refused = True
        if declares_json and not refused:
            unrefused.append((method, url))
    assert server_errors == []
    assert unrefused == []


def test_the_refusal_is_translated(client):
    response = client.post(TOKEN_URL, data=DEEP_ARRAY, content_type="application/json", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 400
    assert response.json()["detail"] == "JSON 正文的嵌套超过 32 层。请发送层次更少的文档。"


# --- Size --------------------------------------------------------------------------------------


@pytest.mark.parametrize("megabytes", [1.5, 5])
def test_a_json_body_over_the_limit_gets_413_with_a_message(customer_client, megabytes):
    body = json.dumps({"subject": "x" * int(megabytes * 1024 * 1024), "description": "Too long"})
    response = customer_client.post("/api/v1/tickets/", data=body, content_type="application/json")
    assert response.status_code == 413
    assert "The request body is larger than" in response.json()["detail"]


def test_the_body_limit_is_a_setting(customer_client, settings):
    settings.KBPORTAL_MAX_JSON_BODY_BYTES = 100
    body = json.dumps({"subject": "x" * 200, "description": "Within Django's limit, over ours"})
    response = customer_client.post("/api/v1/tickets/", data=body, content_type="application/json")
    assert response.status_code == 413
    assert response.json() == {"detail": "The request body is larger than 100\xa0bytes. Send a smaller one."}
