"""One JSON object per log line, with the request id (django-guid) of the request or task that logged it.

Django's LOGGING uses `JsonFormatter` when `DJANGO_LOG_FORMAT=json` (production's default). gunicorn can
write its own logs in the same shape: in gunicorn.conf.py,

    from kbportal.observability.logging import gunicorn_logconfig_dict
    logconfig_dict = gunicorn_logconfig_dict()

Access lines then carry method, path, status, duration_ms, bytes, remote_addr, user_agent and the
response's X-Request-ID as request_id (the same id as the application's lines for that request), whatever
`access_log_format` says; their message is that format's text, with tokens and addresses scrubbed.
"""

import logging
from collections.abc import Mapping
from typing import Any

from pythonjsonlogger.core import RESERVED_ATTRS
from pythonjsonlogger.json import JsonFormatter as _LibraryJsonFormatter

from kbportal.observability.scrubbing import scrub_text

# The names operators query: timestamp, level, logger, message, request_id, exception.
FIELDS = "%(levelname)s %(name)s %(message)s %(correlation_id)s"
RENAMED = {"levelname": "level", "name": "logger", "correlation_id": "request_id", "exc_info": "exception"}
# Django passes the HttpRequest along with its request errors; its repr holds the path, and request_id
# already ties the line to the request.
SKIPPED = [*RESERVED_ATTRS, "request"]
# django-guid's Celery tracing fields, left out when a line is not logged inside a task.
_CELERY_IDS = ("celery_parent_id", "celery_current_id")

# The logging filters that put the ids on every record (django-guid's), for a handler's "filters".
LOG_FILTERS = {
    "request_id": {"()": "django_guid.log_filters.CorrelationId"},
    "celery_tracing": {"()": "django_guid.integrations.celery.log_filters.CeleryTracing"},
}


class JsonFormatter(_LibraryJsonFormatter):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("fmt", FIELDS)
        kwargs.setdefault("rename_fields", RENAMED)
        kwargs.setdefault("reserved_attrs", SKIPPED)
        kwargs.setdefault("timestamp", True)
        kwargs.setdefault("json_ensure_ascii", False)
        super().__init__(*args, **kwargs)

    def add_fields(self, log_data: dict[str, Any], record: logging.LogRecord, message_dict: dict[str, Any]) -> None:
        super().add_fields(log_data, record, message_dict)
        for key in _CELERY_IDS:
            if log_data.get(key) is None:
                log_data.pop(key, None)
        if record.name == "gunicorn.access" and isinstance(record.args, Mapping):
            log_data.update(_access_fields(record.args))
        for key in ("message", "exception"):
            if isinstance(log_data.get(key), str):
                log_data[key] = scrub_text(log_data[key])

    def process_log_record(self, log_data: dict[str, Any]) -> dict[str, Any]:
        return {"timestamp": log_data.pop("timestamp", None), **log_data}


def _access_fields(atoms: Mapping[str, Any]) -> dict[str, Any]:
    """The fields of one gunicorn access line, from its atoms (see gunicorn's `Logger.atoms`)."""
    return {
        "method": atoms.get("m"),
        "path": scrub_text(str(atoms.get("U") or "")),
        "status": int(atoms["s"]) if str(atoms.get("s", "")).isdigit() else atoms.get("s"),
        "duration_ms": round(atoms["D"] / 1000, 1) if isinstance(atoms.get("D"), int) else None,
        "bytes": atoms.get("B"),
        "remote_addr": atoms.get("h"),
        "user_agent": atoms.get("a"),
        "request_id": atoms.get("{x-request-id}o") or None,
    }


def json_formatter() -> JsonFormatter:
    """The project's JSON formatter, for any process that configures logging itself."""
    return JsonFormatter()


class ScrubbingFormatter(logging.Formatter):
    """Plain lines with the secrets of signed links and addresses taken out (see scrubbing.py)."""

    def format(self, record: logging.LogRecord) -> str:
        return scrub_text(super().format(record))


def gunicorn_logconfig_dict(level: str = "INFO", *, json: bool = True) -> dict[str, Any]:
    """A `logconfig_dict` for gunicorn: its error and access logs on stdout and stderr, as JSON lines or
    (``json=False``) plain ones, scrubbed either way: a request line holds a guest link's token."""
    if json:
        formatter = {"()": "kbportal.observability.logging.JsonFormatter"}
    else:
        formatter = {"()": "kbportal.observability.logging.ScrubbingFormatter", "format": "%(message)s"}
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"json": formatter},
        "filters": LOG_FILTERS,
        "handlers": {
            "console": {
                "class": "logging.StreamHandler",
                "formatter": "json",
                "filters": list(LOG_FILTERS),
                "stream": "ext://sys.stdout",
            },
            "error_console": {
                "class": "logging.StreamHandler",
                "formatter": "json",
                "filters": list(LOG_FILTERS),
                "stream": "ext://sys.stderr",
            },
        },
        "root": {"level": level, "handlers": ["console"]},
        "loggers": {
            "gunicorn.error": {"level": level, "handlers": ["error_console"], "propagate": False},
            "gunicorn.access": {"level": "INFO", "handlers": ["console"], "propagate": False},
        },
    }


class OncePerInterval(logging.Filter):
    """Let one record of each (logger, message) through per ``seconds`` in this process; the next one that
    passes says how many were held back. For loggers that repeat one line on every call during an outage
    (django-redis logs each cache call it ignores), so the log and error tracking are not flooded."""

    def __init__(self, seconds: float = 60) -> None:
        super().__init__()
        self.seconds = seconds
        self._last: dict[tuple[str, str], tuple[float, int]] = {}

    def filter(self, record: logging.LogRecord) -> bool:
        key = (record.name, str(record.msg))
        passed_at, held = self._last.get(key, (float("-inf"), 0))
        if record.created - passed_at < self.seconds:
            self._last[key] = (passed_at, held + 1)
            return False
        self._last[key] = (record.created, 0)
        if held:
            record.msg = f"{record.msg} (and {held} more like it in the last {self.seconds:.0f} s)"
        return True
