from django.urls import path

app_name = "hierarchy"
urlpatterns = []
