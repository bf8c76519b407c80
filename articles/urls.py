from django.urls import path, re_path

from . import views

app_name = "articles"

urlpatterns = [
    path("", views.home, name="home"),
    path("articles/", views.article_list, name="article_list"),
    path("articles/<int:pk>/", views.article_detail, name="article_short"),
    path("articles/<int:pk>/<str:slug>/", views.article_detail, name="article"),
    path("categories/<str:slug>/", views.category_detail, name="category"),
    path("tags/<str:slug>/", views.tag_detail, name="tag"),
    path("videos/", views.video_list, name="video_list"),
    path("videos/<int:pk>/", views.video_detail, name="video_short"),
    path("videos/<int:pk>/<str:slug>/", views.video_detail, name="video"),
    # The language switcher's landing from an article or video page: its translation in the chosen language.
    re_path(
        r"^switch-language/(?P<kind>article|video)/(?P<pk>[0-9]+)/$", views.language_switch, name="language_switch"
    ),
    re_path(r"^feedback/(?P<kind>article|video)/(?P<pk>[0-9]+)/$", views.feedback_submit, name="feedback"),
    path("staff/needs-review/", views.needs_review, name="needs_review"),
]
