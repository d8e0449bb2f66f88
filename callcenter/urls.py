from django.contrib import admin
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path
from django.views.i18n import set_language

from accounts import views as accounts_views
from accounts.access import is_admin_site_user
from callcenter import views
from reports import views as reports_views

# Django's admin grants anything (superuser status, single permissions) to anyone it lets in:
# only superusers are let in; administrators manage users on the users page (accounts).
admin.site.has_permission = is_admin_site_user

urlpatterns = [
    path("", views.home, name="home"),
    path("login/", views.login, name="login"),
    path("logout/", accounts_views.logout, name="logout"),
    path("password/", accounts_views.password_change, name="password_change"),
    path("password/done/", accounts_views.password_change_done, name="password_change_done"),
    path("users/", include("accounts.urls")),
    path("language/", login_not_required(set_language), name="set_language"),
    path("catalogue/", include("hierarchy.urls")),
    path("knowledge/", include("knowledgebase.urls")),
    path("work-orders/", include("workorders.urls")),
    path("calls/", include("calls.urls")),
    path("feedback/", include("feedback.urls")),
    path("reports/", include("reports.urls")),
    path("open311/", include("open311.urls")),
    path("mail/", include("mail.urls")),
    path("today/", reports_views.dashboard, name="dashboard"),
    path("", include("requests_app.urls")),
    path("admin/", admin.site.urls),
]

# Error pages rendered without the database (see callcenter/errors.py); 403 and 404 are
# Django's own handlers with templates/403.html and templates/404.html.
handler400 = "callcenter.errors.bad_request"
handler500 = "callcenter.errors.server_error"
