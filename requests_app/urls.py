from django.urls import path

from requests_app import views

app_name = "requests_app"
urlpatterns = [
    path("requests/", views.request_list, name="request_list"),
    path("requests/new/", views.request_new, name="request_new"),
    path("requests/follow-ups/", views.my_follow_ups, name="my_follow_ups"),
    path("requests/settings/", views.request_settings, name="request_settings"),
    path("requests/<int:pk>/", views.request_edit, name="request_edit"),
    path("requests/<int:pk>/discard/", views.discard_request, name="request_discard"),
    path(
        "requests/<int:pk>/work-order/",
        views.request_work_order_check,
        name="request_work_order_check",
    ),
    path(
        "requests/<int:pk>/knowledge/",
        views.request_knowledge_search,
        name="request_knowledge_search",
    ),
    path(
        "requests/<int:pk>/knowledge/by-code/",
        views.request_code_articles,
        name="request_code_articles",
    ),
    path(
        "requests/<int:pk>/knowledge/<int:article_pk>/",
        views.request_consult_article,
        name="request_consult_article",
    ),
    path("customers/lookup/", views.caller_lookup, name="caller_lookup"),
    path("customers/new/", views.customer_edit, name="customer_create"),
    path("customers/<int:pk>/", views.customer_detail, name="customer_detail"),
    path(
        "customers/<int:pk>/new-request/", views.customer_new_request, name="customer_new_request"
    ),
    path("customers/<int:pk>/edit/", views.customer_edit, name="customer_edit"),
]
