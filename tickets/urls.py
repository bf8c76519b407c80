from django.urls import path

from . import staff_views, views

app_name = "tickets"

urlpatterns = [
    path("tickets/", views.ticket_list, name="list"),
    path("tickets/new/", views.ticket_new, name="new"),
    path("tickets/<str:reference>/", views.ticket_detail, name="detail"),
    path("tickets/<str:reference>/reply/", views.ticket_reply, name="reply"),
    path("tickets/<str:reference>/resolve/", views.ticket_resolve, name="resolve"),
    path("tickets/<str:reference>/reopen/", views.ticket_reopen, name="reopen"),
    path("tickets/<str:reference>/follow-up/", views.ticket_follow_up, name="follow_up"),
    path("tickets/<str:reference>/survey/", views.survey_answer, name="survey"),
    path(
        "tickets/<str:reference>/attachments/<int:attachment_id>/",
        views.attachment_download,
        name="attachment",
    ),
    path("survey/<str:token>/", views.survey_link, name="survey_link"),
    path("staff/queue/", staff_views.queue, name="queue"),
    path("staff/queue/bulk/", staff_views.queue_bulk, name="queue_bulk"),
    path("staff/away/", staff_views.toggle_away, name="away"),
    path("staff/tickets/<str:reference>/", staff_views.ticket_workspace, name="staff_detail"),
    path("staff/tickets/<str:reference>/reply/", staff_views.staff_reply, name="staff_reply"),
    path("staff/tickets/<str:reference>/properties/", staff_views.staff_properties, name="staff_properties"),
    path("staff/tickets/<str:reference>/escalate/", staff_views.staff_escalate, name="staff_escalate"),
    path("staff/tickets/<str:reference>/article/", staff_views.staff_draft_article, name="staff_article"),
]
