from django.urls import path

from feedback import views

app_name = "feedback"
urlpatterns = [
    path("settings/", views.feedback_settings, name="settings"),
    path("comments/", views.comment_list, name="comment_list"),
    # The survey link in the e-mail: a signed token (feedback.tokens).
    path("<str:token>/", views.answer, name="answer"),
]
