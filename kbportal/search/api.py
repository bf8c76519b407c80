"""GET /api/v1/search/ and /api/v1/search/suggest/: ranked results for the one search box."""

from typing import Any, cast

from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import BaseThrottle
from rest_framework.views import APIView

from kbportal.choices import Language, content_language
from kbportal.security.ratelimits import RateLimitThrottle

from . import service
from .registry import link_places, result_link, sources


class SearchQuerySerializer(serializers.Serializer):
    q = serializers.CharField(max_length=500, trim_whitespace=True)
    kind = serializers.MultipleChoiceField(choices=[], required=False)
    language = serializers.ChoiceField(choices=Language.choices, required=False)
    category = serializers.IntegerField(min_value=1, max_value=2**63 - 1, required=False)
    version = serializers.CharField(max_length=40, required=False)
    limit = serializers.IntegerField(min_value=1, max_value=service.MAX_LIMIT, default=20)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(serializers.MultipleChoiceField, self.fields["kind"]).choices = [source.kind for source in sources()]


class HitSerializer(serializers.Serializer):
    kind = serializers.CharField()
    id = serializers.IntegerField(source="object_id")
    external_id = serializers.CharField()
    title = serializers.CharField()
    url = serializers.CharField()
    snippet = serializers.CharField()
    score = serializers.FloatField()
    language = serializers.CharField()
    # The serializer's metaclass takes declared fields off the class, so this never replaces Field.label.
    label = serializers.CharField()  # type: ignore[assignment]
    link = serializers.SerializerMethodField()

    @extend_schema_field(str)
    def get_link(self, hit: service.Hit) -> str:
        """Where the result links from the place that asked (`via`): the address, or the help center's."""
        return result_link(hit.url, self.context.get("via", ""))


class SearchResponseSerializer(serializers.Serializer):
    results = HitSerializer(many=True)
    suggestion = serializers.CharField(allow_blank=True)


class SuggestQuerySerializer(serializers.Serializer):
    q = serializers.CharField(max_length=200, trim_whitespace=True)
    limit = serializers.IntegerField(min_value=1, max_value=20, default=8)
    via = serializers.ChoiceField(choices=[], required=False, help_text="The page showing the suggestions.")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The places are registered by the apps that link results (the help center's contact form).
        cast(serializers.ChoiceField, self.fields["via"]).choices = link_places()


def _query_data(request: Request) -> dict[str, Any]:
    data = {key: request.query_params.get(key) for key in request.query_params if key != "kind"}
    kinds = request.query_params.getlist("kind")
    return {**data, "kind": kinds} if kinds else data


class SearchView(APIView):
    """Articles, video tutorials and community answers, best first; "suggestion" corrects typos."""

    permission_classes = [AllowAny]

    def get_throttles(self) -> list[BaseThrottle]:
        return [RateLimitThrottle("search")]

    @extend_schema(parameters=[SearchQuerySerializer], responses=SearchResponseSerializer)
    def get(self, request: Request) -> Response:
        incoming = SearchQuerySerializer(data=_query_data(request))
        incoming.is_valid(raise_exception=True)
        data = incoming.validated_data
        results = service.search(
            data["q"],
            kinds=sorted(data.get("kind") or []),
            language=data.get("language"),
            preferred_language=content_language(getattr(request, "LANGUAGE_CODE", "en")),
            category_ids=[data["category"]] if data.get("category") else None,
            product_version=data.get("version"),
            limit=data["limit"],
        )
        return Response({"results": HitSerializer(results.hits, many=True).data, "suggestion": results.suggestion})


class SuggestView(APIView):
    """Titles for as-you-type suggestions: from 3 characters (2 for Chinese, Japanese or Korean)."""

    permission_classes = [AllowAny]

    def get_throttles(self) -> list[BaseThrottle]:
        return [RateLimitThrottle("suggest")]

    @extend_schema(parameters=[SuggestQuerySerializer], responses=HitSerializer(many=True))
    def get(self, request: Request) -> Response:
        incoming = SuggestQuerySerializer(data=request.query_params)
        incoming.is_valid(raise_exception=True)
        query = incoming.validated_data["q"]
        if not service.long_enough_to_suggest(query):
            return Response({"results": []})
        hits = service.suggest(
            query,
            preferred_language=content_language(getattr(request, "LANGUAGE_CODE", "en")),
            limit=incoming.validated_data["limit"],
        )
        via = incoming.validated_data.get("via", "")
        return Response({"results": HitSerializer(hits, many=True, context={"via": via}).data})
