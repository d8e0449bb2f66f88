from django.urls import path

from requests_app import views

app_name = "requests_app"
urlpatterns = [
    path("requests/", views.request_list, name="request_list"),
    path("requests/new/", views.request_new, name="request_new"),
    path("requests/follow-ups/", views.my_follow_ups, name="my_follow_ups"),
    path("requests/<int:pk>/", views.request_edit, name="request_edit"),
    path("customers/lookup/", views.caller_lookup, name="caller_lookup"),
    path("customers/new/", views.customer_edit, name="customer_create"),
    path("customers/<int:pk>/", views.customer_detail, name="customer_detail"),
    path("customers/<int:pk>/edit/", views.customer_edit, name="customer_edit"),
]
