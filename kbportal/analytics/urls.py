from django.urls import path

from . import views

app_name = "analytics"

urlpatterns = [
    path("staff/analytics/", views.dashboard, name="dashboard"),
    path("staff/deflection/", views.deflection, name="deflection"),
    path("staff/analytics/metrics/<slug:key>/", views.metric_list, name="metric"),
    path("staff/analytics/export/<slug:key>.csv", views.export, name="export"),
]
