"""The managers' dashboard, the list behind each figure, and CSV exports: support managers only.

One section can be read on its own (`?section=self-service`): the self-service section is also the former
deflection report (`/staff/deflection/`), for everyone who could read that report (content editors too).
"""

from __future__ import annotations

import csv
import uuid
from collections.abc import Iterable, Iterator
from functools import partial

from django.conf import settings
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect, StreamingHttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone

from .dashboard import build, ignored_filters
from .forms import ScopeForm, scope_query
from .registry import SECTION_TITLES, Section, registry
from .scope import default_scope

PERMISSION = "analytics.view_service_analytics"
# Who may read one section without the whole dashboard: its figures, charts and lists, but not the records
# behind them nor the exports (as the deflection report they replace offered neither).
SECTION_PERMISSIONS = {Section.SELF_SERVICE: "helpcenter.view_deflection_report"}
ROWS_PER_PAGE = 50
EXPORT_LIMIT = 100_000


def _scope_form(request: HttpRequest) -> ScopeForm:
    """The filters from the query string; the period shows the last 30 days when it is not given."""
    data = request.GET.copy()
    if not data.get("since") and not data.get("until"):
        default = default_scope()
        data["since"], data["until"] = default.since.isoformat(), default.until.isoformat()
    return ScopeForm(data)


def _section(request: HttpRequest) -> Section | None:
    try:
        return Section(request.GET.get("section", ""))
    except ValueError:
        return None


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    """Every section, or one (`?section=`); readers of that one section only see it without drill-downs."""
    section = _section(request)
    everything = request.user.has_perm(PERMISSION)
    if not everything and not (section in SECTION_PERMISSIONS and request.user.has_perm(SECTION_PERMISSIONS[section])):
        raise PermissionDenied
    form = _scope_form(request)
    scope = form.scope()
    context = {
        "form": form,
        "scope": scope,
        "section": section,
        "section_title": SECTION_TITLES[section] if section else "",
        "links": everything,
        # Called by the template only when its cached copy of the figures has expired.
        "sections": partial(build, scope, sections=[section] if section else tuple(Section), links=everything),
        "query": scope_query(scope),
        "time_zone": timezone.get_current_timezone_name(),
        "cache_seconds": settings.KBPORTAL_ANALYTICS_CACHE_SECONDS,
        # With caching off, a key of its own: no copy left by an earlier render (or another process) is read.
        "cache_nonce": "" if settings.KBPORTAL_ANALYTICS_CACHE_SECONDS else uuid.uuid4().hex,
        "computed_at": timezone.now,
    }
    return render(request, "analytics/dashboard.html", context)


@login_required
@permission_required(SECTION_PERMISSIONS[Section.SELF_SERVICE], raise_exception=True)
def deflection(request: HttpRequest) -> HttpResponseRedirect:
    """The former deflection report's address: the dashboard's self-service section, with the filters given."""
    query = request.GET.copy()
    query["section"] = Section.SELF_SERVICE
    return HttpResponseRedirect(f"{reverse('analytics:dashboard')}?{query.urlencode()}")


@login_required
@permission_required(PERMISSION, raise_exception=True)
def metric_list(request: HttpRequest, key: str) -> HttpResponse:
    """The records behind one figure, paginated; `?format=csv` exports them all."""
    metric = registry.metrics.get(key)
    if metric is None or metric.rows is None:
        raise Http404
    form = _scope_form(request)
    scope = form.scope()
    rows = metric.rows(scope)
    if request.GET.get("format") == "csv":
        return _csv(f"{key}.csv", metric.columns, rows[:EXPORT_LIMIT].iterator())
    page = Paginator(rows, ROWS_PER_PAGE).get_page(request.GET.get("page"))
    context = {
        "metric": metric,
        "value": metric.value(scope),
        "scope": scope,
        "page": page,
        "query": scope_query(scope),
        "ignored": ignored_filters(metric, scope),
        "filters_refused": not form.is_valid(),
    }
    return render(request, "analytics/metric_list.html", context)


@login_required
@permission_required(PERMISSION, raise_exception=True)
def export(request: HttpRequest, key: str) -> HttpResponse:
    """A chart's table or a ranked list as CSV, in the dashboard's scope."""
    scope = _scope_form(request).scope()
    if key in registry.breakdowns:
        breakdown = registry.breakdowns[key]
        table = breakdown.table(scope)
        header = ["", *(str(column) for column in table.columns)]
        lines = ([label, *(_raw(value) for value in values)] for label, values in table.rows)
        return _csv_lines(f"{key}.csv", header, lines)
    if key in registry.listings:
        listing = registry.listings[key]
        return _csv(f"{key}.csv", listing.columns, listing.rows(scope))
    if key in registry.metrics:
        metric = registry.metrics[key]
        return _csv_lines(f"{key}.csv", [str(metric.label)], [[_raw(metric.value(scope))]])
    raise Http404


def _raw(value):
    """CSV keeps numbers as numbers: shares as fractions, durations in seconds."""
    return "" if value is None else value


class _Echo:
    def write(self, value: str) -> str:
        return value


def _csv(filename: str, columns, rows: Iterable) -> StreamingHttpResponse:
    """Records as CSV, one column per `Column` of the figure or list."""
    lines = ([column.value(row) for column in columns] for row in rows)
    return _csv_lines(filename, [str(column.label) for column in columns], lines)


def _csv_lines(filename: str, header: list[str], lines: Iterable[list]) -> StreamingHttpResponse:
    writer = csv.writer(_Echo())

    def stream() -> Iterator[str]:
        yield "\ufeff"  # so that spreadsheet programs read UTF-8 (Chinese titles) correctly
        yield writer.writerow(header)
        for line in lines:
            yield writer.writerow([_text(value) for value in line])

    response = StreamingHttpResponse(stream(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


# A spreadsheet runs a cell that starts like a formula; customers type search queries, subjects and comments.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _text(value) -> str:
    if hasattr(value, "isoformat"):
        return timezone.localtime(value).isoformat() if hasattr(value, "tzinfo") and value.tzinfo else value.isoformat()
    if value is None:
        return ""
    if isinstance(value, int | float):
        return str(value)  # numbers stay numbers, negative ones included
    text = str(value)
    return f"'{text}" if text.startswith(_FORMULA_STARTS) else text
