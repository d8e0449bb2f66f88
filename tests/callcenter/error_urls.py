"""The application's URLs plus one view that fails unexpectedly: a 500 has no real route (every
known one is a bug to fix), so the tests of the 500 page bring their own."""

from django.contrib.auth.decorators import login_not_required
from django.urls import path

from callcenter.urls import handler400, handler500
from callcenter.urls import urlpatterns as application_urls

__all__ = ["handler400", "handler500", "urlpatterns"]


@login_not_required
def crash(request):
    raise RuntimeError("an unexpected failure")


urlpatterns = [path("test-crash/", crash), *application_urls]
