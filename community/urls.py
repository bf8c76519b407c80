from django.urls import path

from . import member_views, views

app_name = "community"

urlpatterns = [
    path("community/", views.question_list, name="questions"),
    path("community/categories/<str:slug>/", views.category_detail, name="category"),
    path("community/ask/", views.ask, name="ask"),
    path("community/ask/similar/", views.similar, name="similar"),
    path("community/questions/<int:pk>/", views.question_detail, name="question"),
    path("community/questions/<int:pk>/answer/", views.answer_create, name="answer"),
    path("community/questions/<int:pk>/comment/", views.comment_create, name="comment"),
    path("community/questions/<int:pk>/vote/", views.vote, name="vote"),
    path("community/questions/<int:pk>/flag/", views.flag, name="flag"),
    path("community/questions/<int:pk>/follow/", views.follow, name="follow"),
    path("community/questions/<int:pk>/moderate/", views.moderate, name="moderate"),
    path("community/questions/<int:pk>/edit/", views.edit, name="edit"),
    path("community/questions/<int:pk>/promote/", views.promote, name="promote"),
    path("community/questions/<int:pk>/escalate/", views.escalate, name="escalate"),
    path("community/questions/<int:pk>/answers/<int:answer_id>/accept/", views.accept, name="accept"),
    path("community/questions/<int:pk>/answers/<int:answer_id>/verify/", views.verify, name="verify"),
    path("community/questions/<int:pk>/answers/<int:answer_id>/edit/", views.edit, name="edit_answer"),
    path("community/unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
    path("community/members/<int:pk>/", member_views.member_detail, name="member"),
    path("community/notifications/", member_views.notifications, name="notifications"),
    path("community/moderation/", member_views.moderation, name="moderation"),
]
