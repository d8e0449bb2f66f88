from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path
from django.views.i18n import set_language

from callcenter import views
from reports import views as reports_views

urlpatterns = [
    path("", views.home, name="home"),
    path("login/", views.login, name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("language/", login_not_required(set_language), name="set_language"),
    path("catalogue/", include("hierarchy.urls")),
    path("knowledge/", include("knowledgebase.urls")),
    path("work-orders/", include("workorders.urls")),
    path("reports/", include("reports.urls")),
    path("today/", reports_views.dashboard, name="dashboard"),
    path("", include("requests_app.urls")),
    path("admin/", admin.site.urls),
]

# Error pages rendered without the database (see callcenter/errors.py); 403 and 404 are
# Django's own handlers with templates/403.html and templates/404.html.
handler400 = "callcenter.errors.bad_request"
handler500 = "callcenter.errors.server_error"
