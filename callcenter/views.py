from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.forms import AuthenticationForm
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render


def home(request: HttpRequest) -> HttpResponse:
    # Everyone starts with their day at a glance (reports.views.dashboard decides what it shows).
    return redirect("dashboard")


login = login_not_required(
    auth_views.LoginView.as_view(
        template_name="registration/login.html", redirect_authenticated_user=True
    )
)


def login_locked(request: HttpRequest, response=None, credentials=None) -> HttpResponse:
    """What django-axes answers to a login while it is locked (AXES_LOCKOUT_CALLABLE): the login
    page again, saying so. The same words whether the username or the address is locked, and
    whether the username exists, so that the page tells a guesser nothing."""
    username = (credentials or {}).get("username") or ""
    form = AuthenticationForm(request, initial={"username": username})
    return render(
        request,
        "registration/login.html",
        {
            "form": form,
            "locked_minutes": int(settings.AXES_COOLOFF_TIME.total_seconds() // 60),
        },
        status=429,
    )
