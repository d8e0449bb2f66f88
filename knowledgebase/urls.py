from django.urls import path

from knowledgebase import views

app_name = "knowledgebase"
urlpatterns = [
    path("", views.article_list, name="article_list"),
    path("new/", views.article_new, name="article_new"),
    path("topics/", views.topic_list, name="topic_list"),
    path("usage/", views.article_usage, name="article_usage"),
    path("failed-searches/", views.failed_searches, name="failed_searches"),
    path(
        "failed-searches/<int:pk>/dismiss/",
        views.failed_search_dismiss,
        name="failed_search_dismiss",
    ),
    path("<int:pk>/", views.article_detail, name="article_detail"),
    path("<int:pk>/edit/", views.article_edit, name="article_edit"),
    path("<int:pk>/status/", views.article_set_status, name="article_set_status"),
    path("<int:pk>/revisions/", views.article_revisions, name="article_revisions"),
    path(
        "<int:pk>/revisions/<int:number>/restore/",
        views.article_restore_revision,
        name="article_restore_revision",
    ),
]
