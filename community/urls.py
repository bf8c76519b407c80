from django.urls import path

from . import views

app_name = "community"

urlpatterns = [
    path("community/", views.question_list, name="questions"),
    path("community/categories/<str:slug>/", views.category_detail, name="category"),
    path("community/questions/<int:pk>/", views.question_detail, name="question"),
    path("community/unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
]
