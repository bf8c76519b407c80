"""The one JSON parser of the API (REST_FRAMEWORK's DEFAULT_PARSER_CLASSES): bounded in size and depth."""

from django.conf import settings
from django.utils.translation import gettext as _
from rest_framework import parsers
from rest_framework.exceptions import ParseError
from rest_framework.utils import json

from kbportal import safejson

from .exceptions import RequestBodyTooLarge


class JSONParser(parsers.JSONParser):
    """DRF's JSON parser, refusing bodies over KBPORTAL_MAX_JSON_BODY_BYTES (413) and bodies nested deeper than
    KBPORTAL_MAX_JSON_DEPTH (400) before the recursive decoder sees them.

    A subclass of DRF's, so the request hands it the body already read (DATA_UPLOAD_MAX_MEMORY_SIZE applies first).
    """

    def parse(self, stream, media_type=None, parser_context=None):
        encoding = parsers.get_encoding(parser_context or {})
        limit = settings.KBPORTAL_MAX_JSON_BODY_BYTES
        raw = stream.read(limit + 1)
        if len(raw) > limit:
            raise RequestBodyTooLarge(limit=limit)
        parse_constant = json.strict_constant if self.strict else None
        try:
            return safejson.loads(raw.decode(encoding), parse_constant=parse_constant)
        except safejson.NestingTooDeep as error:
            raise ParseError(
                _("The JSON body is nested deeper than %(depth)s levels. Send a flatter document.")
                % {"depth": error.max_depth}
            ) from error
        except ValueError as error:  # not JSON, or not in the declared charset: DRF's own message
            raise ParseError(f"JSON parse error - {error}") from error
