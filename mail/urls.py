from django.urls import path

from mail import views

app_name = "mail"

urlpatterns = [
    path("attachments/<int:pk>/", views.attachment, name="attachment"),
    path("requests/<int:pk>/reply/", views.request_reply, name="request_reply"),
    path("sent/<int:pk>/send-again/", views.mail_send_retry, name="send_again"),
    path("mailboxes/", views.mailbox_list, name="mailbox_list"),
    path("mailboxes/new/", views.mailbox_edit, name="mailbox_new"),
    path("mailboxes/<int:pk>/", views.mailbox_edit, name="mailbox_edit"),
]
