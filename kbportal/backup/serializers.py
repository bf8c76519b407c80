"""The "json" serialization format, with times to the microsecond.

Django's encoder cuts datetimes and times to milliseconds (ECMA-262's format), so a `dumpdata` /
`loaddata` round trip moved every timestamp, and with it the order of events written in the same
millisecond. Registered for "json" in `SERIALIZATION_MODULES`; reading is Django's own.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.core.serializers.json import Deserializer, DjangoJSONEncoder
from django.core.serializers.json import Serializer as DjangoJSONSerializer
from django.utils.timezone import is_aware

__all__ = ["Deserializer", "ExactJSONEncoder", "Serializer"]


class ExactJSONEncoder(DjangoJSONEncoder):
    def default(self, o: Any) -> Any:
        # Aware times go to Django's encoder, which refuses them.
        if isinstance(o, datetime.datetime) or (isinstance(o, datetime.time) and not is_aware(o)):
            return o.isoformat()
        return super().default(o)


class Serializer(DjangoJSONSerializer):
    def _init_options(self) -> None:
        self.options.setdefault("cls", ExactJSONEncoder)
        super()._init_options()
