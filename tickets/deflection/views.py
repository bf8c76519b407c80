"""The deflection report's page for staff, here with report.py and chart.py until the service dashboard takes it
over. The help center's pages are in tickets/helpcenter/views.py."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required, permission_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from .chart import session_chart
from .report import deflection_report as build_report


@login_required
@permission_required("helpcenter.view_deflection_report", raise_exception=True)
def deflection_report(request: HttpRequest) -> HttpResponse:
    report = build_report()
    return render(
        request,
        "tickets/staff/deflection.html",
        {"report": report, "chart": session_chart(report.days), "days": list(reversed(report.days))},
    )
