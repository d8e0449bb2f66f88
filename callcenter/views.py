from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect


def home(request: HttpRequest) -> HttpResponse:
    # Everyone starts with their day at a glance (reports.views.dashboard decides what it shows).
    return redirect("dashboard")


login = login_not_required(
    auth_views.LoginView.as_view(
        template_name="registration/login.html", redirect_authenticated_user=True
    )
)
