from django.urls import path

from mail import views

app_name = "mail"

urlpatterns = [
    path("attachments/<int:pk>/", views.attachment, name="attachment"),
]
