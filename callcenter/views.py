from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect


def home(request: HttpRequest) -> HttpResponse:
    # Agents and supervisors start at the request desk; the others in the catalogue until the
    # dashboards exist.
    if request.user.has_perm("requests_app.change_customerrequest"):
        return redirect("requests_app:request_list")
    return redirect("hierarchy:tree")


login = login_not_required(
    auth_views.LoginView.as_view(
        template_name="registration/login.html", redirect_authenticated_user=True
    )
)
