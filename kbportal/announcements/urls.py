from django.urls import path

from . import views

app_name = "announcements"

urlpatterns = [
    path("", views.status, name="status"),
    path("notices/<int:pk>/", views.notice_detail, name="notice"),
    path("notices/<int:pk>/follow/", views.notice_follow, name="follow"),
    path("notices/<int:pk>/unfollow/", views.notice_unfollow, name="unfollow"),
    path("unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
]
