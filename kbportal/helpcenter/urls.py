from django.urls import path

from . import views

app_name = "helpcenter"

urlpatterns = [
    # Search, the verdict on an opened result, the contact form and what follows it.
    path("search/", views.search_page, name="search"),
    path("help/answer/", views.help_answer, name="help_answer"),
    path("contact/", views.contact, name="contact"),
    path("contact/sent/<str:reference>/", views.contact_sent, name="contact_sent"),
    path("contact/sent/<str:reference>/withdraw/", views.contact_withdraw, name="contact_withdraw"),
    # Requesters without an account, through the signed link they were given (mounted before the desk's
    # tickets/<reference>/ pages, as they always were).
    path("tickets/guest/<str:token>/", views.guest_ticket, name="guest_ticket"),
    path("tickets/guest/<str:token>/reply/", views.guest_reply, name="guest_reply"),
    path("tickets/guest/<str:token>/follow-up/", views.guest_follow_up, name="guest_follow_up"),
    path(
        "tickets/guest/<str:token>/attachments/<int:attachment_id>/",
        views.guest_attachment,
        name="guest_attachment",
    ),
]
