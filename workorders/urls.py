from django.urls import path

from workorders import views

app_name = "workorders"
urlpatterns = [
    path("", views.work_order_list, name="work_order_list"),
    path("<int:pk>/", views.work_order_detail, name="work_order_detail"),
]
