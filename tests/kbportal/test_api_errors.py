"""One error shape for every endpoint: the exception handler, and the schema that documents it on every operation.

400: ``{"<field>": ["…"], "non_field_errors": ["…"]}``; every other refusal: ``{"detail": "…"}``.
"""

from datetime import timedelta

import jsonschema
import pytest
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.utils import timezone
from drf_spectacular.generators import SchemaGenerator
from rest_framework.exceptions import ValidationError as DRFValidationError
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.test import APIClient, APIRequestFactory
from rest_framework.views import APIView

from articles import services as article_services
from community import services as community_services
from kbportal.accounts.roles import Role
from tests.accounts.factories import StaffFactory, UserFactory
from tests.articles.factories import ArticleFactory
from tests.community.factories import QuestionFactory
from tests.kbportal.conftest import route_url
from tests.tickets.factories import TicketFactory
from tickets import services as ticket_services
from tickets.models import Ticket

pytestmark = pytest.mark.django_db

JSON = "application/json"


# --- The handler ---------------------------------------------------------------------------------


def _raising(error: Exception):
    class Raises(APIView):
        permission_classes = [AllowAny]

        def post(self, request):
            raise error

    return Raises.as_view()


def _post(error: Exception) -> Response:
    return _raising(error)(APIRequestFactory().post("/api/v1/x/", {}, format="json"))


@pytest.mark.parametrize(
    ("error", "body"),
    [
        (
            ValidationError({"title": "Too short.", "body": ["Empty.", "No."]}),
            {"title": ["Too short."], "body": ["Empty.", "No."]},
        ),
        (ValidationError("Resolved too long ago."), {"non_field_errors": ["Resolved too long ago."]}),
        (ValidationError(["One.", "Two."]), {"non_field_errors": ["One.", "Two."]}),
        (ValidationError({NON_FIELD_ERRORS: "Both.", "a": "A."}), {"non_field_errors": ["Both."], "a": ["A."]}),
        (ValidationError("At least %(n)d.", params={"n": 3}), {"non_field_errors": ["At least 3."]}),
    ],
    ids=["fields", "message", "messages", "all-key", "params"],
)
def test_a_django_validation_error_answers_400_in_the_one_shape(error, body):
    response = _post(error)

    assert response.status_code == 400
    assert response.data == body


def test_the_codes_of_a_django_validation_error_are_kept():
    response = _post(ValidationError({"title": ValidationError("Too short.", code="short")}))

    assert response.data["title"][0].code == "short"


def test_a_django_permission_denied_answers_403_with_its_message():
    refused, bare = _post(PermissionDenied("Only moderators can do this.")), _post(PermissionDenied())

    assert (refused.status_code, refused.data) == (403, {"detail": "Only moderators can do this."})
    assert (bare.status_code, bare.data) == (403, {"detail": "You do not have permission to perform this action."})


def test_a_bare_drf_validation_error_joins_the_shape():
    assert _post(DRFValidationError("Nope.")).data == {"non_field_errors": ["Nope."]}


# --- Through the API views: the services raise Django's errors, the views catch nothing ----------


@pytest.fixture
def member(db):
    user = UserFactory(username="member")
    user.date_joined = timezone.now() - timedelta(days=365)
    user.save(update_fields=["date_joined"])
    return user


def test_a_service_field_error_answers_400_with_the_field(client):
    question = QuestionFactory()
    client.force_login(StaffFactory(role=Role.MODERATOR))

    response = client.post(
        f"/api/v1/forum/questions/{question.pk}/moderate/", {"duplicate_of": question.pk}, content_type=JSON
    )

    assert response.status_code == 400
    assert response.json() == {"duplicate_of": ["A question cannot duplicate itself."]}


def test_a_service_error_about_the_whole_request_answers_400_under_non_field_errors(
    customer_client, customer, settings
):
    ticket = ticket_services.ticket_resolve(ticket=TicketFactory(requester=customer), by=StaffFactory())
    Ticket.objects.filter(pk=ticket.pk).update(
        resolved_at=timezone.now() - timedelta(days=settings.KBPORTAL_REOPEN_DAYS + 1)
    )

    response = customer_client.post(f"/api/v1/tickets/{ticket.reference}/reopen/")

    assert response.status_code == 400
    assert list(response.json()) == ["non_field_errors"]
    assert "Open a follow-up ticket instead" in response.json()["non_field_errors"][0]


def test_a_service_permission_denied_answers_403_with_its_message(client):
    question = QuestionFactory()
    client.force_login(question.author)

    response = client.post(f"/api/v1/forum/questions/{question.pk}/vote/", {"value": 1}, content_type=JSON)

    assert response.status_code == 403
    assert response.json() == {"detail": "You cannot vote on your own post."}


def _feedback(user) -> tuple[str, dict]:
    return f"/api/v1/articles/{ArticleFactory().pk}/feedback/", {"helpful": True}


def _reopen(user) -> tuple[str, dict]:
    return f"/api/v1/tickets/{TicketFactory(requester=user).reference}/reopen/", {}


def _comment(user) -> tuple[str, dict]:
    return f"/api/v1/forum/questions/{QuestionFactory().pk}/comments/", {"body": "Same here."}


