from django.urls import path

from residents import views

app_name = "residents"
urlpatterns = [
    path("report/", views.report, name="report"),
    # The confirmation's signed pointer to the report (residents.links).
    path("report/sent/<str:token>/", views.report_sent, name="report_sent"),
    path("status/", views.status_lookup, name="status_lookup"),
    path("status/<str:number>/<str:secret>/", views.status, name="status"),
]
