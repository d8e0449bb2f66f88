from django.urls import path

from calls import views

app_name = "calls"
urlpatterns = [
    path("", views.call_list, name="call_list"),
    path("pop/", views.call_pop, name="call_pop"),
    path("answer/", views.call_answer, name="call_answer"),
    path("transfer/", views.call_transfer, name="call_transfer"),
    path("transfer/target/", views.call_transfer_target, name="call_transfer_target"),
    path("dial/", views.call_dial, name="call_dial"),
    path("callbacks/", views.callback_list, name="callback_list"),
    path("queues/", views.queue_list, name="queue_list"),
    path("queues/new/", views.queue_new, name="queue_new"),
    path("queues/<int:pk>/", views.queue_detail, name="queue_detail"),
    path("pause-reasons/", views.pause_reason_list, name="pause_reason_list"),
    path("trunks/", views.trunk_list, name="trunk_list"),
    path("trunks/new/", views.trunk_edit, name="trunk_new"),
    path("trunks/<int:pk>/", views.trunk_edit, name="trunk_edit"),
    path("callbacks/<int:pk>/done/", views.callback_mark_done, name="callback_done"),
    path("phone/route/", views.phone_route, name="phone_route"),
    path("phone/events/", views.phone_events, name="phone_events"),
    path("phone/sip-password/", views.phone_sip_password, name="phone_sip_password"),
    path("phone/voicemail/", views.phone_voicemail, name="phone_voicemail"),
    path("credentials/", views.credentials, name="credentials"),
    path("desk-phone/", views.desk_phone, name="desk_phone"),
    path("desk-phone/<int:pk>/", views.desk_phone, name="desk_phone_of"),
    path("availability/", views.availability_set, name="availability_set"),
    path("<int:pk>/recording/", views.call_recording, name="call_recording"),
    path("<int:pk>/recording/audio/", views.call_recording_audio, name="call_recording_audio"),
]