@pytest.mark.parametrize(
    ("module", "name", "route"),
    [
        (article_services, "feedback_submit", _feedback),
        (ticket_services, "ticket_reopen", _reopen),
        (community_services, "comment_add", _comment),
    ],
    ids=["articles", "tickets", "community"],
)
@pytest.mark.parametrize(
    ("error", "status", "body"),
    [
        (ValidationError({"body": "Say more."}), 400, {"body": ["Say more."]}),
        (ValidationError("Not now."), 400, {"non_field_errors": ["Not now."]}),
        (PermissionDenied("Not you."), 403, {"detail": "Not you."}),
    ],
    ids=["field", "non-field", "permission"],
)
def test_every_api_module_answers_a_services_errors_in_the_one_shape(
    client, member, monkeypatch, module, name, route, error, status, body
):
    def refuse(**kwargs):
        raise error

    url, payload = route(member)
    monkeypatch.setattr(module, name, refuse)
    client.force_login(member)

    response = client.post(url, payload, content_type=JSON)

    assert (response.status_code, response.json()) == (status, body)


# --- The schema: the error responses of every operation ------------------------------------------


@pytest.fixture(scope="module")
def schema():
    return SchemaGenerator().get_schema(request=None, public=True)


def _operations(schema):
    return [
        (method.upper(), path, operation)
        for path, operations in schema["paths"].items()
        for method, operation in operations.items()
    ]


ERROR_REFS = {"#/components/schemas/Error", "#/components/schemas/ValidationError"}


def _refs(body_schema: dict) -> set[str]:
    return {body_schema["$ref"]} if "$ref" in body_schema else {part["$ref"] for part in body_schema["oneOf"]}


def test_the_two_error_components_are_in_the_schema(schema):
    components = schema["components"]["schemas"]
    assert components["Error"]["properties"] == {"detail": {"type": "string"}}
    assert components["ValidationError"]["properties"]["non_field_errors"]["items"] == {"type": "string"}


def test_every_operation_lists_its_error_responses_in_the_one_shape(schema):
    operations = _operations(schema)
    assert len(operations) >= 50
    missing = []
    for method, path, operation in operations:
        responses = operation["responses"]
        errors = {code for code in responses if code.startswith("4")}
        expected = set()
        if method in ("POST", "PUT", "PATCH"):
            expected |= {"400"}
        if method != "GET" and path != "/api/v1/auth/token/":
            expected |= {"403"}  # a write by a signed-in caller may be refused (the token endpoint signs in)
        if "{" in path:
            expected |= {"404"}
        if "requestBody" in operation:
            expected |= {"413"}
        if not expected <= errors or not errors:
            missing.append((method, path, sorted(expected - errors)))
        for code in errors:
            content = responses[code]["content"]["application/json"]["schema"]
            assert _refs(content) <= ERROR_REFS, (method, path, code)
            assert (code == "400") == ("#/components/schemas/ValidationError" in _refs(content)), (method, path, code)
    assert missing == []


def test_throttled_token_and_protected_operations_say_so(schema):
    paths = schema["paths"]
    assert "429" in paths["/api/v1/search/"]["get"]["responses"]
    assert "Retry-After" in paths["/api/v1/forum/questions/"]["post"]["responses"]["429"]["headers"]
    assert "429" in paths["/api/v1/auth/token/"]["post"]["responses"]  # the sign-in lockout
    assert "401" not in paths["/api/v1/auth/token/"]["post"]["responses"]  # reads no token
    assert "401" in paths["/api/v1/tickets/"]["get"]["responses"]
    assert "403" in paths["/api/v1/tickets/"]["get"]["responses"]  # signed-in callers only
    assert "403" not in paths["/api/v1/articles/"]["get"]["responses"]  # anyone reads
    assert "429" not in paths["/api/v1/tickets/"]["get"]["responses"]


# --- Every route answers its refusals as documented, never with a 500 ----------------------------


def _client(caller) -> APIClient:
    client = APIClient(raise_request_exception=False)
    if caller == "bad-token":
        client.credentials(HTTP_AUTHORIZATION="Token kbp_" + "0" * 64)
    elif caller is not None:
        client.force_login(caller)
    return client


def test_every_refusal_on_every_route_is_documented_and_has_the_documented_shape(api_world, schema):
    objects, users = api_world
    callers = [None, "bad-token", *users[1:4]]  # anonymous, a refused token, customer, member, moderator
    components = {"components": schema["components"]}
    undocumented, wrong_shape, server_errors, seen = [], [], [], set()
    for method, path, operation in _operations(schema):
        url = route_url(path, objects)
        for caller in callers:
            for query in ("", "?page=9999") if method == "GET" and "{" not in path else ("",):
                response = getattr(_client(caller), method.lower())(url + query, {}, format="json")
                where = (method, url + query, str(caller), response.status_code)
                seen.add(response.status_code)
                if response.status_code >= 500:
                    server_errors.append(where)
                    continue
                if response.status_code < 400:
                    continue
                documented = operation["responses"].get(str(response.status_code))
                if documented is None:
                    undocumented.append(where)
                    continue
                body_schema = documented["content"]["application/json"]["schema"]
                if isinstance(response.json().get("detail"), list):  # the second shape this handler replaced
                    wrong_shape.append((*where, "a list under detail"))
                try:
                    jsonschema.validate(response.json(), {**body_schema, **components})
                except jsonschema.ValidationError as error:
                    wrong_shape.append((*where, error.message))
    assert server_errors == []
    assert undocumented == []
    assert wrong_shape == []
    assert {400, 401, 403, 404} <= seen
