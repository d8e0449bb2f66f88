from django.urls import path, re_path

from open311 import views

app_name = "open311"

# GeoReport v2: each resource in the format its suffix names.
FORMAT = r"\.(?P<fmt>json|xml)$"

urlpatterns = [
    re_path(r"^v2/discovery" + FORMAT, views.discovery, name="discovery"),
    re_path(r"^v2/services" + FORMAT, views.service_list, name="service_list"),
    re_path(r"^v2/services/(?P<code>[^/]+?)" + FORMAT, views.service_definition, name="service"),
    re_path(r"^v2/requests" + FORMAT, views.requests, name="requests"),
    re_path(r"^v2/requests/(?P<number>[^/]+?)" + FORMAT, views.request_detail, name="request"),
    re_path(r"^v2/tokens/(?P<token>[^/]+?)" + FORMAT, views.token, name="token"),
    path("keys/", views.key_list, name="key_list"),
    path("keys/<int:pk>/revoke/", views.key_revoke, name="key_revoke"),
    path("services/", views.question_codes, name="question_codes"),
    path("services/<int:pk>/questions/", views.questions, name="questions"),
]
